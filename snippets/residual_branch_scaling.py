"""
Title: Unscaled ReLU residual branches make the signal grow with depth
Description: Backward signal ‖∂loss/∂h_l‖ and activation scale per block of a 32-block ReLU residual network of width 128, with the branch unscaled (α = 1) and scaled by α = 1/√32, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Thirty-two residual blocks h_l = h_{l−1} + α · W_l relu(h_{l−1}) of width 128, the branch a
# ReLU followed by a He-normal Dense layer without bias (the "pre-activation" order of He et al.
# 2016b, without normalisation). One network with α = 1, as in a plain residual network; one with
# α = 1/√L, the branch scaling that keeps the sum bounded. One batch, one backward pass in training
# mode; `probe_layers` (in `gradbook/signal_probe.py`) reads ‖∂loss/∂h_l‖ and the rms of h_l at
# every block's output.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, BATCH = 32, 128, 128

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH)).astype("float32")[:, None]  # a linear target; MSE loss


def build(alpha):
    """Returns the model and the Add layers, whose outputs are the stream h_l."""
    inputs = keras.Input((WIDTH,))
    h, adds = inputs, []
    for _ in range(BLOCKS):
        branch = keras.layers.Activation("relu")(h)
        branch = keras.layers.Dense(WIDTH, kernel_initializer="he_normal", use_bias=False)(branch)
        branch = keras.layers.Rescaling(alpha)(branch)
        adds.append(keras.layers.Add())
        h = adds[-1]([h, branch])
    return keras.Model(inputs, keras.layers.Dense(1)(h)), adds


ALPHAS = {"α = 1 (unscaled)": 1.0, f"α = 1/√{BLOCKS}": 1 / np.sqrt(BLOCKS)}
probes = {}
for name, alpha in ALPHAS.items():
    model, adds = build(alpha)
    probes[name] = probe_layers(model, x, y, keras.losses.MeanSquaredError(), layers=adds)

# %% [markdown]
# What to expect. With q = E[h_i²], the branch W relu(h) has E[(W relu(h))_i²] = n · (2/n) · q/2 = q
# for He weights and a symmetric h, and it is uncorrelated with h (W has zero mean). So q grows by
# (1 + α²) per block: 2 per block unscaled, 1 + 1/L with α = 1/√L, a total of (1 + 1/L)^L ≈ e. The
# backward pass multiplies by (I + α J_l)ᵀ with J_l = W diag(relu′); the same count gives a squared
# norm that grows by (1 + α²) per block toward the input.

# %%
def per_block_factor(values):
    """Geometric mean of the growth per block, between block 1 and block BLOCKS."""
    return float((values[-1] / values[0]) ** (1 / (BLOCKS - 1)))


for name, alpha in ALPHAS.items():
    probe = probes[name]
    print(f"{name:16s} activation rms block 1 {probe.activation_rms[0]:.3g}, block {BLOCKS} "
          f"{probe.activation_rms[-1]:.3g}; ‖∂L/∂h_1‖/‖∂L/∂h_{BLOCKS}‖ "
          f"{probe.backward_signal[0] / probe.backward_signal[-1]:.3g}; predicted per-block factor "
          f"√(1 + α²) = {np.sqrt(1 + alpha ** 2):.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
blocks = range(1, BLOCKS + 1)
for (name, probe), marker in zip(probes.items(), "os"):
    axes[0].semilogy(blocks, probe.backward_signal, marker=marker, markersize=4, label=name)
    axes[1].semilogy(blocks, probe.activation_rms, marker=marker, markersize=4, label=name)
axes[0].set_title(f"Backward signal per block, {BLOCKS} ReLU residual blocks")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_title("Forward signal: activation scale per block")
axes[1].set_ylabel("rms of h_l over the batch (log scale)")
for ax in axes:
    ax.set_xlabel("block l (1 = next to the input)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.tight_layout()

# %%
unscaled, scaled = (probes[name] for name in ALPHAS)
results = {
    "unscaled_rms_factor": per_block_factor(unscaled.activation_rms),
    "scaled_rms_factor": per_block_factor(scaled.activation_rms),
    "unscaled_signal_factor": per_block_factor(unscaled.backward_signal[::-1]),
    "scaled_signal_factor": per_block_factor(scaled.backward_signal[::-1]),
    "unscaled_rms_growth": float(unscaled.activation_rms[-1] / unscaled.activation_rms[0]),
    "scaled_rms_growth": float(scaled.activation_rms[-1] / scaled.activation_rms[0]),
    "unscaled_signal_ratio": float(unscaled.backward_signal[0] / unscaled.backward_signal[-1]),
    "scaled_signal_ratio": float(scaled.backward_signal[0] / scaled.backward_signal[-1]),
    "scale": float(1 / np.sqrt(BLOCKS)),
}
print(results)
