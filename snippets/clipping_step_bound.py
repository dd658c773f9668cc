"""
Title: How long a step is after global_clipnorm, for SGD, SGD with momentum and Adam
Description: Norm of the whole update per training step of a 10-layer ReLU MLP at three times He's standard deviation, with global_clipnorm=1 and SGD, SGD with momentum 0.9 and Adam, and Adam without clipping, against learning rate × threshold, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Clipping bounds the *gradient* the optimiser receives, ‖g‖ ≤ c. Only plain SGD turns that into
# a bound on the step, ‖Δθ‖ = lr · ‖g‖ ≤ lr · c. SGD with momentum β adds up past clipped
# gradients, v ← β v − lr g, so its step can grow towards lr · c / (1 − β). Adam divides each
# coordinate by its own running RMS, which undoes any common rescaling of the gradient: its step
# is about lr per coordinate, clipped or not. Measured on the exploding network of this page.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS = 10, 64, 256, 50
LEARNING_RATE, THRESHOLD, MOMENTUM = 1e-2, 1.0, 0.9
HE_STD = float(np.sqrt(2.0 / WIDTH))
OPTIMISERS = {
    "SGD, global_clipnorm=1": lambda: keras.optimizers.SGD(LEARNING_RATE, global_clipnorm=THRESHOLD),
    "SGD momentum 0.9, global_clipnorm=1": lambda: keras.optimizers.SGD(
        LEARNING_RATE, momentum=MOMENTUM, global_clipnorm=THRESHOLD),
    "Adam, global_clipnorm=1": lambda: keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=THRESHOLD),
    "Adam, no clipping": lambda: keras.optimizers.Adam(LEARNING_RATE),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]


def build_mlp():
    init = lambda: keras.initializers.RandomNormal(stddev=3 * HE_STD)  # noqa: E731 - a fresh draw per layer
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, kernel_initializer=init()))
    return keras.Sequential(layers)


initial_weights = build_mlp().get_weights()

# %% [markdown]
# Each step records the norm of the whole update, ‖θ_after − θ_before‖, and its largest entry.

# %%
def step_sizes(make_optimiser):
    model = build_mlp()
    model.set_weights(initial_weights)
    optimiser = make_optimiser()
    optimiser.build(model.trainable_variables)  # create its slots before tracing the loop
    variables = model.trainable_variables

    @tf.function
    def run_steps():
        norms = tf.TensorArray(tf.float32, size=STEPS)
        largest = tf.TensorArray(tf.float32, size=STEPS)
        for index in tf.range(STEPS):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            before = [tf.identity(v) for v in variables]
            optimiser.apply(tape.gradient(loss, variables), variables)
            update = [v - b for v, b in zip(variables, before)]
            norms = norms.write(index, tf.linalg.global_norm(update))
            largest = largest.write(index, tf.reduce_max([tf.reduce_max(tf.abs(u)) for u in update]))
        return norms.stack(), largest.stack()

    norms, largest = run_steps()
    return norms.numpy().astype("float64"), largest.numpy().astype("float64")


runs = {name: step_sizes(make) for name, make in OPTIMISERS.items()}
for name, (norms, largest) in runs.items():
    print(f"{name:36s} step norm first {norms[0]:.3g}, largest {norms.max():.3g}; largest entry {largest.max():.3g}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (norms, _)), colour in zip(runs.items(), ("C0", "C1", "C2", "C3")):
    ax.semilogy(range(1, STEPS + 1), norms, color=colour, linestyle=":" if "no clipping" in name else "-",
                linewidth=3 if name.startswith("SGD,") else 1.5, label=name)  # SGD lies on the lr × threshold line
ax.axhline(LEARNING_RATE * THRESHOLD, color="black", linestyle="--", label="lr × threshold")
ax.axhline(LEARNING_RATE * THRESHOLD / (1 - MOMENTUM), color="grey", linestyle="--", label="lr × threshold / (1 − β)")
ax.set_xlabel("training step")
ax.set_ylabel("‖update of all weights‖ (log scale)")
ax.set_ylim(top=30)  # room for the legend above the curves
ax.set_title("global_clipnorm bounds SGD's step, not momentum's or Adam's")
ax.legend(fontsize="small", ncol=2, loc="upper right")
ax.grid(alpha=0.3, which="both")

# %%
bound = LEARNING_RATE * THRESHOLD
sgd, momentum, adam, adam_unclipped = (runs[name] for name in OPTIMISERS)
results = {
    "learning_rate": LEARNING_RATE,
    "threshold": THRESHOLD,
    "momentum": MOMENTUM,
    "steps": STEPS,
    "parameters": int(sum(np.size(w) for w in initial_weights)),
    "sgd_largest_step_over_bound": float(sgd[0].max() / bound),
    "sgd_smallest_step_over_bound": float(sgd[0].min() / bound),
    "momentum_largest_step_over_bound": float(momentum[0].max() / bound),
    "adam_largest_step_over_bound": float(adam[0].max() / bound),
    "adam_median_step_over_bound": float(np.median(adam[0]) / bound),
    "adam_clipped_over_unclipped_median_step": float(np.median(adam[0]) / np.median(adam_unclipped[0])),
    "adam_largest_entry_over_rate": float(adam[1].max() / LEARNING_RATE),
}
print(results)
