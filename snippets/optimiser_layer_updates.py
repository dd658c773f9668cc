"""
Title: How far each layer moves under SGD, RMSprop and Adam in a deep sigmoid network
Description: Relative change of every hidden layer's kernel after 100 full-batch steps of SGD, RMSprop (Keras default epsilon and a tiny one) and Adam on an 8-layer sigmoid MLP, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Eight sigmoid layers of 32 units with Glorot uniform weights: the gradient reaching the first
# layer is thousands of times smaller than the last layer's. All four runs start from the same
# weights and take 100 full-batch steps on the same synthetic classification task.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, STEPS = 8, 32, 256, 100
ADAPTIVE_RATE = 1e-3
OPTIMISERS = {
    "SGD, lr 0.1": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "RMSprop, lr 1e-3 (ε = 1e-7)": lambda: keras.optimizers.RMSprop(learning_rate=ADAPTIVE_RATE),
    "RMSprop, lr 1e-3, ε = 1e-20": lambda: keras.optimizers.RMSprop(learning_rate=ADAPTIVE_RATE, epsilon=1e-20),
    "Adam, lr 1e-3": lambda: keras.optimizers.Adam(learning_rate=ADAPTIVE_RATE),
    "Adam, lr 1e-3, ε = 1e-20": lambda: keras.optimizers.Adam(learning_rate=ADAPTIVE_RATE, epsilon=1e-20),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp():
    return keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
        + [keras.layers.Dense(1)]
    )


initial_model = build_mlp()
initial_weights = initial_model.get_weights()
loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

# %% [markdown]
# What the first layer receives at the start, from `gradbook/signal_probe.py`: the backward signal
# ‖∂L/∂h_l‖ at each hidden layer's output, and the kernel gradient ‖∂L/∂W_l‖ = ‖h_{l−1}ᵀ δ_l‖,
# which also carries the layer's input activations.

# %%
probe = probe_layers(initial_model, x, y, loss_fn, layers=initial_model.layers[:DEPTH])
first_kernel_gradient_rms = probe.kernel_gradient[0] / WIDTH  # ‖·‖ / √(32 · 32 entries)
print("backward signal per hidden layer:", np.array2string(probe.backward_signal, precision=2))
print("kernel gradient per hidden layer:", np.array2string(probe.kernel_gradient, precision=2))
print(f"first layer's kernel gradient entries: RMS {first_kernel_gradient_rms:.2e}")

# %% [markdown]
# Each step also records the largest change any single parameter made, to compare with Adam's
# bound on its step size.

# %%
def train(make_optimiser):
    model = build_mlp()
    model.set_weights(initial_weights)
    optimiser = make_optimiser()
    optimiser.build(model.trainable_variables)  # create its slots before tracing the step

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x))
        grads = tape.gradient(loss, model.trainable_variables)
        before = [tf.identity(v) for v in model.trainable_variables]
        optimiser.apply(grads, model.trainable_variables)
        return tf.reduce_max([tf.reduce_max(tf.abs(v - b)) for v, b in zip(model.trainable_variables, before)])

    largest_step = max(float(step()) for _ in range(STEPS))
    kernels = [layer.kernel.numpy() for layer in model.layers[:DEPTH]]
    relative = np.array([np.linalg.norm(k - k0) / np.linalg.norm(k0) for k, k0 in zip(kernels, initial_weights[: 2 * DEPTH : 2])])
    return relative, largest_step


runs = {name: train(make) for name, make in OPTIMISERS.items()}
for name, (relative, largest_step) in runs.items():
    print(f"{name:30s} first layer moved {relative[0]:.2e}, last {relative[-1]:.2e}, largest single step {largest_step:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, (relative, _)), marker in zip(runs.items(), "o^vsD"):
    ax.semilogy(range(1, DEPTH + 1), relative, marker=marker, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖W_100 − W_0‖ / ‖W_0‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title(f"How far each layer moved in {STEPS} steps, 8 sigmoid layers of 32 units")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
def first_over_last(name):
    relative = runs[name][0]
    return float(relative[0] / relative[-1])


names = list(OPTIMISERS)
ADAM_EPSILON, ADAM_BETA_2 = keras.optimizers.Adam().epsilon, keras.optimizers.Adam().beta_2  # Keras's defaults
results = {
    "steps": STEPS,
    "adaptive_rate": ADAPTIVE_RATE,
    "sgd_ratio": first_over_last(names[0]),
    "rmsprop_ratio": first_over_last(names[1]),
    "rmsprop_tiny_epsilon_ratio": first_over_last(names[2]),
    "adam_ratio": first_over_last(names[3]),
    "sgd_first": float(runs[names[0]][0][0]),
    "adam_first": float(runs[names[3]][0][0]),
    "adam_largest_step_over_rate": runs[names[3]][1] / ADAPTIVE_RATE,
    "signal_first_over_last": float(probe.backward_signal[0] / probe.backward_signal[-1]),
    "kernel_gradient_first_over_last": float(probe.kernel_gradient[0] / probe.kernel_gradient[-1]),
    "first_kernel_gradient_rms": float(first_kernel_gradient_rms),
    # Keras adds ε to √v before bias correction: against the corrected √v̂ it is ε / √(1 − β₂ᵗ).
    "adam_effective_epsilon_step_1": ADAM_EPSILON / float(np.sqrt(1 - ADAM_BETA_2)),
    "adam_effective_epsilon_last_step": ADAM_EPSILON / float(np.sqrt(1 - ADAM_BETA_2**STEPS)),
    "adam_tiny_epsilon_ratio": first_over_last(names[4]),
    "adam_tiny_epsilon_first_over_default_first": float(runs[names[4]][0][0] / runs[names[3]][0][0]),
}
print(results)
