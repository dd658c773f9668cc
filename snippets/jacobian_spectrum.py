"""
Title: The singular values of a deep network's input–output Jacobian
Description: Sorted singular values of the input–output Jacobian of six 24-layer networks of width 128 (linear, tanh at criticality and ReLU with He scale, each with orthogonal and Gaussian kernels) on a log scale, and the isometry gap ln(mean σ²) − mean(ln σ²) against depth with its mean-field prediction.
Accelerator: None
"""

# %% [markdown]
# Six stacks of 24 `Dense` layers of width 128, built in float64 so that round-off does not hide
# the smallest singular values. For each, the input–output Jacobian J = ∂h_24/∂x at one input is
# computed by Keras' autodiff, and its singular values by `np.linalg.svd`. The tanh networks sit
# on the critical line of mean-field theory (Poole et al. 2016) at a small fixed point q* = 1/64:
# σ_w² = 1/E[tanh′(h)²] and σ_b² = q* − σ_w² E[tanh(h)²] with h ~ N(0, q*), so the mean squared
# singular value χ^L is 1, as it is for the linear networks (σ_w = 1) and for ReLU with He's
# σ_w² = 2. What differs is how the singular values spread around that mean (Pennington,
# Schoenholz & Ganguli 2017).

# %%
import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

WIDTH, DEPTH, Q_STAR = 128, 24, 1 / 64

# Gauss–Hermite quadrature for expectations over h ~ N(0, q*).
nodes, weights = np.polynomial.hermite_e.hermegauss(101)
weights = weights / weights.sum()
h_star = math.sqrt(Q_STAR) * nodes
tanh_sw2 = 1 / np.sum(weights * (1 - np.tanh(h_star) ** 2) ** 2)
tanh_sb2 = Q_STAR - tanh_sw2 * np.sum(weights * np.tanh(h_star) ** 2)
print(f"critical tanh at q* = 1/64: sigma_w^2 = {tanh_sw2:.4f}, sigma_b^2 = {tanh_sb2:.2e}")


# Each layer gets a fresh initialiser: a Keras 3 initialiser instance created without a seed draws
# one seed when it is created, so reusing it would give every layer the same kernel.
def gaussian(sw2):
    return lambda: keras.initializers.RandomNormal(stddev=math.sqrt(sw2 / WIDTH))


def orthogonal(sw2):
    return lambda: keras.initializers.Orthogonal(gain=math.sqrt(sw2))


NETWORKS = {  # name: (activation, kernel initialiser factory, σ_b²)
    "linear, orthogonal": (None, orthogonal(1.0), 0.0),
    "linear, Gaussian": (None, gaussian(1.0), 0.0),
    "tanh, orthogonal": ("tanh", orthogonal(tanh_sw2), tanh_sb2),
    "tanh, Gaussian": ("tanh", gaussian(tanh_sw2), tanh_sb2),
    "ReLU, orthogonal (He scale)": ("relu", orthogonal(2.0), 0.0),
    "ReLU, Gaussian (He scale)": ("relu", gaussian(2.0), 0.0),
}

# %% [markdown]
# Keras computes J: feeding WIDTH copies of x and differentiating Σᵢ y[i, i] gives row i of J in
# row i of the input gradient, one backward pass for the whole matrix. The chain rule also gives
# J = D_L W_Lᵀ ⋯ D_1 W_1ᵀ with D_l = diag(φ′(z_l)), which yields the Jacobian of every depth l from
# the same forward pass; the two agree at depth 24. Because det J = Πₗ det(D_l) det(W_l), the mean
# of ln σ² is exact from log-determinants even where the smallest singular values are too small to
# resolve.

# %%
rng = np.random.default_rng(SEED)
z = rng.standard_normal(WIDTH)


def jacobian_spectrum(activation, new_kernel_initializer, sb2):
    inputs = keras.Input((WIDTH,), dtype="float64")
    dense, h = [], inputs
    for _ in range(DEPTH):
        dense.append(keras.layers.Dense(
            WIDTH, activation=activation, kernel_initializer=new_kernel_initializer(),
            bias_initializer=keras.initializers.RandomNormal(stddev=math.sqrt(sb2)) if sb2 else "zeros",
            dtype="float64"))
        h = dense[-1](h)
    model = keras.Model(inputs, [layer.output for layer in dense])
    # tanh networks get an input whose pre-activations sit at the fixed point q*.
    x = np.tanh(math.sqrt(Q_STAR) * z) if activation == "tanh" else z
    copies = tf.constant(np.tile(x, (WIDTH, 1)))
    with tf.GradientTape() as tape:
        tape.watch(copies)
        outputs = model(copies)
        diagonal = tf.reduce_sum(tf.linalg.diag_part(outputs[-1]))
    keras_jacobian = tape.gradient(diagonal, copies).numpy()

    jacobian, gap, mean_log_sq = np.eye(WIDTH), [], 0.0
    for layer, h_l in zip(dense, outputs):
        post = h_l.numpy()[0]
        derivative = {None: np.ones(WIDTH), "tanh": 1 - post**2, "relu": (post > 0) * 1.0}[activation]
        kernel = layer.kernel.numpy()
        jacobian = (derivative[:, None] * kernel.T) @ jacobian
        with np.errstate(divide="ignore"):
            mean_log_sq += 2 * (np.sum(np.log(np.abs(derivative))) + np.linalg.slogdet(kernel)[1]) / WIDTH
        gap.append(math.log(np.mean(jacobian**2) * WIDTH) - mean_log_sq)
    singular = np.linalg.svd(jacobian, compute_uv=False)
    return {
        "singular": singular,
        "gap": np.array(gap),
        "mean_log_sq": mean_log_sq,
        "keras_vs_chain_rule": float(np.linalg.norm(keras_jacobian - jacobian) / np.linalg.norm(jacobian)),
        "zero_derivatives": float(np.mean([np.mean(h.numpy()[0] <= 0) for h in outputs])),
    }


runs = {name: jacobian_spectrum(*spec) for name, spec in NETWORKS.items()}
for name, run in runs.items():
    s = run["singular"]
    print(f"{name:28s} mean sigma^2 {np.mean(s**2):.3f}  gap {run['gap'][-1]:.4g}  "
          f"sigma max {s.max():.3g} median {np.median(s):.3g} min {s.min():.3g}")

# %% [markdown]
# The mean-field prediction of the gap: each layer adds ln E[φ′²] − E[ln φ′²] from its derivatives
# (zero for a linear layer) and, for a square Gaussian kernel, δ = −E[ln det(WᵀW)]/n from its
# Marchenko–Pastur spectrum (≈ 1, exactly from the Wishart log-determinant); an orthogonal kernel
# adds nothing. For ReLU, half the derivatives are exactly zero: the gap is infinite.

# %%
def digamma_half(k):  # ψ(k/2) for a positive integer k, from ψ(1) = −γ, ψ(½) = −γ − 2 ln 2
    if k % 2 == 0:
        return -np.euler_gamma + sum(1 / j for j in range(1, k // 2))
    return -np.euler_gamma - 2 * math.log(2) + sum(2 / (2 * j - 1) for j in range(1, (k - 1) // 2 + 1))


wishart_gap = math.log(WIDTH / 2) - sum(digamma_half(k) for k in range(1, WIDTH + 1)) / WIDTH
log_derivative_sq = np.log((1 - np.tanh(h_star) ** 2) ** 2)
tanh_gap = math.log(np.sum(weights * np.exp(log_derivative_sq))) - np.sum(weights * log_derivative_sq)
predicted_gap = {"linear, Gaussian": wishart_gap, "tanh, orthogonal": tanh_gap, "tanh, Gaussian": wishart_gap + tanh_gap}

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
styles = dict(zip(NETWORKS, [("k", "-"), ("k", "--"), ("C0", "-"), ("C0", "--"), ("C3", "-"), ("C3", "--")]))
floor = 1e-17
for name, run in runs.items():
    rank = np.arange(1, WIDTH + 1) / WIDTH
    color, line = styles[name]
    axes[0].semilogy(rank, np.maximum(run["singular"], floor), color=color, linestyle=line, label=name)
axes[0].axhspan(floor / 3, 1e-13, color="0.85", zorder=0, label="below float64 round-off")
axes[0].set_ylim(floor / 3, 1e3)
axes[0].set_title(f"Singular values of ∂h_{DEPTH}/∂x, {DEPTH} layers of {WIDTH}")
axes[0].set_xlabel("rank of the singular value / width (largest first)")
axes[0].set_ylabel("singular value σ (log scale; zeros drawn at 1e-17)")
depth = np.arange(1, DEPTH + 1)
for name, gap_per_layer in predicted_gap.items():
    color, line = styles[name]
    axes[1].semilogy(depth, runs[name]["gap"], color=color, linestyle=line, marker="o", ms=3, label=f"{name}: measured")
    axes[1].semilogy(depth, depth * gap_per_layer, color=color, linestyle=":", lw=2, label=f"{name}: mean field")
axes[1].set_title("Isometry gap of the Jacobian of the first l layers")
axes[1].set_xlabel("depth l")
axes[1].set_ylabel("ln mean(σ²) − mean(ln σ²)  (log scale)")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()

# %%
keys = {"linear, orthogonal": "linear_orthogonal", "linear, Gaussian": "linear_gaussian",
        "tanh, orthogonal": "tanh_orthogonal", "tanh, Gaussian": "tanh_gaussian",
        "ReLU, orthogonal (He scale)": "relu_orthogonal", "ReLU, Gaussian (He scale)": "relu_gaussian"}
results = {"tanh_sigma_w2": float(tanh_sw2), "tanh_sigma_b2": float(tanh_sb2)}
for name, key in keys.items():
    s, run = runs[name]["singular"], runs[name]
    results[f"{key}_mean_sq"] = float(np.mean(s**2))
    results[f"{key}_max"] = float(s.max())
    results[f"{key}_keras_vs_chain_rule"] = run["keras_vs_chain_rule"]
    if np.isfinite(run["gap"][-1]):  # ReLU: ln det J = −∞
        results[f"{key}_gap"] = float(run["gap"][-1])
        results[f"{key}_mean_log_sq"] = float(run["mean_log_sq"])
results["linear_orthogonal_min"] = float(runs["linear, orthogonal"]["singular"].min())
for key, name in (("linear_orthogonal", "linear, orthogonal"), ("tanh_orthogonal", "tanh, orthogonal")):
    s = runs[name]["singular"]
    results[f"{key}_p90_over_p10"] = float(np.percentile(s, 90) / np.percentile(s, 10))
for key, name in (("relu_orthogonal", "ReLU, orthogonal (He scale)"), ("relu_gaussian", "ReLU, Gaussian (He scale)")):
    s = runs[name]["singular"]
    results[f"{key}_zero_fraction"] = float(np.mean(s < 1e-10 * s.max()))
    results[f"{key}_zero_derivatives"] = runs[name]["zero_derivatives"]
results["predicted_gap_gaussian"] = float(DEPTH * wishart_gap)
results["predicted_gap_tanh_orthogonal"] = float(DEPTH * tanh_gap)
results["predicted_gap_tanh_gaussian"] = float(DEPTH * (wishart_gap + tanh_gap))
results["gaussian_over_orthogonal_tanh_gap"] = results["tanh_gaussian_gap"] / results["tanh_orthogonal_gap"]
results["predicted_gap_per_layer_gaussian"] = float(wishart_gap)
results["predicted_gap_per_layer_tanh"] = float(tanh_gap)
print(results)
