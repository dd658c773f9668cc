"""
Title: Update-to-weight ratio per layer under SGD and Adam
Description: Per-layer ratio of the update norm to the weight norm, ‖Δw‖/‖w‖, at every step of training a six-layer sigmoid MLP with SGD and Adam at three learning rates each, on a log scale, with the 1e-3 rule of thumb marked.
Accelerator: None
"""

# %% [markdown]
# Six sigmoid hidden layers of 64 units with Glorot uniform kernels (the Keras default), softmax
# over 4 classes, minibatches of 64 from 2048 synthetic examples. The same initial weights are
# trained six times: SGD (no momentum) and Adam (Keras defaults: β₁ 0.9, β₂ 0.999, ε 1e-7), each
# at three learning rates. At every step the snippet records, for each kernel, the ratio of the
# update's norm to the weight's norm ‖Δw‖/‖w‖, and the LARS trust ratio ‖w‖/‖g‖.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, DEPTH, CLASSES = 16, 64, 6, 4
EXAMPLES, BATCH, STEPS = 2048, 64, 200
LEARNING_RATES = {"SGD": (0.1, 1.0, 10.0), "Adam": (1e-4, 1e-3, 1e-2)}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((EXAMPLES, INPUTS)).astype("float32")
labels = (np.tanh(x @ rng.standard_normal((INPUTS, 32)) / 4) @ rng.standard_normal((32, CLASSES))).argmax(axis=1)
labels = labels.astype("int32")
batches = rng.integers(0, EXAMPLES, (STEPS, BATCH)).astype("int32")  # the same minibatches for every run


def build():
    return keras.Sequential(
        [keras.Input((INPUTS,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
        + [keras.layers.Dense(CLASSES)]
    )


initial_weights = build().get_weights()
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


# %% [markdown]
# The training step returns, per kernel, ‖Δw‖/‖w‖ (the weight norm before the step) and ‖w‖/‖g‖.
# One model and one optimiser per kind are traced once; each run resets the weights and the
# optimiser's state and sets a new learning rate, so that tracing is paid twice, not six times.

# %%
def make_trainer(optimiser):
    model = build()
    kernels = [layer.kernel for layer in model.layers]
    optimiser.build(model.trainable_variables)

    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb))
        grads = tape.gradient(loss, model.trainable_variables)
        before = [tf.identity(k) for k in kernels]
        optimiser.apply(grads, model.trainable_variables)
        kernel_grads = grads[::2]  # Dense variables come as kernel, bias
        ratio = tf.stack([tf.norm(k - b) / tf.norm(b) for k, b in zip(kernels, before)])
        trust = tf.stack([tf.norm(b) / tf.norm(g) for b, g in zip(before, kernel_grads)])
        largest_entry_step = tf.reduce_max([tf.reduce_max(tf.abs(k - b)) for k, b in zip(kernels, before)])
        return loss, ratio, trust, largest_entry_step

    # The whole run is one graph (a Python loop of eager calls costs more than the maths); autograph
    # is off because an explicit tf.while_loop traces in a fraction of the time.
    @tf.function(autograph=False)
    def run_all():
        def body(i, records):
            idx = tf.gather(batches, i)
            outputs = step(tf.gather(x, idx), tf.gather(labels, idx))
            return i + 1, [r.write(i, o) for r, o in zip(records, outputs)]

        records = [tf.TensorArray(tf.float32, size=STEPS) for _ in range(4)]
        _, records = tf.while_loop(lambda i, _: i < STEPS, body, (tf.constant(0), records))
        return [r.stack() for r in records]

    def train(learning_rate):
        model.set_weights(initial_weights)
        for variable in optimiser.variables:  # iteration count, Adam's moments: back to zero
            variable.assign(tf.zeros_like(variable))
        optimiser.learning_rate = learning_rate
        losses, ratio, trust, largest = (r.numpy() for r in run_all())
        return {"loss": losses, "ratio": ratio, "trust": trust, "largest_entry_step": float(largest.max()),
                "final_loss": float(loss_fn(labels, model(x))), "kernel_sizes": [int(np.prod(k.shape)) for k in kernels]}

    return train


trainers = {"SGD": make_trainer(keras.optimizers.SGD()), "Adam": make_trainer(keras.optimizers.Adam())}
runs = {(name, lr): trainers[name](lr) for name, rates in LEARNING_RATES.items() for lr in rates}
initial_loss = float(loss_fn(labels, (lambda m: (m.set_weights(initial_weights), m)[1])(build())(x)))
for (name, lr), run in runs.items():
    median = np.median(run["ratio"], axis=0)
    print(f"{name:4s} lr {lr:g}: median ‖Δw‖/‖w‖ first layer {median[0]:.1e}, last hidden {median[DEPTH - 1]:.1e}, "
          f"output {median[-1]:.1e}; loss {initial_loss:.3f} -> {run['final_loss']:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 5.8), sharey=True)
colours = {0: "C0", DEPTH - 1: "C1", DEPTH: "C2"}  # one colour per layer, one line style per learning rate
for ax, optimiser_name in zip(axes, ("SGD", "Adam")):
    for (name, lr), run in runs.items():
        if name != optimiser_name:
            continue
        style = (":", "-", "--")[LEARNING_RATES[name].index(lr)]
        for layer in (0, DEPTH - 1, DEPTH):
            label = {0: "layer 1", DEPTH - 1: f"layer {DEPTH}", DEPTH: "output"}[layer]
            ax.semilogy(run["ratio"][:, layer], style, color=colours[layer], lw=1,
                        label=f"lr {lr:g}, {label}")
    ax.axhline(1e-3, color="red", lw=1.5, alpha=0.6)
    ax.set_title(f"{optimiser_name}: per-kernel update-to-weight ratio")
    ax.set_xlabel("step")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.13))  # below: the curves fill the axes
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("‖Δw‖ / ‖w‖ per step (log scale; red: 1e-3)")
fig.tight_layout()

# %% [markdown]
# The LARS trust ratio ‖w‖/‖g‖ of each kernel at the first step (You et al. 2017), which LARS
# multiplies into each layer's learning rate so that every layer's update-to-weight ratio is the
# same. Under plain SGD the ratio is η‖g‖/‖w‖ = η / trust ratio, so the spread of the trust ratios
# over layers is the spread of SGD's update-to-weight ratios.

# %%
trust = runs[("SGD", 1.0)]["trust"][0]
print("trust ratio ‖w‖/‖g‖ per kernel at step 1:", np.array2string(trust, precision=1))

# %% [markdown]
# Adam's first step, predicted. Keras applies ε after the bias correction of the step size
# (lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)), so at t = 1 each entry moves by lr·|g|/(|g| + ε/√(1 − β₂)): entries
# whose gradient is below ε/√(1 − β₂) ≈ 3.2e-6 move by less than lr.

# %%
with tf.GradientTape() as tape:
    probe_model = build()
    probe_model.set_weights(initial_weights)
    first_loss = loss_fn(labels[batches[0]], probe_model(x[batches[0]]))
first_grad = np.abs(tape.gradient(first_loss, probe_model.layers[0].kernel).numpy()).astype(np.float64)
effective_epsilon = 1e-7 / np.sqrt(1 - 0.999)
adam_first_layer_predicted = float(np.linalg.norm(first_grad / (first_grad + effective_epsilon)) / np.sqrt(first_grad.size))
print(f"first layer: rms gradient entry {np.sqrt(np.mean(first_grad**2)):.1e} against ε/√(1 − β₂) = {effective_epsilon:.1e}")

# %%
def tag(name, lr):  # ("Adam", 1e-3) -> "adam_lr_1e_3", ("SGD", 0.1) -> "sgd_lr_0_1": names pages can quote
    return f"{name.lower()}_lr_" + (f"{lr:g}" if lr >= 0.1 else f"{lr:.0e}").replace(".", "_").replace("-0", "_")


median = {key: np.median(run["ratio"], axis=0) for key, run in runs.items()}
first_step = {key: run["ratio"][0] for key, run in runs.items()}
w0_norms = np.array([np.linalg.norm(w) for w in initial_weights[::2]])
sizes = np.array(runs[("Adam", 1e-3)]["kernel_sizes"])
results = {
    "initial_loss": initial_loss,
    **{f"{tag(name, lr)}_final_loss": run["final_loss"] for (name, lr), run in runs.items()},
    **{f"{tag(name, lr)}_median_first": float(median[(name, lr)][0]) for (name, lr) in runs},
    **{f"{tag(name, lr)}_median_output": float(median[(name, lr)][-1]) for (name, lr) in runs},
    # Adam's first step, per kernel: measured ‖Δw‖ over lr·√(entries) (see the text for the prediction).
    "adam_first_step_output": float(first_step[("Adam", 1e-3)][-1] * w0_norms[-1] / (1e-3 * np.sqrt(sizes[-1]))),
    "adam_first_step_first_layer": float(first_step[("Adam", 1e-3)][0] * w0_norms[0] / (1e-3 * np.sqrt(sizes[0]))),
    "adam_first_step_first_layer_predicted": adam_first_layer_predicted,
    # The largest change of any single kernel entry over the whole run, in units of the learning rate.
    "adam_lr_1e_3_largest_entry_step_over_lr": runs[("Adam", 1e-3)]["largest_entry_step"] / 1e-3,
    "sgd_first_step_ratio_10_over_1": float(np.median(first_step[("SGD", 10.0)] / first_step[("SGD", 1.0)])),
    "sgd_lr_1_first_over_output_median": float(median[("SGD", 1.0)][0] / median[("SGD", 1.0)][-1]),
    "adam_lr_1e_3_first_over_output_median": float(median[("Adam", 1e-3)][0] / median[("Adam", 1e-3)][-1]),
    "trust_first_layer": float(trust[0]),
    "trust_output_layer": float(trust[-1]),
    "trust_spread": float(trust.max() / trust.min()),
    "chance_loss": float(np.log(CLASSES)),
}
print(results)
