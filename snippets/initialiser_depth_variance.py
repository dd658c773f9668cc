"""
Title: Activation second moment through 20 layers, per initialiser
Description: Mean squared activation of each of 20 layers of 256 units for tanh with Glorot, LeCun and orthogonal kernels, ReLU with He, and ReLU with Glorot, on a log scale.
Accelerator: None
"""

# %% [markdown]
# An initialiser is right for an activation when the signal's size neither grows nor shrinks
# from layer to layer. We push one batch of standard-normal inputs through 20 Dense layers
# of 256 units (fan_in = fan_out, zero biases) and record the mean squared activation
# E[h²] after every layer.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

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


def second_moments(activation, initializer):
    model = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(DEPTH)]
    )
    probe = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
    return np.array([float(np.mean(np.square(h))) for h in probe(x)])


moments = {key: second_moments(act, init) for key, (_, act, init) in CONFIGS.items()}
for key, m in moments.items():
    print(f"{CONFIGS[key][0]:24s} E[h²] layer 1 {m[0]:.3e}   layer {DEPTH} {m[-1]:.3e}")

# %% [markdown]
# He et al. (2015) predict the ReLU + Glorot curve: with Var(w) = 1/fan_in, each layer's
# pre-activation variance is fan_in · Var(w) · E[h²] = E[h²], and ReLU keeps half of it.

# %% [markdown]
# For tanh, the same bookkeeping gives the mean-field recursion q ← E[tanh(√q·z)²] with
# z ~ N(0, 1) (Poole et al. 2016), starting from the inputs' q = 1. We evaluate it by
# Gauss–Hermite quadrature: it shrinks like 1/(2·layer), slowly, not geometrically.

# %%
nodes, weights = np.polynomial.hermite_e.hermegauss(80)
weights = weights / weights.sum()
tanh_theory, q = [], 1.0
for _ in range(DEPTH):
    q = float(np.sum(weights * np.tanh(np.sqrt(q) * nodes) ** 2))
    tanh_theory.append(q)
tanh_theory = np.array(tanh_theory)

# %%
layers = np.arange(1, DEPTH + 1)
halving = moments["relu_glorot"][0] * 0.5 ** (layers - 1)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (key, m), marker in zip(moments.items(), "os^Dv"):
    ax.semilogy(layers, m, marker=marker, markersize=4, label=CONFIGS[key][0])
ax.semilogy(layers, halving, color="grey", linestyle=":", label="halving per layer (He et al. 2015)")
ax.semilogy(layers, tanh_theory, color="black", linestyle="--", linewidth=1, label="tanh mean-field recursion")
ax.set_xlabel("layer")
ax.set_ylabel("mean squared activation E[h²] (log scale)")
ax.set_xticks(range(2, DEPTH + 1, 2))
ax.set_title(f"Signal size through {DEPTH} layers of {WIDTH} units")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")

# %%
results = {}
for key, m in moments.items():
    results[f"{key}_first"] = float(m[0])
    results[f"{key}_last"] = float(m[-1])
    results[f"{key}_last_over_first"] = float(m[-1] / m[0])
results["tanh_theory_last"] = float(tanh_theory[-1])
# geometric mean of the layer-to-layer factor
results["relu_glorot_factor_per_layer"] = float((m := moments["relu_glorot"])[-1] / m[0]) ** (1 / (DEPTH - 1))
print(results)
