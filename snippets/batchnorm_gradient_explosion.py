"""
Title: BatchNormalization without skip connections makes the backward signal grow toward the input
Description: Backward signal ‖∂loss/∂h_l‖ per layer of a 40-layer MLP of width 128: ReLU without normalisation (He), ReLU with BatchNormalization, tanh with BatchNormalization, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Forty hidden layers of 128 units, no skip connections, one batch of 128 examples, one backward
# pass in training mode (BatchNormalization uses the batch's statistics, as in `fit`). Three
# networks: ReLU with He-normal kernels and no normalisation, the baseline whose backward factor
# per layer is 1 on average (n · Var(w) · E[relu′²] = n · 2/n · ½); and `Dense → BatchNormalization
# → activation` with ReLU and with tanh. The measurements come from `probe_layers` in
# `gradbook/signal_probe.py`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 40, 128, 128

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, batch_norm):
    """Returns the model, its hidden Dense layers and the activation layers whose outputs are h_l."""
    layers, dense, hidden = [keras.Input((WIDTH,))], [], []
    for _ in range(DEPTH):
        # BN's β replaces the bias; BN's output does not depend on the kernel's scale at all.
        dense.append(keras.layers.Dense(WIDTH, kernel_initializer="he_normal", use_bias=not batch_norm))
        layers.append(dense[-1])
        if batch_norm:
            layers.append(keras.layers.BatchNormalization())
        hidden.append(keras.layers.Activation(activation))
        layers.append(hidden[-1])
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers), dense, hidden


NETWORKS = {"ReLU, no BN (He)": ("relu", False), "ReLU + BN": ("relu", True), "tanh + BN": ("tanh", True)}
probes, kernel_gradients = {}, {}
for name, (activation, batch_norm) in NETWORKS.items():
    model, dense, hidden = build_mlp(activation, batch_norm)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=hidden + dense)
    # The first DEPTH entries are the activations' outputs h_l, the rest the Dense kernels.
    probes[name] = probe
    kernel_gradients[name] = probe.kernel_gradient[DEPTH:]

# %% [markdown]
# The growth per layer, measured as the geometric mean of ‖∂L/∂h_l‖ / ‖∂L/∂h_{l+1}‖ over the
# 39 steps from layer 40 down to layer 1.

# %%
def per_layer_factor(signal):
    return float((signal[0] / signal[-1]) ** (1 / (DEPTH - 1)))


for name, probe in probes.items():
    signal = probe.backward_signal[:DEPTH]
    print(f"{name:18s} ‖∂L/∂h_1‖/‖∂L/∂h_{DEPTH}‖ = {signal[0] / signal[-1]:.3e}, "
          f"per layer {per_layer_factor(signal):.3f}, activation rms layer 1 {probe.activation_rms[0]:.3f} "
          f"layer {DEPTH} {probe.activation_rms[-1]:.3f}")

# %% [markdown]
# A mean-field estimate of the factor. BN divides unit j's pre-activation by its batch standard
# deviation σ_j = √(Σ_i w_ji² Var_batch(h_i)) ≈ √(n Var(w) · v), with v the batch variance of the
# previous layer's outputs, and the kernel's transpose multiplies the squared backward norm by
# n Var(w): the weights cancel, leaving 1/v. The activation multiplies it by E[φ′(y)²] for a
# standardised input y ~ N(0, 1), and the previous layer's outputs have v = Var φ(y). So the
# squared backward norm grows by E[φ′(y)²] / Var φ(y) per layer. The Gaussian Poincaré inequality
# says Var φ(y) ≤ E[φ′(y)²], with equality only for linear φ: the factor is ≥ 1 for every
# activation. (BN's projection, which removes each unit's batch mean and the component along its
# normalised output, takes away 2 of the 128 batch dimensions; we neglect it.)

# %%
z, weights = np.polynomial.hermite_e.hermegauss(200)
weights = weights / weights.sum()  # expectations over N(0, 1) by Gauss–Hermite quadrature


def predicted_norm_factor(phi, phi_prime):
    mean = np.sum(weights * phi(z))
    variance = np.sum(weights * (phi(z) - mean) ** 2)
    return float(np.sqrt(np.sum(weights * phi_prime(z) ** 2) / variance))


# ReLU: E[relu′²] = ½ and Var relu(y) = ½ − 1/(2π), so the squared factor is π/(π − 1) exactly.
relu_predicted = float(np.sqrt(np.pi / (np.pi - 1)))
tanh_predicted = predicted_norm_factor(np.tanh, lambda t: 1 - np.tanh(t) ** 2)
print(f"predicted per-layer factor: ReLU + BN {relu_predicted:.3f}, tanh + BN {tanh_predicted:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
layers = range(1, DEPTH + 1)
for (name, probe), marker in zip(probes.items(), "os^"):
    axes[0].semilogy(layers, probe.backward_signal[:DEPTH], marker=marker, markersize=4, label=name)
    axes[1].plot(layers, probe.activation_rms[:DEPTH], marker=marker, markersize=4, label=name)
axes[0].set_title(f"Backward signal per layer, {DEPTH} layers of {WIDTH}, no skips")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_title("Forward signal: activation scale per layer")
axes[1].set_ylabel("rms of h_l over the batch")
axes[1].set_ylim(bottom=0)
for ax in axes:
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.tight_layout()

# %%
def signal_ratio(name):
    signal = probes[name].backward_signal[:DEPTH]
    return float(signal[0] / signal[-1])


def kernel_ratio(name):
    return float(kernel_gradients[name][0] / kernel_gradients[name][-1])


plain, relu_bn, tanh_bn = NETWORKS
results = {
    "plain_signal_ratio": signal_ratio(plain),
    "relu_bn_signal_ratio": signal_ratio(relu_bn),
    "tanh_bn_signal_ratio": signal_ratio(tanh_bn),
    "plain_factor": per_layer_factor(probes[plain].backward_signal[:DEPTH]),
    "relu_bn_factor": per_layer_factor(probes[relu_bn].backward_signal[:DEPTH]),
    "tanh_bn_factor": per_layer_factor(probes[tanh_bn].backward_signal[:DEPTH]),
    "relu_bn_predicted_factor": relu_predicted,
    "tanh_bn_predicted_factor": tanh_predicted,
    "plain_kernel_ratio": kernel_ratio(plain),
    "relu_bn_kernel_ratio": kernel_ratio(relu_bn),
    "tanh_bn_kernel_ratio": kernel_ratio(tanh_bn),
    "relu_bn_activation_rms_first": float(probes[relu_bn].activation_rms[0]),
    "relu_bn_activation_rms_last": float(probes[relu_bn].activation_rms[DEPTH - 1]),
    "plain_activation_rms_first": float(probes[plain].activation_rms[0]),
    "plain_activation_rms_last": float(probes[plain].activation_rms[DEPTH - 1]),
}
print(results)
