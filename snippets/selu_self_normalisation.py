"""
Title: SELU keeps activations normalised through depth
Description: Per-layer mean and variance of the activations of a 30-layer SELU network with LeCun normal weights, from standard and from shifted inputs.
Accelerator: None
"""

# %% [markdown]
# SELU is λ·x for x > 0 and λ·α·(eˣ − 1) otherwise. Klambauer et al. (2017) chose α and λ so
# that, with weights of variance 1/fan_in, the map from one layer's (mean, variance) to the
# next has the fixed point (0, 1). First, read both constants back from Keras.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

PAPER_ALPHA = 1.6732632423543772  # Klambauer et al. (2017), eq. 14
PAPER_LAMBDA = 1.0507009873554805

# selu(1) = λ, and selu(x) → −λα as x → −∞ (e⁻⁴⁰ is below float64 resolution).
keras_lambda = float(ops.selu(np.float64(1.0)))
keras_alpha = float(-ops.selu(np.float64(-40.0))) / keras_lambda
print(f"Keras: α = {keras_alpha:.10f}, λ = {keras_lambda:.10f}")

# %% [markdown]
# Thirty Dense + SELU layers of 64 units with LeCun normal kernels and zero biases. We
# follow the activations of one batch of standard-normal inputs, and of a batch whose
# mean is 1 and variance 4, to see both pulled to (0, 1).

# %%
DEPTH, WIDTH, BATCH = 30, 64, 256
rng = np.random.default_rng(SEED)
inputs = {
    "inputs N(0, 1)": rng.standard_normal((BATCH, WIDTH)).astype("float32"),
    "inputs N(1, 4)": (1.0 + 2.0 * rng.standard_normal((BATCH, WIDTH))).astype("float32"),
}
model = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="selu", kernel_initializer="lecun_normal") for _ in range(DEPTH)]
)
probe = keras.Model(model.inputs[0], [layer.output for layer in model.layers])

stats = {}
for name, batch in inputs.items():
    activations = [np.asarray(a) for a in probe(batch)]
    stats[name] = (np.array([a.mean() for a in activations]), np.array([a.var() for a in activations]))
    print(f"{name}: layer {DEPTH} mean {stats[name][0][-1]:+.3f}, variance {stats[name][1][-1]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
layers = np.arange(1, DEPTH + 1)
for (name, (mean, var)), color in zip(stats.items(), ["tab:blue", "tab:orange"]):
    ax.plot(layers, mean, color=color, linestyle="--", marker=".", label=f"mean, {name}")
    ax.plot(layers, var, color=color, marker="o", markersize=3, label=f"variance, {name}")
ax.axhline(0.0, color="grey", linewidth=0.8)
ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
ax.set_xlabel("layer")
ax.set_ylabel("activation mean / variance")
ax.set_title("SELU + LeCun normal, 30 layers of 64 units")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)

# %%
standard_mean, standard_var = stats["inputs N(0, 1)"]
shifted_mean, shifted_var = stats["inputs N(1, 4)"]
results = {
    "keras_alpha": keras_alpha,
    "keras_lambda": keras_lambda,
    "alpha_error": abs(keras_alpha - PAPER_ALPHA),
    "lambda_error": abs(keras_lambda - PAPER_LAMBDA),
    "lambda_alpha": keras_lambda * keras_alpha,
    "last_mean": float(standard_mean[-1]),
    "last_variance": float(standard_var[-1]),
    "max_abs_mean": float(np.abs(standard_mean).max()),
    "min_variance": float(standard_var.min()),
    "max_variance": float(standard_var.max()),
    "shifted_input_mean": float(inputs["inputs N(1, 4)"].mean()),
    "shifted_input_variance": float(inputs["inputs N(1, 4)"].var()),
    "shifted_last_mean": float(shifted_mean[-1]),
    "shifted_last_variance": float(shifted_var[-1]),
}
print(results)
