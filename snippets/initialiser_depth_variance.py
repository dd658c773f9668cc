"""
Title: Activation second moment through 20 layers, per initialiser
Description: Mean squared activation and backward-signal norm of each of 20 layers of 256 units for tanh with Glorot, LeCun and orthogonal kernels, ReLU with He, and ReLU with Glorot, on log scales.
Accelerator: None
"""

# %% [markdown]
# An initialiser is right for an activation when the signal's size neither grows nor shrinks
# from layer to layer. We push one batch of standard-normal inputs through 20 Dense layers
# of 256 units (fan_in = fan_out, zero biases) and a linear readout, and record after every
# layer the mean squared activation E[h²] and, from one backward pass of a mean squared error
# against random targets, the backward signal ‖∂loss/∂h_l‖. Both come from `probe_layers` in
# `gradbook/signal_probe.py`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 20, 256, 256
CONFIGS = {  # key: (label, activation, kernel initialiser)
    "tanh_glorot": ("tanh + Glorot uniform", "tanh", "glorot_uniform"),
    "tanh_lecun": ("tanh + LeCun normal", "tanh", "lecun_normal"),
    "tanh_orthogonal": ("tanh + orthogonal", "tanh", "orthogonal"),
    "relu_he": ("ReLU + He normal", "relu", "he_normal"),
    "relu_glorot": ("ReLU + Glorot uniform", "relu", "glorot_uniform"),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
targets = rng.standard_normal((BATCH, 1)).astype("float32")


def measure(activation, initializer):
    model = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(DEPTH)]
        + [keras.layers.Dense(1)]
    )
    probe = probe_layers(model, x, targets, keras.losses.MeanSquaredError())
    return probe.activation_rms**2, probe.backward_signal


measured = {key: measure(act, init) for key, (_, act, init) in CONFIGS.items()}
moments = {key: m for key, (m, _) in measured.items()}
signals = {key: s for key, (_, s) in measured.items()}
for key, m in moments.items():
    print(f"{CONFIGS[key][0]:24s} E[h²] layer 1 {m[0]:.3e}   layer {DEPTH} {m[-1]:.3e}"
          f"   ‖∂loss/∂h₁‖ / ‖∂loss/∂h₂₀‖ {signals[key][0] / signals[key][-1]:.3e}")

# %% [markdown]
# He et al. (2015) predict the ReLU + Glorot curve: with Var(w) = 1/fan_in, each layer's
# pre-activation variance is fan_in · Var(w) · E[h²] = E[h²], and ReLU keeps half of it.

# %% [markdown]
# For tanh, the same bookkeeping gives the mean-field recursion q ← E[tanh(√q·z)²] with
# z ~ N(0, 1) (Poole et al. 2016), starting from the inputs' q = 1. We evaluate it by
# Gauss–Hermite quadrature: it shrinks like 1/(2·layer), slowly, not geometrically.

# %% [markdown]
# Backward, the same bookkeeping gives the factor χ_l = E[tanh′(z_l)²] per layer (n · Var(w) = 1;
# Schoenholz et al. 2017), with z_l ~ N(0, q) for the q that layer receives. It is below 1 wherever
# q is not small, so the backward signal is damped most in the first layers.

# %%
nodes, weights = np.polynomial.hermite_e.hermegauss(80)
weights = weights / weights.sum()
tanh_theory, tanh_chi, q = [], [], 1.0
for _ in range(DEPTH):
    tanh_chi.append(float(np.sum(weights * (1 - np.tanh(np.sqrt(q) * nodes) ** 2) ** 2)))
    q = float(np.sum(weights * np.tanh(np.sqrt(q) * nodes) ** 2))
    tanh_theory.append(q)
tanh_theory = np.array(tanh_theory)
# From layer 20's output back to layer 1's the signal crosses layers 2 … 20.
tanh_theory_signal_ratio = float(np.sqrt(np.prod(tanh_chi[1:])))
print(f"tanh mean-field: ‖∂loss/∂h₁‖ / ‖∂loss/∂h₂₀‖ = {tanh_theory_signal_ratio:.3f}")

# %%
layers = np.arange(1, DEPTH + 1)
halving = moments["relu_glorot"][0] * 0.5 ** (layers - 1)
fig, (forward_ax, backward_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
for (key, m), marker in zip(moments.items(), "os^Dv"):
    forward_ax.semilogy(layers, m, marker=marker, markersize=4, label=CONFIGS[key][0])
    backward_ax.semilogy(layers, signals[key] / signals[key][-1], marker=marker, markersize=4, label=CONFIGS[key][0])
forward_ax.semilogy(layers, halving, color="grey", linestyle=":", label="halving per layer (He et al. 2015)")
forward_ax.semilogy(layers, tanh_theory, color="black", linestyle="--", linewidth=1, label="tanh mean-field recursion")
backward_ax.semilogy(layers, 0.5 ** ((DEPTH - layers) / 2), color="grey", linestyle=":", label="√½ per layer")
forward_ax.set_ylabel("mean squared activation E[h²] (log scale)")
forward_ax.set_title("Forward: signal size")
backward_ax.set_ylabel("‖∂loss/∂h_l‖ / ‖∂loss/∂h₂₀‖ (log scale)")
backward_ax.set_title("Backward signal, relative to layer 20")
for ax in (forward_ax, backward_ax):
    ax.set_xlabel("layer")
    ax.set_xticks(range(2, DEPTH + 1, 2))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
fig.suptitle(f"Signal size through {DEPTH} layers of {WIDTH} units")
fig.tight_layout()

# %%
results = {}
for key, m in moments.items():
    results[f"{key}_first"] = float(m[0])
    results[f"{key}_last"] = float(m[-1])
    results[f"{key}_last_over_first"] = float(m[-1] / m[0])
results["tanh_theory_last"] = float(tanh_theory[-1])
# geometric mean of the layer-to-layer factor
results["relu_glorot_factor_per_layer"] = float((m := moments["relu_glorot"])[-1] / m[0]) ** (1 / (DEPTH - 1))
for key, s in signals.items():
    results[f"{key}_signal_ratio"] = float(s[0] / s[-1])
results["tanh_theory_signal_ratio"] = tanh_theory_signal_ratio
print(results)
