"""
Title: Gradient clipping on a vanishing gradient
Description: Per-layer kernel gradient norms of a 10-layer sigmoid MLP before and after Keras global_clipnorm, on a log scale; clipping shifts every layer by the same factor or not at all.
Accelerator: None
"""

# %% [markdown]
# The network from the sigmoid page: ten sigmoid layers of 64 units with Glorot uniform
# weights, whose first layer receives orders of magnitude less gradient than its last.
# Clipping is applied by `keras.optimizers.SGD` exactly as in training.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]

model = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
    + [keras.layers.Dense(1, activation="sigmoid")]
)
with tf.GradientTape() as tape:
    loss = keras.losses.BinaryCrossentropy()(y, model(x))
raw = tape.gradient(loss, model.trainable_variables)
raw_global = float(tf.linalg.global_norm(raw))

# The backward signal ‖∂L/∂h_l‖ at each hidden layer (gradbook/signal_probe.py): clipping acts on
# the parameter gradients after the backward pass, so it cannot change this.
probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
print("backward signal, first/last hidden layer:", probe.backward_signal[0] / probe.backward_signal[-1])

# %% [markdown]
# Two thresholds: 1.0, a common setting, which this small gradient never reaches, and a tenth
# of the gradient's own global norm, which forces a clip.

# %%
def clipped(threshold):
    copies = [tf.Variable(tf.zeros_like(g)) for g in raw]
    keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=threshold).apply(raw, copies)
    return [-copy.numpy() for copy in copies]


def hidden_kernel_norms(grads):
    return np.array([np.linalg.norm(g) for g in grads[: 2 * DEPTH : 2]])  # kernels of the hidden layers


norms = {
    "raw gradient": hidden_kernel_norms([g.numpy() for g in raw]),
    "global_clipnorm=1": hidden_kernel_norms(clipped(1.0)),
    "global_clipnorm=0.1 × its norm": hidden_kernel_norms(clipped(0.1 * raw_global)),
}
for name, layer_norms in norms.items():
    print(f"{name:32s} first {layer_norms[0]:.3e}  last {layer_norms[-1]:.3e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, layer_norms), (marker, style) in zip(norms.items(), (("o", "-"), ("x", "none"), ("s", "--"))):
    ax.semilogy(range(1, DEPTH + 1), layer_norms, marker=marker, linestyle=style, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖kernel update‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title("Sigmoid MLP: kernel update per layer, with and without global_clipnorm")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
raw_norms, loose, tight = norms["raw gradient"], norms["global_clipnorm=1"], norms["global_clipnorm=0.1 × its norm"]
results = {
    "raw_global_norm": raw_global,
    "raw_first": float(raw_norms[0]),
    "raw_ratio": float(raw_norms[0] / raw_norms[-1]),
    "signal_ratio": float(probe.backward_signal[0] / probe.backward_signal[-1]),
    "loose_first_over_raw": float(loose[0] / raw_norms[0]),
    "tight_first_over_raw": float(tight[0] / raw_norms[0]),
    "tight_ratio_over_raw_ratio": float((tight[0] / tight[-1]) / (raw_norms[0] / raw_norms[-1])),
}
print(results)
