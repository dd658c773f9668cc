"""
Title: How much gradient reaches the first layer, per activation
Description: Backward signal ‖∂loss/∂h_l‖ and activation scale per layer of a 20-layer MLP for each activation with its usual initialiser, against the mean-field prediction, and the first/last kernel-gradient ratio beside the backward-signal ratio.
Timeout: 300
Accelerator: None
"""

# %% [markdown]
# Twenty hidden layers of 64 units, one batch of synthetic data, one backward pass per
# activation. Each activation gets the initialiser usually paired with it: He normal for the
# rectifier family and the smooth rectifiers (He et al. 2015 derived it for ReLU and PReLU),
# LeCun normal for SELU (Klambauer et al. 2017), and Glorot uniform for the sigmoid reference
# (Glorot & Bengio 2010).
#
# We measure two different things, because they can disagree:
#
# - the **backward signal** ‖∂loss/∂h_l‖, with h_l the output of hidden layer l's activation:
#   what backpropagation carries from layer to layer;
# - the **kernel gradient** ‖∂loss/∂W_l‖ = ‖(input of layer l)ᵀ × (signal at its pre-activation)‖:
#   what the optimiser sees. It also scales with the layer's *input*, so where the forward
#   signal shrinks with depth, the last layer's kernel gradient shrinks with it and the
#   first/last kernel ratio can look healthy while the backward signal vanishes.
#
# `probe_layers` (in `gradbook/signal_probe.py`) returns both, and each layer's activation
# RMS, from one forward and one backward pass with `training=True`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 20, 64, 256
LEAKY_SLOPE = 0.01  # Maas et al. (2013); Keras's LeakyReLU layer defaults to 0.3
PRELU_START = 0.25  # He et al. (2015); Keras's PReLU starts at 0 (alpha_initializer="zeros")

CONFIGS = {  # key: (label, activation layer factory, kernel initialiser, Var(w) × fan_in)
    "sigmoid": ("sigmoid", lambda: keras.layers.Activation("sigmoid"), "glorot_uniform", 1.0),
    "relu": ("ReLU", lambda: keras.layers.Activation("relu"), "he_normal", 2.0),
    "leaky_relu": ("Leaky ReLU", lambda: keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE), "he_normal", 2.0),
    "prelu": ("PReLU", lambda: keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(PRELU_START)),
              "he_normal", 2.0),
    "elu": ("ELU", lambda: keras.layers.Activation("elu"), "he_normal", 2.0),
    "selu": ("SELU", lambda: keras.layers.Activation("selu"), "lecun_normal", 1.0),
    "silu": ("Swish / SiLU", lambda: keras.layers.Activation("silu"), "he_normal", 2.0),
    "gelu": ("GELU", lambda: keras.layers.Activation("gelu"), "he_normal", 2.0),
}

# %% [markdown]
# The mean-field prediction (Poole et al. 2016; Schoenholz et al. 2017), for an infinitely
# wide network: a pre-activation is N(0, q_l), with q_{l+1} = n·Var(w)·E[φ(h)²], and each layer
# multiplies the expected squared backward signal by χ_l = n·Var(w)·E[φ′(h)²]. So
# ‖∂L/∂h₁‖/‖∂L/∂h₂₀‖ ≈ √(χ₂ ⋯ χ₂₀). The expectations are integrals over a normal density, done
# on a fine grid with each activation's own Keras implementation and its derivative by autodiff.

# %%
GRID = np.linspace(-12.0, 12.0, 12000)  # an even count: no point at the kink h = 0
DENSITY = np.exp(-GRID**2 / 2) / np.sqrt(2 * np.pi) * (GRID[1] - GRID[0])


def chi_at(activation_layer, variance_scale, q):
    """χ = n·Var(w)·E[φ′(h)²] for h ~ N(0, q)."""
    h = tf.constant(np.sqrt(q) * GRID, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(h)
        phi = activation_layer(h)
    return variance_scale * np.sum(tape.gradient(phi, h).numpy() ** 2 * DENSITY), phi.numpy()


def mean_field(activation_layer, variance_scale, input_second_moment=1.0):
    """q_l and χ_l for layers 1…DEPTH, with the activation evaluated in float64 by Keras itself."""
    q, qs, chis = variance_scale * input_second_moment, [], []
    for _ in range(DEPTH):
        chi, phi = chi_at(activation_layer, variance_scale, q)
        qs.append(q)
        chis.append(chi)
        q = variance_scale * np.sum(phi**2 * DENSITY)
    return np.array(qs), np.array(chis), np.sqrt(q / variance_scale)  # last: predicted RMS of h₂₀


# %% [markdown]
# Standard-normal inputs, labels from a random linear "teacher".

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(make_activation, initializer):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers += [keras.layers.Dense(WIDTH, kernel_initializer=initializer), make_activation()]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


measured, predicted = {}, {}
for key, (label, make_activation, initializer, scale) in CONFIGS.items():
    model = build_mlp(make_activation, initializer)
    # Hidden layers alternate Dense, activation: even entries carry kernels, odd ones the h_l.
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    measured[key] = {
        "signal": probe.backward_signal[1::2],
        "kernel": probe.kernel_gradient[0::2],
        "rms": probe.activation_rms[1::2],
        "pre_activation_rms": probe.activation_rms[0::2],
    }
    # PReLU is a layer with weights: build a fresh one on the float64 grid for the integral.
    grid_activation = make_activation() if key != "prelu" else (lambda h: tf.where(h > 0, h, PRELU_START * h))
    qs, chis, last_rms = mean_field(grid_activation, scale)
    # The same χ, but at each layer's *measured* pre-activation scale: this separates what the
    # forward signal's finite-width wandering does to the backward factor from the factor itself.
    local_chis = [chi_at(grid_activation, scale, rms**2)[0] for rms in measured[key]["pre_activation_rms"]]
    predicted[key] = {"signal_ratio": float(np.sqrt(np.prod(chis[1:]))), "chi": chis, "last_rms": float(last_rms),
                      "local_chi": np.array(local_chis)}
    m = measured[key]
    print(f"{label:13s} backward signal h1/h20 {m['signal'][0] / m['signal'][-1]:.2e} "
          f"(mean field {predicted[key]['signal_ratio']:.2e}); kernel W1/W20 {m['kernel'][0] / m['kernel'][-1]:.2e}; "
          f"RMS of h20 {m['rms'][-1]:.2e} (mean field {last_rms:.2e})")

# %% [markdown]
# Figure 1: the backward signal per layer, relative to layer 20 (solid), against the mean-field
# prediction (dotted), and the forward signal's scale per layer.

# %%
layers = np.arange(1, DEPTH + 1)
colors = dict(zip(CONFIGS, ["black", "tab:blue", "tab:cyan", "tab:purple", "tab:green", "tab:olive",
                            "tab:red", "tab:orange"]))
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.5))
for key, (label, *_rest) in CONFIGS.items():
    signal = measured[key]["signal"]
    left.semilogy(layers, signal / signal[-1], color=colors[key], label=label)
    # Backward from layer 20: the predicted signal at layer l is √(χ_{l+1} ⋯ χ₂₀).
    chis = predicted[key]["chi"]
    prediction = np.sqrt(np.append(np.cumprod(chis[:0:-1])[::-1], 1.0))
    left.semilogy(layers, prediction, color=colors[key], linestyle=":")
    right.semilogy(layers, measured[key]["rms"], color=colors[key], label=label)
left.set_title("Backward signal ‖∂loss/∂h_l‖ / ‖∂loss/∂h₂₀‖\n(solid measured, dotted mean field)", fontsize=10)
left.set_ylabel("backward signal relative to layer 20 (log scale)")
right.set_title("Forward signal: RMS of the activations h_l", fontsize=10)
right.set_ylabel("activation RMS (log scale)")
for ax in (left, right):
    ax.set_xlabel("hidden layer l")
    ax.grid(alpha=0.3, which="both")
right.legend(fontsize=7)
fig.suptitle(f"{DEPTH} layers of {WIDTH} units, each activation with its usual initialiser")
fig.tight_layout()

# %% [markdown]
# Figure 2: the two first/last ratios side by side. Where they differ, the difference is the
# ratio of the layers' input scales: layer 1 reads the raw inputs (RMS 1), layer 20 reads h₁₉.

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
positions = np.arange(len(CONFIGS))
signal_ratios = [measured[k]["signal"][0] / measured[k]["signal"][-1] for k in CONFIGS]
kernel_ratios = [measured[k]["kernel"][0] / measured[k]["kernel"][-1] for k in CONFIGS]
ax.bar(positions - 0.2, kernel_ratios, 0.4, label="kernel gradient ‖∂loss/∂W₁‖ / ‖∂loss/∂W₂₀‖", color="tab:gray")
ax.bar(positions + 0.2, signal_ratios, 0.4, label="backward signal ‖∂loss/∂h₁‖ / ‖∂loss/∂h₂₀‖", color="tab:blue")
ax.scatter(positions + 0.2, [predicted[k]["signal_ratio"] for k in CONFIGS], marker="_", s=300, color="black",
           zorder=3, label="backward signal, mean-field prediction")
ax.set_xticks(positions, [f"{CONFIGS[k][0]}\n{CONFIGS[k][2].replace('_', ' ')}" for k in CONFIGS], fontsize=7)
ax.set_yscale("log")
ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
ax.set_ylabel("first / last hidden layer (log scale)")
ax.set_title("Kernel-gradient ratio against backward-signal ratio, 20 layers")
ax.set_ylim(top=1e4)  # headroom above the bars, so the legend covers none of them
ax.legend(fontsize=7, loc="upper center", ncol=2)
ax.grid(alpha=0.3, axis="y", which="both")
fig.tight_layout()

# %%
results = {}
for key in CONFIGS:
    m = measured[key]
    results[f"{key}_kernel_ratio"] = float(m["kernel"][0] / m["kernel"][-1])
    results[f"{key}_signal_ratio"] = float(m["signal"][0] / m["signal"][-1])
    results[f"{key}_signal_predicted"] = predicted[key]["signal_ratio"]
    results[f"{key}_last_rms"] = float(m["rms"][-1])
    results[f"{key}_last_rms_predicted"] = predicted[key]["last_rms"]
    # Per-layer backward factor over the top five layers (16→20), where SiLU's and GELU's forward
    # signal has shrunk: the geometric mean of ‖∂L/∂h_{l−1}‖/‖∂L/∂h_l‖.
    results[f"{key}_top_factor"] = float((m["signal"][-6] / m["signal"][-1]) ** (1 / 5))
    results[f"{key}_top_factor_predicted"] = float(np.prod(predicted[key]["local_chi"][-5:]) ** (1 / 10))
    results[f"{key}_signal_predicted_from_forward"] = float(np.sqrt(np.prod(predicted[key]["local_chi"][1:])))
    results[f"{key}_chi_first"] = float(predicted[key]["chi"][0])
    results[f"{key}_chi_last"] = float(predicted[key]["chi"][-1])
    # Layer 1 reads the raw inputs, layer 20 reads h₁₉: the kernel ratio carries this factor too.
    results[f"{key}_input_scale_ratio"] = float(np.sqrt(np.mean(x.astype("float64") ** 2)) / m["rms"][-2])
results["weakest_signal_over_sigmoid"] = (
    min(results[f"{k}_signal_ratio"] for k in CONFIGS if k != "sigmoid") / results["sigmoid_signal_ratio"]
)
print(results)
