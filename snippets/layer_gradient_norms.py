"""
Title: Gradient norm of every layer in a deep MLP
Description: Per-layer kernel gradient norms and backward-signal norms of a 10-hidden-layer MLP for sigmoid, tanh and ReLU, on log scales.
Accelerator: None
"""

# %% [markdown]
# Ten hidden layers of 64 units, one batch of synthetic data, one backward pass. The only
# thing that changes between the three networks is the activation and its initialiser.
# `probe_layers` (in `gradbook/signal_probe.py`) returns, for every hidden layer l, the norm of
# its kernel's gradient ‖∂loss/∂W_l‖ and the norm of the backward signal ‖∂loss/∂h_l‖ at its
# output: a kernel's gradient is its input activation times that signal, so the two can differ.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "tanh + Glorot uniform": ("tanh", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}

# %% [markdown]
# Synthetic data: standard-normal inputs, labels from a random linear "teacher".

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers.append(keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %% [markdown]
# One forward and backward pass per network.

# %%
models = {name: build_mlp(*config) for name, config in CONFIGS.items()}
probes = {name: probe_layers(model, x, y, keras.losses.BinaryCrossentropy()) for name, model in models.items()}
for name, probe in probes.items():
    print(f"{name:26s} kernel gradient, layer 1 / layer {DEPTH}: "
          f"{probe.kernel_gradient[0]:.2e} / {probe.kernel_gradient[-1]:.2e};"
          f"  backward signal: {probe.backward_signal[0]:.2e} / {probe.backward_signal[-1]:.2e}")

# %%
layers = range(1, DEPTH + 1)
fig, (kernel_ax, signal_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
for (name, probe), marker in zip(probes.items(), "os^"):
    kernel_ax.semilogy(layers, probe.kernel_gradient, marker=marker, label=name)
    signal_ax.semilogy(layers, probe.backward_signal, marker=marker, label=name)
kernel_ax.set_title("Kernel gradients")
kernel_ax.set_ylabel("‖∂loss/∂W_l‖ (log scale)")
signal_ax.set_ylabel("‖∂loss/∂h_l‖ (log scale)")
signal_ax.set_title("Backward signal at each layer's output")
for ax in (kernel_ax, signal_ax):
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(layers)
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.suptitle(f"Gradient norm per layer, {DEPTH} hidden layers of {WIDTH} units")
fig.tight_layout()

# %% [markdown]
# Why does sigmoid lose so much with Glorot weights, when Glorot keeps n · Var(w) = 1? Going
# back through layer l, the signal is multiplied by φ′(z_l) and by W_lᵀ, so its mean square
# changes by, on average, χ_l = n · Var(W_l) · E[φ′(z_l)²] (Poole et al. 2016; Schoenholz et
# al. 2017). φ′ can be written through the layer's output h = φ(z): σ′ = h(1 − h),
# tanh′ = 1 − h², ReLU′ = 1 where h > 0. σ′ ≤ ¼ caps the sigmoid's χ at n · Var(w) / 16 = 1/16:
# the weights keep the norm, and every sigmoid layer still divides it by about 4.

# %%
DERIVATIVE_FROM_OUTPUT = {
    "sigmoid": lambda h: h * (1 - h),
    "tanh": lambda h: 1 - h**2,
    "relu": lambda h: (h > 0).astype(np.float64),
}


def mean_field_chi(model, activation):
    hidden = model.layers[:DEPTH]
    outputs = keras.Model(model.inputs[0], [layer.output for layer in hidden])(x)
    return np.array([
        WIDTH * np.mean(np.square(np.asarray(layer.kernel, dtype=np.float64)))
        * np.mean(np.square(DERIVATIVE_FROM_OUTPUT[activation](np.asarray(h, dtype=np.float64))))
        for layer, h in zip(hidden, outputs)
    ])


# From layer l's output back to layer l−1's output the signal crosses φ′(z_l) and W_lᵀ: χ_l, l = 2…10.
chi = {name: mean_field_chi(models[name], activation)[1:] for name, (activation, _) in CONFIGS.items()}
predicted_signal_ratio = {name: float(np.sqrt(np.prod(c))) for name, c in chi.items()}
sigmoid_chi = float(np.exp(np.mean(np.log(chi["sigmoid + Glorot uniform"]))))
signal = probes["sigmoid + Glorot uniform"].backward_signal
measured_factor = float((signal[0] / signal[-1]) ** (1 / (DEPTH - 1)))
print(f"sigmoid + Glorot: mean-field χ per layer {np.round(chi['sigmoid + Glorot uniform'], 4)}")
print(f"per-layer backward-signal factor: measured {measured_factor:.3f}, mean-field √χ {np.sqrt(sigmoid_chi):.3f}")
for name, predicted in predicted_signal_ratio.items():
    print(f"{name:26s} ‖∂loss/∂h₁‖/‖∂loss/∂h₁₀‖ mean-field √(χ₂⋯χ₁₀) = {predicted:.3g}")

# %% [markdown]
# The ratio first/last hidden layer says how much survives the trip back.

# %%
ratio = {name: float(p.kernel_gradient[0] / p.kernel_gradient[-1]) for name, p in probes.items()}
signal_ratio = {name: float(p.backward_signal[0] / p.backward_signal[-1]) for name, p in probes.items()}
results = {
    "sigmoid_ratio": ratio["sigmoid + Glorot uniform"],
    "tanh_ratio": ratio["tanh + Glorot uniform"],
    "relu_ratio": ratio["ReLU + He normal"],
    "sigmoid_first": float(probes["sigmoid + Glorot uniform"].kernel_gradient[0]),
    "sigmoid_last": float(probes["sigmoid + Glorot uniform"].kernel_gradient[-1]),
    "sigmoid_signal_ratio": signal_ratio["sigmoid + Glorot uniform"],
    "tanh_signal_ratio": signal_ratio["tanh + Glorot uniform"],
    "relu_signal_ratio": signal_ratio["ReLU + He normal"],
    "sigmoid_chi": sigmoid_chi,
    "sigmoid_signal_factor": measured_factor,
    "sigmoid_predicted_signal_factor": float(np.sqrt(sigmoid_chi)),
    "tanh_predicted_signal_ratio": predicted_signal_ratio["tanh + Glorot uniform"],
    "relu_predicted_signal_ratio": predicted_signal_ratio["ReLU + He normal"],
    "sigmoid_activation_rms_last": float(probes["sigmoid + Glorot uniform"].activation_rms[-1]),
}
print(results)
