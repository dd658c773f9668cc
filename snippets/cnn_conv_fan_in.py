"""
Title: He normal keeps a plain ReLU conv stack's signal, Keras's default glorot_uniform halves its variance per layer
Description: Activation rms and backward signal ‖∂loss/∂h_l‖ per layer of a plain stack of 20 Conv2D 3×3 ReLU layers with 16 channels on 16×16×3 images, with He normal and with glorot_uniform kernels, measured against the mean-field prediction, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Twenty `Conv2D(16, 3, padding="same", activation="relu")` layers, no normalisation, no skips, on a
# batch of 32 random 16×16×3 images, then global average pooling and one logistic unit. Two kernel
# initialisers: `he_normal`, and `glorot_uniform`, which is Conv2D's default in Keras. One forward
# and one backward pass; `probe_layers` (in `gradbook/signal_probe.py`) reads each layer's
# activation rms and backward signal ‖∂loss/∂h_l‖ (h_l = the layer's ReLU output) and kernel gradient.
#
# Keras computes a convolution kernel's fans in `compute_fans`
# (`keras/src/initializers/random_initializers.py`): for a kernel of shape (3, 3, C_in, C_out),
# fan_in = 3·3·C_in and fan_out = 3·3·C_out, the receptive field times the channels.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, CHANNELS, SIZE, BATCH, KERNEL = 20, 16, 16, 8, 3
NETWORKS = 4  # independent initialisations per initialiser: one 16-channel network fluctuates a lot

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, SIZE, SIZE, 3)).astype("float32")
y = rng.integers(0, 2, (BATCH, 1)).astype("float32")


def build(initializer):
    convs = [
        keras.layers.Conv2D(CHANNELS, KERNEL, padding="same", activation="relu", kernel_initializer=initializer)
        for _ in range(DEPTH)
    ]
    head = [keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")]
    return keras.Sequential([keras.Input((SIZE, SIZE, 3)), *convs, *head]), convs


probes = {}
for initializer in ("he_normal", "glorot_uniform"):
    probes[initializer] = []
    for _ in range(NETWORKS):
        model, convs = build(initializer)
        probes[initializer].append(probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=convs))
# Per initialiser, one row per network: the rms of h_l, and ‖∂L/∂h_l‖ relative to the last layer's.
rms = {name: np.array([p.activation_rms for p in runs]) for name, runs in probes.items()}
signal = {name: np.array([p.backward_signal / p.backward_signal[-1] for p in runs]) for name, runs in probes.items()}
kernel = {name: np.array([p.kernel_gradient / p.kernel_gradient[-1] for p in runs]) for name, runs in probes.items()}

# %% [markdown]
# The mean-field prediction. A pre-activation z = Σ w·h sums fan_in = 9·C_in products, so
# Var(z) = Var(w) · C_in · Σ_{3×3 neighbours} E[h²], and the ReLU keeps half of a symmetric z's
# mean square: E[relu(z)²] = Var(z)/2. Away from the border the mean square per layer is multiplied
# by fan_in · Var(w) / 2:
#
# * He normal, Var(w) = 2/fan_in: by 1. (Keras draws a truncated normal and rescales its standard
#   deviation by 1/0.8796 so that the variance is exactly 2/fan_in.)
# * glorot_uniform, Var(w) = limit²/3 = 2/(fan_in + fan_out): by fan_in/(fan_in + fan_out), which is
#   ½ when C_in = C_out (the rms falls by √½ ≈ 0.707 per layer) and 27/171 ≈ 0.16 for the first layer
#   (C_in = 3).
#
# Backward, ∂L/∂h_{l−1} = Wᵀ(∂L/∂h_l ⊙ relu′(z_l)): the squared signal is multiplied by
# fan_out · Var(w) / 2, again 1 for He (C_in = C_out) and ½ for Glorot. With `padding="same"` a border
# pixel has fewer than nine neighbours inside the image, so both passes lose a little at the
# border; the prediction below propagates the mean square pixel by pixel to include that.

# %%
def neighbour_sum(m):
    """Σ over the 3×3 neighbours inside the image (zero padding), for a SIZE×SIZE map."""
    padded = np.pad(m, 1)
    return sum(padded[i : i + SIZE, j : j + SIZE] for i in range(3) for j in range(3))


def predicted(initializer):
    """Mean-field rms of h_l and backward signal norm ratio ‖∂L/∂h_l‖/‖∂L/∂h_DEPTH‖, layers 1..DEPTH."""
    channels_in = [3] + [CHANNELS] * (DEPTH - 1)
    variances = []
    for c_in in channels_in:
        fan_in, fan_out = 9 * c_in, 9 * CHANNELS
        variances.append(2 / fan_in if initializer == "he_normal" else 2 / (fan_in + fan_out))
    mean_square, rms = np.ones((SIZE, SIZE)), []
    for variance, c_in in zip(variances, channels_in):
        mean_square = variance * c_in * neighbour_sum(mean_square) / 2
        rms.append(np.sqrt(mean_square.mean()))
    # Backward from the pooled head: ∂L/∂h_DEPTH is the same at every pixel in expectation.
    signal_square, signal = np.ones((SIZE, SIZE)), [1.0]
    for variance in variances[:0:-1]:  # layers DEPTH … 2 carry the signal down to h_1
        signal_square = variance * CHANNELS * neighbour_sum(signal_square) / 2
        signal.append(np.sqrt(signal_square.mean()))
    return np.array(rms), np.array(signal[::-1])


predictions = {name: predicted(name) for name in probes}


def per_layer(values):
    """Geometric-mean factor per layer from layer 2 to layer DEPTH (the square C_in = C_out layers)."""
    return float((values[-1] / values[1]) ** (1 / (DEPTH - 2)))


def geometric_mean(rows):
    """The networks' geometric mean, layer by layer: the typical network, not pulled by one outlier."""
    return np.exp(np.mean(np.log(rows), axis=0))


for name in probes:
    rms_pred, signal_pred = predictions[name]
    typical_rms, typical_signal = geometric_mean(rms[name]), geometric_mean(signal[name])
    print(f"{name:15s} rms layer 1 {typical_rms[0]:.3g}, layer {DEPTH} {typical_rms[-1]:.3g}"
          f" (mean field {rms_pred[0]:.3g}, {rms_pred[-1]:.3g}); per layer {per_layer(typical_rms):.3f}"
          f" (mean field {per_layer(rms_pred):.3f}); backward signal layer 1 / layer {DEPTH}:"
          f" {typical_signal[0]:.3g} (mean field {signal_pred[0]:.3g})")
    print(f"{'':15s} rms at layer {DEPTH}, each network: {np.array2string(rms[name][:, -1], precision=3)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
layers = np.arange(1, DEPTH + 1)
for name, color in zip(probes, ("tab:blue", "tab:orange")):
    rms_pred, signal_pred = predictions[name]
    for panel, rows, pred in ((axes[0], rms[name], rms_pred), (axes[1], signal[name], signal_pred)):
        panel.semilogy(layers, rows.T, color=color, alpha=0.3, linewidth=1)
        panel.semilogy(layers, geometric_mean(rows), color=color, marker="o", markersize=3,
                       label=f"{name}: geometric mean of {NETWORKS} networks (thin: each)")
        panel.semilogy(layers, pred, color=color, linestyle="--", label=f"{name}: mean-field prediction")
axes[0].set_title(f"Forward: activation rms, {DEPTH} conv 3×3 + ReLU, {CHANNELS} ch.")
axes[0].set_ylabel("rms of h_l (log scale)")
axes[1].set_title("Backward signal, same networks")
axes[1].set_ylabel(f"backward signal ‖∂loss/∂h_l‖ / ‖∂loss/∂h_{DEPTH}‖ (log)")
for ax in axes:
    ax.set_xlabel("conv layer l (1 = next to the input)")
    ax.set_xticks(range(2, DEPTH + 1, 2))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()

# %%
results = {"networks": NETWORKS, "channels": CHANNELS, "depth": DEPTH}
for name, short in (("he_normal", "he"), ("glorot_uniform", "glorot")):
    rms_pred, signal_pred = predictions[name]
    typical_rms, typical_signal = geometric_mean(rms[name]), geometric_mean(signal[name])
    results |= {
        f"{short}_rms_first": float(typical_rms[0]),
        f"{short}_rms_last": float(typical_rms[-1]),
        f"{short}_rms_last_min": float(rms[name][:, -1].min()),
        f"{short}_rms_last_max": float(rms[name][:, -1].max()),
        f"{short}_rms_factor": per_layer(typical_rms),
        f"{short}_rms_factor_predicted": per_layer(rms_pred),
        f"{short}_rms_last_predicted": float(rms_pred[-1]),
        f"{short}_signal_ratio": float(typical_signal[0]),
        f"{short}_signal_ratio_predicted": float(signal_pred[0]),
        f"{short}_kernel_ratio": float(geometric_mean(kernel[name])[0]),
    }
results["he_over_glorot_rms_last"] = results["he_rms_last"] / results["glorot_rms_last"]
print(results)
