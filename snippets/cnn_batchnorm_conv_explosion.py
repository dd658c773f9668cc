"""
Title: BatchNormalization without skips makes the backward signal of a conv stack grow toward the input
Description: Backward signal ‖∂loss/∂h_l‖ per layer of a plain stack of 30 Conv2D 3×3 + BatchNormalization + ReLU layers with 16 channels on 16×16×3 images, at batch 16 and batch 2, against the same stack without normalisation (He normal), on a log scale, with the mean-field slope √(π/(π − 1)) per layer.
Accelerator: None
"""

# %% [markdown]
# Thirty `Conv2D(16, 3, padding="same")` layers, no skips, each followed by BatchNormalization and a
# ReLU, on random 16×16×3 images; global average pooling and a logistic unit on top. One backward
# pass in training mode (BatchNormalization uses the batch's statistics, as in `fit`), read by
# `probe_layers` (in `gradbook/signal_probe.py`) at every ReLU's output h_l. The same stack at batch
# 16 and at batch 2, and, as the baseline, without normalisation: `he_normal` kernels with a bias.
# With BatchNormalization the kernels are `he_normal` without bias (the mean subtraction cancels a
# bias; Keras's Conv2D default is `glorot_uniform` with a bias, and BN's output does not depend on
# the kernel's scale anyway).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, CHANNELS, SIZE = 30, 16, 16

rng = np.random.default_rng(SEED)


def build(batch_norm):
    layers, relus = [keras.Input((SIZE, SIZE, 3))], []
    for _ in range(DEPTH):
        layers.append(keras.layers.Conv2D(CHANNELS, 3, padding="same", use_bias=not batch_norm,
                                          kernel_initializer="he_normal"))
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        relus.append(keras.layers.ReLU())
        layers.append(relus[-1])
    layers += [keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")]
    return keras.Sequential(layers), relus


NETWORKS = {"BN, batch 16": (True, 16), "BN, batch 2": (True, 2), "no normalisation (He), batch 16": (False, 16)}
signals = {}
for name, (batch_norm, batch) in NETWORKS.items():
    x = rng.standard_normal((batch, SIZE, SIZE, 3)).astype("float32")
    y = rng.integers(0, 2, (batch, 1)).astype("float32")
    model, relus = build(batch_norm)
    signals[name] = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=relus).backward_signal

# %% [markdown]
# The mean-field estimate for BN → ReLU (derived on the normalisation page for Dense layers, and the
# same for a convolution: BN removes each channel's constant offset, so it divides by the batch
# standard deviation of the ReLU outputs, √(Var relu(y)) = √(½ − 1/(2π)), while the backward pass
# keeps E[relu′²] = ½): √(π/(π − 1)) ≈ 1.21 per layer. Yang et al. (2019) prove, for fully connected
# networks, that the growth is exponential in depth for any activation.

# %%
def per_layer(signal):
    """Geometric-mean growth per layer toward the input, from layer DEPTH down to layer 1."""
    return float((signal[0] / signal[-1]) ** (1 / (DEPTH - 1)))


predicted = float(np.sqrt(np.pi / (np.pi - 1)))
for name, signal in signals.items():
    print(f"{name:32s} ‖∂L/∂h_1‖/‖∂L/∂h_{DEPTH}‖ = {signal[0] / signal[-1]:.3g}, per layer {per_layer(signal):.3f}")
print(f"mean-field estimate for BN → ReLU: {predicted:.3f} per layer, {predicted ** (DEPTH - 1):.3g} over {DEPTH - 1} layers")

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
layers = np.arange(1, DEPTH + 1)
for (name, signal), marker in zip(signals.items(), "o^s"):
    ax.semilogy(layers, signal / signal[-1], marker=marker, markersize=4, linestyle="-", label=name)
ax.semilogy(layers, predicted ** (DEPTH - layers), color="black", linestyle="--", label="√(π/(π − 1)) per layer")
ax.set_title(f"Backward signal, {DEPTH} × Conv2D 3×3 → norm → ReLU, {CHANNELS} channels, no skips")
ax.set_xlabel("conv layer l (1 = next to the input)")
ax.set_ylabel(f"backward signal ‖∂loss/∂h_l‖ / ‖∂loss/∂h_{DEPTH}‖ (log scale)")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()

# %%
results = {
    "predicted_factor": predicted,
    "bn_signal_ratio": float(signals["BN, batch 16"][0] / signals["BN, batch 16"][-1]),
    "bn_factor": per_layer(signals["BN, batch 16"]),
    "bn_batch2_signal_ratio": float(signals["BN, batch 2"][0] / signals["BN, batch 2"][-1]),
    "bn_batch2_factor": per_layer(signals["BN, batch 2"]),
    "plain_signal_ratio": float(signals["no normalisation (He), batch 16"][0] / signals["no normalisation (He), batch 16"][-1]),
    "plain_factor": per_layer(signals["no normalisation (He), batch 16"]),
}
print(results)
