"""
Title: BatchNormalization before or after the sigmoid in a deep MLP
Description: Backward signal ‖∂loss/∂h_l‖ and kernel gradient norm of every hidden layer of a 10-layer sigmoid MLP with no batch normalisation, BatchNormalization before each sigmoid, and BatchNormalization after each sigmoid, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Ten hidden sigmoid layers of 32 units, Keras's default Glorot uniform kernels, one batch, one
# backward pass in training mode (batch statistics, as in `fit`). Three placements:
# none; `Dense → BatchNormalization → sigmoid`; `Dense(sigmoid) → BatchNormalization`.
# `probe_layers` (in `gradbook/signal_probe.py`) reads the backward signal ‖∂loss/∂h_l‖ at each
# block's output h_l and each Dense kernel's gradient.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

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


def probe_placement(placement):
    """(kernel gradient norms, backward signal, activation rms at each block's output), layers 1..DEPTH."""
    keras.utils.set_random_seed(SEED)  # the same Dense kernels for every placement
    layers, blocks = [keras.Input((WIDTH,))], []
    for _ in range(DEPTH):
        blocks.append(block(placement))
        layers += blocks[-1]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    dense = [block_layers[0] for block_layers in blocks]
    block_outputs = [block_layers[-1] for block_layers in blocks]
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=block_outputs + dense)
    return probe.kernel_gradient[DEPTH:], probe.backward_signal[:DEPTH], probe.activation_rms[:DEPTH]


PLACEMENTS = ("no BN", "BN before sigmoid", "BN after sigmoid")
probes = {placement: probe_placement(placement) for placement in PLACEMENTS}
norms = {placement: run[0] for placement, run in probes.items()}
signal = {placement: run[1] for placement, run in probes.items()}
activation_rms = {placement: run[2] for placement, run in probes.items()}
for placement in PLACEMENTS:
    print(f"{placement:18s} kernel gradient first/last {norms[placement][0] / norms[placement][-1]:.2e}, "
          f"backward signal first/last {signal[placement][0] / signal[placement][-1]:.2e}, "
          f"activation rms layer 1 {activation_rms[placement][0]:.2f}, layer {DEPTH} {activation_rms[placement][-1]:.2f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
for placement, marker in zip(PLACEMENTS, "os^"):
    axes[0].semilogy(range(1, DEPTH + 1), signal[placement], marker=marker, label=placement)
    axes[1].semilogy(range(1, DEPTH + 1), norms[placement], marker=marker, label=placement)
axes[0].set_title(f"Backward signal, {DEPTH}-layer sigmoid MLP")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_ylabel("kernel gradient ‖∂loss/∂W_l‖ (log scale)")
axes[1].set_title("Kernel gradient, same networks")
for ax in axes:
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(range(1, DEPTH + 1))
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

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
    "none_signal_ratio": float(signal["no BN"][0] / signal["no BN"][-1]),
    "before_signal_ratio": float(signal["BN before sigmoid"][0] / signal["BN before sigmoid"][-1]),
    "after_signal_ratio": float(signal["BN after sigmoid"][0] / signal["BN after sigmoid"][-1]),
    "none_activation_rms_last": float(activation_rms["no BN"][-1]),
    "before_activation_rms_last": float(activation_rms["BN before sigmoid"][-1]),
    "after_activation_rms_last": float(activation_rms["BN after sigmoid"][-1]),
}
print(results)
