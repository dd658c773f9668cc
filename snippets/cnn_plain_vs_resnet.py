"""
Title: A plain BatchNorm conv stack against ResNet basic blocks, with the last γ of each block at 1 or 0
Description: Backward signal ‖∂loss/∂s_l‖ and stream rms per block for a plain stack of 20 Conv2D + BatchNormalization + ReLU layers and for 10 ResNet basic blocks (20 conv layers) with the last BatchNormalization γ initialised to 1 and to 0, 16 channels on 16×16×3 images, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Three networks of the same depth on a batch of 16 random 16×16×3 images. Each starts with a stem,
# `Conv2D(16, 3)` → `BatchNormalization` → ReLU, and ends with global average pooling and a
# logistic unit. Between them:
#
# * **plain**: 20 × (`Conv2D` 3×3 → `BatchNormalization` → ReLU), no skips (the "plain" baseline of
#   He et al. 2016a);
# * **ResNet, γ = 1**: 10 basic blocks, h_l = relu(s_l) with s_l = h_{l−1} + BN₂(conv₂(relu(BN₁(conv₁(h_{l−1}))))),
#   the original order of He et al. (2016a), with Keras's default `gamma_initializer="ones"`;
# * **ResNet, γ = 0**: the same with `gamma_initializer="zeros"` on BN₂, the last BatchNormalization
#   of each block (Goyal et al. 2017).
#
# Conv kernels are `he_normal` without bias (Keras's Conv2D default is `glorot_uniform` with a bias;
# a bias before BatchNormalization is cancelled by its mean subtraction, and BN's output does not
# depend on the kernel's scale). `probe_layers` (in `gradbook/signal_probe.py`) reads, in training
# mode, the backward signal ‖∂loss/∂s_l‖ and the rms of s_l at the sum before each block's final
# ReLU; for the plain network s_l is the pre-activation (BN output) of every second layer, so both
# networks are read at the same depth. It also reads the kernel gradient of each block's first conv.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, CHANNELS, SIZE, BATCH = 10, 16, 16, 16

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, SIZE, SIZE, 3)).astype("float32")
y = rng.integers(0, 2, (BATCH, 1)).astype("float32")


def conv():
    return keras.layers.Conv2D(CHANNELS, 3, padding="same", use_bias=False, kernel_initializer="he_normal")


def build(kind):
    """Returns the model, the layers whose outputs are the sums s_l, and each block's first conv."""
    inputs = keras.Input((SIZE, SIZE, 3))
    h = keras.layers.ReLU()(keras.layers.BatchNormalization()(conv()(inputs)))
    sums, first_convs = [], []
    for _ in range(BLOCKS):
        first_convs.append(conv())
        branch = keras.layers.ReLU()(keras.layers.BatchNormalization()(first_convs[-1](h)))
        gamma = "zeros" if kind == "ResNet, γ = 0" else "ones"
        sums.append(keras.layers.BatchNormalization(gamma_initializer=gamma))
        branch = sums[-1](conv()(branch))
        if kind != "plain":
            sums[-1] = keras.layers.Add()
            branch = sums[-1]([h, branch])
        h = keras.layers.ReLU()(branch)
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling2D()(h))
    return keras.Model(inputs, outputs), sums, first_convs


KINDS = ("plain", "ResNet, γ = 1", "ResNet, γ = 0")
probes = {}
for kind in KINDS:
    model, sums, first_convs = build(kind)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=sums + first_convs)
    probes[kind] = {
        "signal": probe.backward_signal[:BLOCKS],
        "rms": probe.activation_rms[:BLOCKS],
        "kernel": probe.kernel_gradient[BLOCKS:],
    }
    print(f"{kind:14s} ‖∂L/∂s_1‖/‖∂L/∂s_{BLOCKS}‖ = {probe.backward_signal[0] / probe.backward_signal[BLOCKS - 1]:.3g};"
          f" rms of s_l: block 1 {probe.activation_rms[0]:.3f}, block {BLOCKS} {probe.activation_rms[BLOCKS - 1]:.3f}")

# %% [markdown]
# What to expect. In the plain stack each `Conv → BN → ReLU` multiplies the squared backward signal
# by about E[relu′(y)²]/Var relu(y) = π/(π − 1) (the BatchNorm estimate derived on the
# [normalisation page](../remedies/normalisation.md)): √(π/(π − 1)) ≈ 1.21 per layer, two layers
# per block. With γ = 0 the branch's output is exactly β = 0, so s_l = h_{l−1}: every block is the
# identity, the network is as shallow as its stem, and the gradient reaches the stem through the
# skips only. With γ = 1 each branch adds a unit-variance term to the stream, so E[s_l²] grows by
# about 1 per block, and a branch's Jacobian, relative to the stream, shrinks like 1/rms(s).

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
blocks = np.arange(1, BLOCKS + 1)
for (kind, run), marker in zip(probes.items(), "o^s"):
    axes[0].semilogy(blocks, run["signal"], marker=marker, label=kind)
    axes[1].semilogy(blocks, run["rms"], marker=marker, label=kind)
axes[0].set_title("Backward signal at each block's sum (20 conv layers)")
axes[0].set_ylabel("backward signal ‖∂loss/∂s_l‖ (log scale)")
axes[1].set_title("Forward: rms of the stream s_l")
axes[1].set_ylabel("rms of s_l over batch, pixels, channels (log scale)")
for ax in axes:
    ax.set_xlabel("block l (two conv layers each; 1 = next to the stem)")
    ax.set_xticks(blocks)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.tight_layout()

# %%
def ratio(kind, key):
    values = probes[kind][key]
    return float(values[0] / values[-1])


def per_layer(kind):
    """Per conv layer: the signal ratio over the 9 blocks (18 conv layers) from s_10 down to s_1."""
    return ratio(kind, "signal") ** (1 / (2 * (BLOCKS - 1)))


results = {
    "plain_signal_ratio": ratio("plain", "signal"),
    "plain_signal_factor": per_layer("plain"),
    "predicted_factor": float(np.sqrt(np.pi / (np.pi - 1))),
    "gamma1_signal_ratio": ratio("ResNet, γ = 1", "signal"),
    "gamma0_signal_ratio": ratio("ResNet, γ = 0", "signal"),
    "plain_kernel_ratio": ratio("plain", "kernel"),
    "gamma1_kernel_ratio": ratio("ResNet, γ = 1", "kernel"),
    # With γ = 0 nothing flows into a branch: every branch kernel's gradient is exactly 0 at the start.
    "gamma0_branch_kernel_gradient_max": float(np.max(probes["ResNet, γ = 0"]["kernel"])),
    "plain_rms_first": float(probes["plain"]["rms"][0]),
    "plain_rms_last": float(probes["plain"]["rms"][-1]),
    "gamma1_rms_first": float(probes["ResNet, γ = 1"]["rms"][0]),
    "gamma1_rms_last": float(probes["ResNet, γ = 1"]["rms"][-1]),
    "gamma0_rms_first": float(probes["ResNet, γ = 0"]["rms"][0]),
    "gamma0_rms_last": float(probes["ResNet, γ = 0"]["rms"][-1]),
}
print(results)
