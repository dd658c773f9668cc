"""
Title: Weight scale, forward and backward
Description: Per-layer activation standard deviation and kernel gradient norm of a 10-layer tanh MLP initialised with N(0, 0.01²), Glorot uniform and N(0, 1) weights, on log scales.
Accelerator: None
"""

# %% [markdown]
# Ten tanh layers of 64 units; only the scale of the hidden layers' initial weights changes.
# Forward, a layer multiplies the variance of its input by about n · σ_w² · E[tanh′²]; backward,
# the gradient's squared norm is multiplied by the same kind of factor. Three scales:
# N(0, 0.01²) gives n · σ_w² = 64 · 10⁻⁴, Glorot uniform gives 64 · 2 / (64 + 64) = 1, and
# N(0, 1) gives 64.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
INITIALIZERS = {
    "N(0, 0.01²)": keras.initializers.RandomNormal(stddev=0.01),
    "Glorot uniform": keras.initializers.GlorotUniform(),
    "N(0, 1)": keras.initializers.RandomNormal(stddev=1.0),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]

# %% [markdown]
# One forward pass that keeps every hidden layer's activations, one backward pass for every
# hidden kernel. The output layer keeps its default Glorot initialisation in all three.

# %%
def forward_and_backward(initializer):
    hidden = [keras.layers.Dense(WIDTH, kernel_initializer=initializer) for _ in range(DEPTH)]
    output = keras.layers.Dense(1, activation="sigmoid")
    with tf.GradientTape() as tape:
        activations, h = [], x
        for layer in hidden:
            h = ops.tanh(layer(h))
            activations.append(h)
        loss = keras.losses.BinaryCrossentropy()(y, output(h))
    gradients = tape.gradient(loss, [layer.kernel for layer in hidden])
    stds = np.array([float(ops.std(a)) for a in activations])
    # float64 norms: the smallest gradients here are far below float32's comfortable range.
    norms = np.array([np.linalg.norm(g.numpy().astype(np.float64)) for g in gradients])
    return stds, norms


measured = {name: forward_and_backward(init) for name, init in INITIALIZERS.items()}
for name, (stds, norms) in measured.items():
    print(f"{name:15s} activation std, layer 1 → 10: {stds[0]:.1e} → {stds[-1]:.1e};"
          f"  gradient norm, layer 1 → 10: {norms[0]:.1e} → {norms[-1]:.1e}")

# %%
layers = np.arange(1, DEPTH + 1)
fig, (forward_ax, backward_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
for (name, (stds, norms)), marker in zip(measured.items(), "vos"):
    forward_ax.semilogy(layers, stds, marker=marker, label=name)
    backward_ax.semilogy(layers, norms, marker=marker, label=name)
forward_ax.set_title("Forward: activation spread per layer")
forward_ax.set_ylabel("standard deviation of tanh outputs (log scale)")
backward_ax.set_title("Backward: gradient per layer")
backward_ax.set_ylabel("‖∂loss/∂kernel‖ (log scale)")
for ax in (forward_ax, backward_ax):
    ax.set_xlabel("hidden layer (1 = next to the input)")
    ax.set_xticks(layers)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.suptitle("A 10-layer tanh MLP, 64 units, three initial weight scales")
fig.tight_layout()

# %%
small, glorot, large = (measured[name] for name in INITIALIZERS)
results = {
    "depth": DEPTH,
    "width": WIDTH,
    # Geometric mean of std(layer k+1) / std(layer k): the per-layer forward factor.
    "small_std_factor": float((small[0][-1] / small[0][0]) ** (1 / (DEPTH - 1))),
    "small_std_first": float(small[0][0]),
    "small_std_last": float(small[0][-1]),
    "small_grad_first": float(small[1][0]),
    "small_grad_largest": float(small[1].max()),
    "small_grad_spread": float(small[1].max() / small[1].min()),
    "glorot_std_first": float(glorot[0][0]),
    "glorot_std_last": float(glorot[0][-1]),
    "glorot_grad_first": float(glorot[1][0]),
    "glorot_ratio": float(glorot[1][0] / glorot[1][-1]),
    "large_std_smallest": float(large[0].min()),
    "large_grad_first": float(large[1][0]),
    "large_grad_last": float(large[1][-1]),
    "large_ratio": float(large[1][0] / large[1][-1]),
    "small_over_glorot_first": float(small[1][0] / glorot[1][0]),
}
print(results)
