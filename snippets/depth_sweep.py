"""
Title: First-layer gradient against depth
Description: Norm of the first layer's kernel gradient and of the backward signal at the first layer's output for MLPs of depth 2 to 30, with sigmoid and tanh under Glorot uniform and ReLU under He normal, on log scales.
Accelerator: None
"""

# %% [markdown]
# The same question asked at six depths: how much gradient reaches the first layer? Width 32,
# one batch of 128 synthetic points, one backward pass per network. `probe_layers` (in
# `gradbook/signal_probe.py`) gives both the first kernel's gradient ‖∂loss/∂W₁‖ and the backward
# signal at the first layer's output ‖∂loss/∂h₁‖, with norms taken in float64.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = (2, 5, 10, 15, 20, 30)
WIDTH, BATCH = 32, 128
CONFIGS = {
    "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "tanh + Glorot uniform": ("tanh", "glorot_uniform"),
    "ReLU + He normal": ("relu", "he_normal"),
}
# φ′ written in terms of the output h = φ(z), so the probe's activations are enough.
DERIVATIVE_FROM_OUTPUT = {
    "sigmoid": lambda h: h * (1 - h),
    "tanh": lambda h: 1 - h**2,
    "relu": lambda h: (h > 0).astype(np.float64),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
loss_fn = keras.losses.BinaryCrossentropy()


def build_mlp(depth, activation, initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(depth)]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %%
models = {name: {depth: build_mlp(depth, *config) for depth in DEPTHS} for name, config in CONFIGS.items()}
probes = {name: {depth: probe_layers(model, x, y, loss_fn) for depth, model in by_depth.items()}
          for name, by_depth in models.items()}
kernel = {name: np.array([p.kernel_gradient[0] for p in by_depth.values()]) for name, by_depth in probes.items()}
signal = {name: np.array([p.backward_signal[0] for p in by_depth.values()]) for name, by_depth in probes.items()}
for name in CONFIGS:
    print(f"{name:26s} ‖∂loss/∂W₁‖", "  ".join(f"{value:.1e}" for value in kernel[name]))
    print(f"{'':26s} ‖∂loss/∂h₁‖", "  ".join(f"{value:.1e}" for value in signal[name]))

# %% [markdown]
# A dashed guide shows the slope a factor of ¼ per layer would give — the largest value of the
# sigmoid's derivative.

# %%
depths = np.array(DEPTHS)
fig, (kernel_ax, signal_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
for (name, marker) in zip(CONFIGS, "os^"):
    kernel_ax.semilogy(depths, kernel[name], marker=marker, label=name)
    signal_ax.semilogy(depths, signal[name], marker=marker, label=name)
for ax, values in ((kernel_ax, kernel), (signal_ax, signal)):
    start = values["sigmoid + Glorot uniform"][0]
    ax.semilogy(depths, start * 0.25 ** (depths - depths[0]), color="grey", linestyle="--", label="¼ per extra layer")
    ax.set_xlabel("number of hidden layers")
    ax.set_xticks(DEPTHS)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3, which="both")
kernel_ax.set_title("Kernel gradient of layer 1")
kernel_ax.set_ylabel("‖∂loss/∂W₁‖ (log scale)")
signal_ax.set_ylabel("‖∂loss/∂h₁‖ (log scale)")
signal_ax.set_title("Backward signal at layer 1's output")
fig.suptitle(f"Gradient reaching the first layer, width {WIDTH}")
fig.tight_layout()

# %% [markdown]
# Mean-field theory (Poole et al. 2016; Schoenholz et al. 2017) predicts the backward signal
# layer by layer: crossing layer l multiplies its mean square by χ_l = n · Var(W_l) · E[φ′(z_l)²].
# We evaluate χ_l on the measured weights and activations of each 30-layer network and compare
# the predicted first/last ratio √(χ₂ ⋯ χ₃₀) with the measured one.

# %%
def mean_field_chi(model, activation):
    hidden = model.layers[:-1]
    outputs = keras.Model(model.inputs[0], [layer.output for layer in hidden])(x)
    return np.array([
        WIDTH * np.mean(np.square(np.asarray(layer.kernel, dtype=np.float64)))
        * np.mean(np.square(DERIVATIVE_FROM_OUTPUT[activation](np.asarray(h, dtype=np.float64))))
        for layer, h in zip(hidden, outputs)
    ])


deepest = {}
for name, (activation, _) in CONFIGS.items():
    chi = mean_field_chi(models[name][30], activation)
    probe = probes[name][30]
    deepest[name] = {
        "chi": float(np.exp(np.mean(np.log(chi[1:])))),
        "measured_ratio": float(probe.backward_signal[0] / probe.backward_signal[-1]),
        "predicted_ratio": float(np.sqrt(np.prod(chi[1:]))),
    }
    print(f"{name:26s} depth 30: geometric-mean χ {deepest[name]['chi']:.3f}; ‖∂loss/∂h₁‖/‖∂loss/∂h₃₀‖ "
          f"measured {deepest[name]['measured_ratio']:.2e}, mean-field {deepest[name]['predicted_ratio']:.2e}")

# %% [markdown]
# The float32 trap: the sigmoid network's first-layer gradient at depth 30 is so small that the
# squares in its norm underflow float32. Computed as most code computes it, in float32:

# %%
with tf.GradientTape() as tape:
    loss = loss_fn(y, models["sigmoid + Glorot uniform"][30](x, training=True))
float32_norm = float(tf.norm(tape.gradient(loss, models["sigmoid + Glorot uniform"][30].layers[0].kernel)))
print(f"tf.norm in float32: {float32_norm:.3e}; in float64: {kernel['sigmoid + Glorot uniform'][-1]:.3e}")

# %%
at = {depth: index for index, depth in enumerate(DEPTHS)}
sigmoid, relu, tanh = (kernel[name] for name in ("sigmoid + Glorot uniform", "ReLU + He normal", "tanh + Glorot uniform"))
sigmoid_signal, relu_signal, tanh_signal = (
    signal[name] for name in ("sigmoid + Glorot uniform", "ReLU + He normal", "tanh + Glorot uniform"))
results = {
    "sigmoid_depth_5": float(sigmoid[at[5]]),
    "sigmoid_depth_20": float(sigmoid[at[20]]),
    "sigmoid_depth_30": float(sigmoid[at[30]]),
    "tanh_depth_5": float(tanh[at[5]]),
    "tanh_depth_30": float(tanh[at[30]]),
    "relu_depth_5": float(relu[at[5]]),
    "relu_depth_20": float(relu[at[20]]),
    "relu_depth_30": float(relu[at[30]]),
    "relu_over_sigmoid_depth_20": float(relu[at[20]] / sigmoid[at[20]]),
    "sigmoid_drop_5_to_30": float(sigmoid[at[5]] / sigmoid[at[30]]),
    # Geometric mean of the factor lost per extra sigmoid layer between depths 5 and 30.
    "sigmoid_shrink_per_layer": float((sigmoid[at[5]] / sigmoid[at[30]]) ** (1 / 25)),
    # The same for the backward signal ‖∂loss/∂h₁‖, and the mean-field prediction 1/√χ.
    "sigmoid_signal_shrink_per_layer": float((sigmoid_signal[at[5]] / sigmoid_signal[at[30]]) ** (1 / 25)),
    "sigmoid_chi": deepest["sigmoid + Glorot uniform"]["chi"],
    "sigmoid_predicted_shrink_per_layer": float(1 / np.sqrt(deepest["sigmoid + Glorot uniform"]["chi"])),
    "relu_over_sigmoid_signal_depth_20": float(relu_signal[at[20]] / sigmoid_signal[at[20]]),
    "tanh_signal_depth_5": float(tanh_signal[at[5]]),
    "tanh_signal_depth_30": float(tanh_signal[at[30]]),
    "relu_signal_depth_5": float(relu_signal[at[5]]),
    "relu_signal_depth_30": float(relu_signal[at[30]]),
    "sigmoid_depth_30_float32_norm": float32_norm,
}
for key, short in (("sigmoid + Glorot uniform", "sigmoid"), ("tanh + Glorot uniform", "tanh"), ("ReLU + He normal", "relu")):
    results[f"{short}_depth_30_signal_ratio"] = deepest[key]["measured_ratio"]
    results[f"{short}_depth_30_predicted_signal_ratio"] = deepest[key]["predicted_ratio"]
print(results)
