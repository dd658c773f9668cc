"""
Title: SELU keeps activations normalised through depth
Description: Per-layer mean and variance of the activations of a 30-layer SELU network with LeCun normal weights, from standard and from shifted inputs, and the backward signal per layer against χ = E[selu′(h)²].
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
import tensorflow as tf
from keras import ops

from gradbook.signal_probe import probe_layers

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

# %% [markdown]
# Theorem 1 is about the *forward* statistics of an infinitely wide network. The backward pass
# multiplies the squared backward signal, per layer, by χ = n·Var(w)·E[selu′(h)²] with h ~ N(0, 1)
# at the fixed point; n·Var(w) = 1 for LeCun normal. selu′ is λ for h > 0 and λα·eʰ below, which
# exceeds 1 just left of 0, so χ need not be 1. We integrate it on a fine grid, with selu′ from
# autodiff of Keras's own SELU.

# %%
grid = np.linspace(-12.0, 12.0, 240000)  # an even count: no point at the kink h = 0
normal_weights = np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi) * (grid[1] - grid[0])
h = tf.constant(grid, dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(h)
    selu_h = keras.activations.selu(h)
selu_derivative = tape.gradient(selu_h, h).numpy()
chi = float(np.sum(selu_derivative**2 * normal_weights))
print(f"χ = E[selu′(h)²] at the fixed point = {chi:.4f} per layer; over {DEPTH - 1} layers "
      f"the backward signal grows by χ^({DEPTH - 1}/2) = {chi ** ((DEPTH - 1) / 2):.2f}")

# %% [markdown]
# Measured: ‖∂loss/∂h₁‖ / ‖∂loss/∂h₃₀‖ for a linear readout with a mean-squared-error loss,
# where h_l is layer l's SELU output, with `probe_layers` (in `gradbook/signal_probe.py`). One
# network at width 64 fluctuates by tens of per cent around the infinite-width value, so we
# take the geometric mean over several independently initialised networks.

# %%
NETWORKS = 8
y = rng.standard_normal((BATCH, 1)).astype("float32")
backward_ratios, backward_profiles = [], []
for _ in range(NETWORKS):
    network = keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="selu", kernel_initializer="lecun_normal") for _ in range(DEPTH)]
        + [keras.layers.Dense(1, kernel_initializer="lecun_normal")]
    )
    signal = probe_layers(network, inputs["inputs N(0, 1)"], y, keras.losses.MeanSquaredError()).backward_signal
    backward_ratios.append(signal[0] / signal[-1])
    backward_profiles.append(signal / signal[-1])
backward_ratio = float(np.exp(np.mean(np.log(backward_ratios))))
print(f"measured ‖∂L/∂h₁‖/‖∂L/∂h₃₀‖: {np.round(backward_ratios, 2)}, geometric mean {backward_ratio:.2f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
for profile in backward_profiles:
    ax.semilogy(layers, profile, color="tab:blue", alpha=0.35)
ax.semilogy(layers, np.exp(np.mean(np.log(backward_profiles), axis=0)), color="tab:blue", linewidth=2.5,
            label=f"measured, geometric mean of {NETWORKS} networks")
ax.semilogy(layers, chi ** ((DEPTH - layers) / 2), color="black", linestyle=":",
            label=f"χ^((30 − l)/2), χ = {chi:.4f}")
ax.axhline(1.0, color="grey", linewidth=0.8)
ax.set_xlabel("layer l")
ax.set_ylabel("backward signal ‖∂loss/∂h_l‖ / ‖∂loss/∂h₃₀‖ (log scale)")
ax.set_title("SELU + LeCun normal: the backward signal grows by √χ per layer")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")

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
    "backward_chi": chi,
    "backward_predicted_ratio": chi ** ((DEPTH - 1) / 2),
    "backward_ratio": backward_ratio,
    "backward_ratio_min": float(min(backward_ratios)),
    "backward_ratio_max": float(max(backward_ratios)),
    "backward_networks": NETWORKS,
}
print(results)
