"""
Title: How deep can a sigmoid network be?
Description: Left, the first hidden layer's share of the backward signal and of the kernel gradient in sigmoid MLPs with Glorot uniform weights, 1 to 12 hidden layers of 32 units, on a log scale with the 1 % line; right, the per-layer backward factor χ for four initialisers against the share of saturated units.
Accelerator: None
"""

# %% [markdown]
# A reader's question: how many sigmoid layers can a network have before its first layer
# receives less than 1 % of what its last hidden layer receives? We build sigmoid MLPs of growing
# depth (Glorot uniform weights, Keras's default for `Dense`, 32 units) and measure, after one
# backward pass on synthetic data, two ratios of first to last hidden layer:
#
# - the backward signal ‖∂loss/∂h₁‖ / ‖∂loss/∂h_L‖, what backpropagation carries down, and
# - the kernel gradient ‖∂loss/∂W₁‖ / ‖∂loss/∂W_L‖, what the optimiser sees. It is (the layer's
#   input) × (the backward signal), so it also depends on the input's scale.
#
# `probe_layers` (from `gradbook/signal_probe.py`) returns both per layer, and each layer's
# activation scale, from one forward and one backward pass.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = np.arange(1, 13)
WIDTH, BATCH, THRESHOLD = 32, 128, 0.01

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
loss_fn = keras.losses.BinaryCrossentropy()


def sigmoid_mlp(depth, initializer):
    hidden = [keras.layers.Dense(WIDTH, activation="sigmoid", kernel_initializer=initializer) for _ in range(depth)]
    return keras.Sequential([keras.Input((WIDTH,))] + hidden + [keras.layers.Dense(1, activation="sigmoid")])


signal_ratios, kernel_ratios = [], []
for depth in DEPTHS:
    probe = probe_layers(sigmoid_mlp(int(depth), "glorot_uniform"), x, y, loss_fn)
    signal_ratios.append(probe.backward_signal[0] / probe.backward_signal[-1])
    kernel_ratios.append(probe.kernel_gradient[0] / probe.kernel_gradient[-1])
signal_ratios, kernel_ratios = np.array(signal_ratios), np.array(kernel_ratios)
for depth, signal, kernel in zip(DEPTHS, signal_ratios, kernel_ratios):
    print(f"{depth:2d} hidden layers: backward signal first/last = {signal:.2e}, kernel gradient = {kernel:.2e}")

# %% [markdown]
# Why it falls so fast. Going down one layer, the backward signal is multiplied by the layer's
# weights and by σ′ at each unit; in the mean-field picture (Poole et al. 2016; Schoenholz et al.
# 2017) its squared norm changes by the factor
#
#     χ = fan_in · Var(w) · E[σ′(z)²].
#
# Glorot's Var(w) = 2 / (fan_in + fan_out) makes fan_in · Var(w) = 1 for square layers, but the
# sigmoid's σ′ is at most ¼, so χ ≤ 1/16: the norm shrinks about 4× per layer. Glorot & Bengio
# (2010) derived their variance for units that are linear near 0 with slope 1, as tanh is; the
# sigmoid's slope there is ¼. Other initialisers: He (Var = 2 / fan_in) doubles χ, LeCun
# (1 / fan_in) equals Glorot here, and a large N(0, 1) raises it only by pushing most units into
# the flat tails, where σ′ ≈ 0. We compute χ from each layer's weights and σ′ = h(1 − h), and
# compare it with the measured squared factor ‖∂loss/∂h_(l−1)‖² / ‖∂loss/∂h_l‖².

# %%
INITIALISERS = {
    "Glorot uniform": "glorot_uniform",
    "LeCun normal": "lecun_normal",
    "He normal": "he_normal",
    "N(0, 1)": keras.initializers.RandomNormal(stddev=1.0),
}
CHI_DEPTH = 12


def backward_factor(initializer):
    model = sigmoid_mlp(CHI_DEPTH, initializer)
    probe = probe_layers(model, x, y, loss_fn)
    hidden = model.layers[:-1]
    activations = keras.Model(model.inputs, [layer.output for layer in hidden])(x)
    chis, saturated = [], []
    for layer, h in zip(hidden[1:], activations[1:]):  # layers 2..L: each one's factor onto the layer below
        h = np.asarray(h, dtype=np.float64)
        sigma_prime = h * (1.0 - h)
        kernel = np.asarray(layer.kernel, dtype=np.float64)
        chis.append(kernel.shape[0] * np.mean(kernel**2) * np.mean(sigma_prime**2))
        saturated.append(np.mean(sigma_prime < 0.05))  # σ′ < 0.05 ⇔ |z| > 2.9: the flat tails
    squared_steps = (probe.backward_signal[:-1] / probe.backward_signal[1:]) ** 2
    geometric = lambda values: float(np.exp(np.mean(np.log(values))))  # noqa: E731
    return geometric(chis), geometric(squared_steps), float(np.mean(saturated))


factors = {name: backward_factor(init) for name, init in INITIALISERS.items()}
for name, (chi, measured, saturated) in factors.items():
    print(f"{name:15s} χ = {chi:.3f}  measured ‖δ_(l−1)‖²/‖δ_l‖² = {measured:.3f}  saturated units {saturated:.0%}")

# %% [markdown]
# The answer is the first depth whose backward-signal ratio falls below 1 %.

# %%
limit_depth = int(DEPTHS[np.argmax(signal_ratios < THRESHOLD)])
kernel_limit_depth = int(DEPTHS[np.argmax(kernel_ratios < THRESHOLD)])
per_layer = float((signal_ratios[-1] / signal_ratios[1]) ** (1 / (DEPTHS[-1] - DEPTHS[1])))

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
left.semilogy(DEPTHS, signal_ratios, marker="o", label="backward signal ‖∂loss/∂h₁‖ / ‖∂loss/∂h_L‖")
left.semilogy(DEPTHS, kernel_ratios, marker="s", label="kernel gradient ‖∂loss/∂W₁‖ / ‖∂loss/∂W_L‖")
left.semilogy(DEPTHS, 0.25 ** (DEPTHS - 1.0), linestyle="--", color="grey", label="¼ per extra layer")
left.axhline(THRESHOLD, color="tab:red", linestyle=":", label="1 % of the last hidden layer's")
left.set_xlabel("number of hidden layers L")
left.set_ylabel("first hidden layer ÷ last hidden layer (log scale)")
left.set_xticks(DEPTHS)
left.set_title(f"Sigmoid + Glorot uniform, width {WIDTH}")
left.legend(fontsize=8)
left.grid(alpha=0.3, which="both")

names = list(factors)
right.bar(np.arange(4) - 0.2, [factors[n][0] for n in names], width=0.4, label="χ = fan_in·Var(w)·E[σ′²]")
right.bar(np.arange(4) + 0.2, [factors[n][1] for n in names], width=0.4, label="measured ‖∂loss/∂h_(l−1)‖² ÷ ‖∂loss/∂h_l‖²")
for index, name in enumerate(names):
    right.annotate(f"{factors[name][2]:.0%} saturated", (index, max(factors[name][:2])), ha="center", va="bottom", fontsize=8)
right.axhline(1.0, color="grey", linestyle=":", label="χ = 1: the signal keeps its size")
right.set_yscale("log")
right.set_ylim(0.02, 3)
right.set_xticks(range(4), names)
right.set_ylabel("backward factor per sigmoid layer (log scale)")
right.set_title(f"Backward factor per layer, {CHI_DEPTH} sigmoid layers")
right.legend(fontsize=8, loc="upper left")
right.grid(alpha=0.3, which="both", axis="y")
fig.tight_layout()

# %%
results = {
    "depth_below_one_percent": limit_depth,
    "ratio_at_limit": float(signal_ratios[limit_depth - 1]),
    "ratio_one_layer_shallower": float(signal_ratios[limit_depth - 2]),
    "ratio_depth_12": float(signal_ratios[-1]),
    "shrink_per_layer": per_layer,
    "kernel_depth_below_one_percent": kernel_limit_depth,
    "kernel_ratio_depth_12": float(kernel_ratios[-1]),
    "chi_glorot": factors["Glorot uniform"][0],
    "measured_factor_glorot": factors["Glorot uniform"][1],
    "saturated_glorot": factors["Glorot uniform"][2],
    "chi_lecun": factors["LeCun normal"][0],
    "measured_factor_lecun": factors["LeCun normal"][1],
    "chi_he": factors["He normal"][0],
    "measured_factor_he": factors["He normal"][1],
    "saturated_he": factors["He normal"][2],
    "chi_unit_normal": factors["N(0, 1)"][0],
    "measured_factor_unit_normal": factors["N(0, 1)"][1],
    "saturated_unit_normal": factors["N(0, 1)"][2],
}
print(results)
