"""
Title: How tanh saturates
Description: tanh′(x) equals 4σ′(2x) and never exceeds 1; with weights of standard deviation 1 most pre-activations of a 64-unit tanh layer lie where tanh′ is almost zero.
Accelerator: None
"""

# %% [markdown]
# tanh is a rescaled sigmoid: tanh(x) = 2σ(2x) − 1. Differentiating both sides gives
# tanh′(x) = 4σ′(2x), so tanh′ peaks at 4 · ¼ = 1, at x = 0, and decays like σ′ on both sides.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

THRESHOLD = 3.0  # |x| > 3 counts as saturated: tanh′(3) < 0.01

# %%
grid = tf.constant(np.linspace(-6.0, 6.0, 1201), dtype=tf.float64)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(grid)
    tanh = ops.tanh(grid)
    sigmoid_of_double = ops.sigmoid(2.0 * grid)
    sigmoid = ops.sigmoid(grid)
tanh_prime = tape.gradient(tanh, grid).numpy()
# d/dx σ(2x) = 2σ′(2x), so 4σ′(2x) is twice this tape's derivative.
four_sigmoid_prime = 2.0 * tape.gradient(sigmoid_of_double, grid).numpy()
sigmoid_prime = tape.gradient(sigmoid, grid).numpy()
at_threshold = float(tanh_prime[np.argmin(np.abs(grid.numpy() - THRESHOLD))])
print(f"largest tanh′ {tanh_prime.max():.6f}; max |tanh′ − 4σ′(2x)| = {np.abs(tanh_prime - four_sigmoid_prime).max():.1e}")
print(f"tanh′({THRESHOLD:g}) = {at_threshold:.4f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(grid, tanh_prime, linewidth=3, label="tanh′(x)")
ax.plot(grid, four_sigmoid_prime, linestyle="--", color="black", label="4σ′(2x)")
ax.plot(grid, sigmoid_prime, linestyle=":", label="σ′(x), for comparison")
ax.axvspan(-6, -THRESHOLD, color="grey", alpha=0.15, label=f"saturated, |x| > {THRESHOLD:g}")
ax.axvspan(THRESHOLD, 6, color="grey", alpha=0.15)
ax.set_xlabel("pre-activation x")
ax.set_ylabel("derivative")
ax.set_title("tanh′(x) = 4σ′(2x) ≤ 1")
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# Now the pre-activations a real layer produces. Five tanh layers of 64 units and a sigmoid
# readout, weights drawn with standard deviation 1 (too large) or with Glorot uniform (variance
# 2 / (64 + 64)), one batch of standard-normal inputs. A pre-activation sums 64 inputs times 64
# weights, so its standard deviation is about √64 · σ_w · rms(input): 8 · rms(input) for σ_w = 1.
# `probe_layers` (in `gradbook/signal_probe.py`) also measures the backward signal ‖∂loss/∂h_l‖
# at every tanh layer's output, to see what saturation does to it.

# %%
from gradbook.signal_probe import probe_layers

DEPTH, WIDTH, BATCH, LAYER = 5, 64, 256, 3
INITIALIZERS = {
    "N(0, 1) weights": keras.initializers.RandomNormal(stddev=1.0),
    "Glorot uniform": "glorot_uniform",
}
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(initializer):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        layers += [keras.layers.Dense(WIDTH, kernel_initializer=initializer), keras.layers.Activation("tanh")]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


layer_stats = {}
for name, initializer in INITIALIZERS.items():
    model = build_mlp(initializer)
    dense, tanh_layers = model.layers[0:-1:2], model.layers[1:-1:2]
    # Layer LAYER's input is the output of tanh layer LAYER − 1; its pre-activation is its Dense output.
    layer_input, preactivation = keras.Model(model.inputs[0], [tanh_layers[LAYER - 2].output, dense[LAYER - 1].output])(x)
    z = np.asarray(preactivation).ravel()
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=tanh_layers)
    outputs = keras.Model(model.inputs[0], [layer.output for layer in tanh_layers])(x)
    # Mean-field backward factor χ_l = n · Var(W_l) · E[tanh′(z_l)²] for layers 2 … 5.
    chi = [WIDTH * np.mean(np.square(np.asarray(d.kernel, dtype=np.float64)))
           * np.mean(np.square(1 - np.square(np.asarray(h, dtype=np.float64))))
           for d, h in zip(dense[1:], outputs[1:])]
    layer_stats[name] = {
        "z": z,
        "input_rms": float(np.sqrt(np.mean(np.square(np.asarray(layer_input))))),
        "std": float(z.std()),
        "saturated": float(np.mean(np.abs(z) > THRESHOLD)),
        "mean_tanh_prime": float(np.mean(1.0 - np.tanh(z) ** 2)),
        "signal_ratio": float(probe.backward_signal[0] / probe.backward_signal[-1]),
        "chi": float(np.exp(np.mean(np.log(chi)))),
    }
    stats = layer_stats[name]
    print(
        f"{name:16s} input rms {stats['input_rms']:.3f}  pre-activation std {stats['std']:.2f}"
        f"  |z| > {THRESHOLD:g}: {stats['saturated']:.1%}  mean tanh′ {stats['mean_tanh_prime']:.3f}"
        f"  ‖∂loss/∂h₁‖/‖∂loss/∂h₅‖ {stats['signal_ratio']:.3g} (mean-field χ {stats['chi']:.3g})"
    )

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
bins = np.linspace(-30, 30, 121)
for name, stats in layer_stats.items():
    ax.hist(stats["z"], bins=bins, density=True, alpha=0.6, label=f"{name}: {stats['saturated']:.0%} saturated")
ax.axvspan(-30, -THRESHOLD, color="grey", alpha=0.15, label=f"|x| > {THRESHOLD:g}, tanh′ < 0.01")
ax.axvspan(THRESHOLD, 30, color="grey", alpha=0.15)
ax.set_yscale("log")
ax.set_xlabel(f"pre-activation of hidden layer {LAYER}")
ax.set_ylabel("probability density (log scale)")
ax.set_title(f"Pre-activations of layer {LAYER} in a tanh MLP, 64 units, {BATCH} inputs")
ax.legend(loc="upper right", fontsize="small")
ax.grid(alpha=0.3)

# %%
large, glorot = layer_stats["N(0, 1) weights"], layer_stats["Glorot uniform"]
results = {
    "peak_tanh_derivative": float(tanh_prime.max()),
    "identity_max_error": float(np.abs(tanh_prime - four_sigmoid_prime).max()),
    "tanh_derivative_at_threshold": at_threshold,
    "threshold": THRESHOLD,
    "width": WIDTH,
    "layer": LAYER,
    "large_input_rms": large["input_rms"],
    "large_std": large["std"],
    "large_saturated": large["saturated"],
    "large_mean_tanh_prime": large["mean_tanh_prime"],
    "glorot_input_rms": glorot["input_rms"],
    "glorot_std": glorot["std"],
    "glorot_saturated": glorot["saturated"],
    "glorot_mean_tanh_prime": glorot["mean_tanh_prime"],
    "large_signal_ratio": large["signal_ratio"],
    "large_chi": large["chi"],
    "glorot_signal_ratio": glorot["signal_ratio"],
    "glorot_chi": glorot["chi"],
}
print(results)
