"""
Title: BatchNormalization before or after the sigmoid in a deep MLP
Description: Kernel gradient norm of every hidden layer of a 10-layer sigmoid MLP with no batch normalisation, BatchNormalization before each sigmoid, and BatchNormalization after each sigmoid, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Ten hidden sigmoid layers of 32 units, Keras's default Glorot uniform kernels, one batch, one
# backward pass in training mode (batch statistics, as in `fit`). Three placements:
# none; `Dense → BatchNormalization → sigmoid`; `Dense(sigmoid) → BatchNormalization`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 32, 128

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def block(placement):
    if placement == "BN before sigmoid":
        return [keras.layers.Dense(WIDTH), keras.layers.BatchNormalization(), keras.layers.Activation("sigmoid")]
    if placement == "BN after sigmoid":
        return [keras.layers.Dense(WIDTH, activation="sigmoid"), keras.layers.BatchNormalization()]
    return [keras.layers.Dense(WIDTH, activation="sigmoid")]


def hidden_kernel_gradient_norms(placement):
    keras.utils.set_random_seed(SEED)  # the same Dense kernels for every placement
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers += block(placement)
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)][:DEPTH]
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x, training=True))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])


PLACEMENTS = ("no BN", "BN before sigmoid", "BN after sigmoid")
norms = {placement: hidden_kernel_gradient_norms(placement) for placement in PLACEMENTS}
for placement, layer_norms in norms.items():
    print(f"{placement:18s} first hidden layer {layer_norms[0]:.2e}, last {layer_norms[-1]:.2e}, "
          f"first/last {layer_norms[0] / layer_norms[-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (placement, layer_norms), marker in zip(norms.items(), "os^"):
    ax.semilogy(range(1, DEPTH + 1), layer_norms, marker=marker, label=placement)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂kernel‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title("Batch normalisation placement in a 10-layer sigmoid MLP")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
none, before, after = (norms[p] for p in PLACEMENTS)
results = {
    "none_first": float(none[0]),
    "before_first": float(before[0]),
    "after_first": float(after[0]),
    "none_ratio": float(none[0] / none[-1]),
    "before_ratio": float(before[0] / before[-1]),
    "after_ratio": float(after[0] / after[-1]),
    "before_over_none_first": float(before[0] / none[0]),
    "after_over_none_first": float(after[0] / none[0]),
}
print(results)
