"""
Title: Do the initialisers draw the variance they promise?
Description: Empirical variance of Keras-initialised 256-by-128 kernels divided by the variance each scheme prescribes, for Glorot, He, LeCun and orthogonal initialisers.
Accelerator: None
"""

# %% [markdown]
# Every variance-scaling initialiser promises a weight variance that depends only on the
# layer's fan-in and fan-out: Glorot & Bengio (2010) 2 / (fan_in + fan_out), He et al. (2015)
# 2 / fan_in, LeCun et al. (1998) 1 / fan_in. An orthogonal kernel with gain 1 (Saxe et al.
# 2014) has orthonormal columns, so each entry's second moment is 1 / fan_in when
# fan_in ≥ fan_out. We draw one kernel of each kind and compare.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

FAN_IN, FAN_OUT = 256, 128
THEORY = {
    "glorot_uniform": 2 / (FAN_IN + FAN_OUT),
    "glorot_normal": 2 / (FAN_IN + FAN_OUT),
    "he_uniform": 2 / FAN_IN,
    "he_normal": 2 / FAN_IN,
    "lecun_uniform": 1 / FAN_IN,
    "lecun_normal": 1 / FAN_IN,
    "orthogonal": 1 / FAN_IN,
}

# %% [markdown]
# Keras's kernels have shape (fan_in, fan_out). Each initialiser gets its own seed, derived
# from SEED, so the draws are independent.

# %%
ratios = {}
for offset, (name, variance) in enumerate(THEORY.items()):
    initializer = keras.initializers.get({"class_name": name, "config": {"seed": SEED * 100 + offset}})
    kernel = np.asarray(initializer((FAN_IN, FAN_OUT)))
    ratios[name] = float(kernel.var() / variance)
    print(f"{name:15s} empirical / theory = {ratios[name]:.4f}")

sampling_error = float(np.sqrt(2 / (FAN_IN * FAN_OUT)))  # relative std. error of a normal sample variance
print(f"relative sampling error of a variance from {FAN_IN * FAN_OUT} draws: {sampling_error:.4f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
names = list(ratios)
ax.plot([n.replace("_", "\n") for n in names], [ratios[n] for n in names], "o", markersize=9,
        color="tab:blue", label="empirical / prescribed")
ax.axhspan(1 - 3 * sampling_error, 1 + 3 * sampling_error, color="tab:green", alpha=0.25,
           label="1 ± 3 sampling errors")
ax.axhline(1.0, color="black", linewidth=1, label="theory")
for bound in (0.9, 1.1):
    ax.axhline(bound, color="tab:red", linestyle="--", linewidth=1, label="±10 %" if bound < 1 else None)
ax.set_ylim(0.85, 1.15)
ax.set_ylabel("empirical variance / prescribed variance")
ax.set_title(f"Kernel variance of {FAN_IN} × {FAN_OUT} kernels, relative to theory")
ax.legend()
ax.grid(alpha=0.3, axis="y")

# %%
results = {f"{name}_ratio": ratio for name, ratio in ratios.items()}
results["sampling_error"] = sampling_error
results["worst_deviation"] = max(abs(r - 1) for r in ratios.values())
print(results)
