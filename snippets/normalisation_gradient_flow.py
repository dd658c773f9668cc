"""
Title: Gradient flow in a deep sigmoid net with and without normalisation
Description: Per-layer backward signal ‖∂loss/∂h_l‖ and kernel gradient norms of a 15-layer sigmoid MLP, plain, with BatchNormalization and with LayerNormalization before each sigmoid, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Fifteen hidden layers of 64 sigmoid units with Glorot uniform kernels. The normalised
# variants insert BatchNormalization (Ioffe & Szegedy 2015) or LayerNormalization (Ba, Kiros
# & Hinton 2016) between each Dense layer and its sigmoid; the Dense layers then need no
# bias, since the normalisation's β replaces it. Every measurement comes from `probe_layers`
# (in `gradbook/signal_probe.py`): the backward signal ‖∂loss/∂h_l‖ at each sigmoid's output, each
# Dense kernel's gradient, and the activations' root mean square.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 15, 64, 256
NORMALISATIONS = {
    "none": None,
    "BatchNormalization": keras.layers.BatchNormalization,
    "LayerNormalization": keras.layers.LayerNormalization,
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(normalisation):
    layers, dense, sigmoids = [keras.Input((WIDTH,))], [], []
    for _ in range(DEPTH):
        dense.append(keras.layers.Dense(WIDTH, use_bias=normalisation is None))
        layers.append(dense[-1])
        if normalisation is not None:
            layers.append(normalisation())
        sigmoids.append(keras.layers.Activation("sigmoid"))
        layers.append(sigmoids[-1])
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers), dense, sigmoids


# %% [markdown]
# One forward and backward pass in training mode, so BatchNormalization uses the batch's
# statistics, as it does during training.

# %%
def probe_and_preactivations(normalisation):
    model, dense, sigmoids = build_mlp(normalisation)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=sigmoids + dense)
    preactivations = keras.Model(model.inputs[0], [d.output for d in dense])
    return probe, [np.asarray(z) for z in preactivations(x, training=True)]


runs = {name: probe_and_preactivations(layer) for name, layer in NORMALISATIONS.items()}
# The probe lists the sigmoids' outputs h_l first, then the Dense layers (whose kernels it reads).
signal = {name: run[0].backward_signal[:DEPTH] for name, run in runs.items()}
norms = {name: run[0].kernel_gradient[DEPTH:] for name, run in runs.items()}
activation_rms = {name: run[0].activation_rms[:DEPTH] for name, run in runs.items()}
for name in NORMALISATIONS:
    print(f"{name:20s} kernel gradient layer 1 {norms[name][0]:.3e}, layer {DEPTH} {norms[name][-1]:.3e};"
          f" backward signal layer 1 {signal[name][0]:.3e}, layer {DEPTH} {signal[name][-1]:.3e}")

# %% [markdown]
# What the normalisations divide by, at the last hidden layer: BatchNormalization by each
# unit's standard deviation over the batch, LayerNormalization by each example's standard
# deviation over the 64 units.

# %%
last_dense_output = {name: run[1][-1] for name, run in runs.items()}
batch_std = float(last_dense_output["BatchNormalization"].std(axis=0).mean())
feature_std = float(last_dense_output["LayerNormalization"].std(axis=1).mean())
print(f"BN divides by {batch_std:.3e}, LN by {feature_std:.3f}")

# %% [markdown]
# The mean-field prediction for BatchNormalization before an activation φ (derived on the page):
# the squared backward signal grows by E[φ′(y)²] / Var φ(y), y ~ N(0, 1), per layer. For the
# sigmoid, which is nearly linear over N(0, 1), that is barely above 1.

# %%
z, weights = np.polynomial.hermite_e.hermegauss(200)
weights = weights / weights.sum()  # expectations over N(0, 1) by Gauss–Hermite quadrature
sigmoid_z = 1 / (1 + np.exp(-z))
sigmoid_variance = float(np.sum(weights * (sigmoid_z - np.sum(weights * sigmoid_z)) ** 2))
sigmoid_derivative_sq = float(np.sum(weights * (sigmoid_z * (1 - sigmoid_z)) ** 2))
bn_predicted_factor = float(np.sqrt(sigmoid_derivative_sq / sigmoid_variance))
print(f"predicted BN backward factor per layer {bn_predicted_factor:.4f}, "
      f"over {DEPTH - 1} layers {bn_predicted_factor ** (DEPTH - 1):.2f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
for name, marker in zip(NORMALISATIONS, "os^"):
    label = "no normalisation" if name == "none" else f"Dense → {name} → sigmoid"
    axes[0].semilogy(range(1, DEPTH + 1), signal[name], marker=marker, label=label)
    axes[1].semilogy(range(1, DEPTH + 1), norms[name], marker=marker, label=label)
axes[0].set_title(f"Backward signal, {DEPTH} sigmoid layers of {WIDTH}")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_ylabel("kernel gradient ‖∂loss/∂W_l‖ (log scale)")
axes[1].set_title("Kernel gradient, same networks")
for ax in axes:
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(range(1, DEPTH + 1, 2))
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {
    "plain_first": float(norms["none"][0]),
    "bn_first": float(norms["BatchNormalization"][0]),
    "ln_first": float(norms["LayerNormalization"][0]),
    "plain_ratio": float(norms["none"][0] / norms["none"][-1]),
    "bn_ratio": float(norms["BatchNormalization"][0] / norms["BatchNormalization"][-1]),
    "ln_ratio": float(norms["LayerNormalization"][0] / norms["LayerNormalization"][-1]),
    "bn_divisor": batch_std,
    "ln_divisor": feature_std,
}
results["bn_over_plain_first"] = results["bn_first"] / results["plain_first"]
results["ln_over_plain_first"] = results["ln_first"] / results["plain_first"]
results.update({
    "plain_signal_ratio": float(signal["none"][0] / signal["none"][-1]),
    "bn_signal_ratio": float(signal["BatchNormalization"][0] / signal["BatchNormalization"][-1]),
    "ln_signal_ratio": float(signal["LayerNormalization"][0] / signal["LayerNormalization"][-1]),
    "bn_signal_factor": float((signal["BatchNormalization"][0] / signal["BatchNormalization"][-1]) ** (1 / (DEPTH - 1))),
    "bn_predicted_factor": bn_predicted_factor,
    "plain_activation_rms_last": float(activation_rms["none"][-1]),
    "bn_activation_rms_last": float(activation_rms["BatchNormalization"][-1]),
})
print(results)
