"""
Title: Weight scale, forward and backward
Description: Per-layer activation scale, kernel gradient norm and backward-signal norm of a 10-layer tanh MLP initialised with N(0, 0.01²), Glorot uniform and N(0, 1) weights, on log scales.
Accelerator: None
"""

# %% [markdown]
# Ten tanh layers of 64 units; only the scale of the hidden layers' initial weights changes.
# Forward, a layer multiplies the variance of its input by about n · σ_w² · E[tanh′²]; backward,
# the gradient's squared norm is multiplied by the same kind of factor. Three scales:
# N(0, 0.01²) gives n · σ_w² = 64 · 10⁻⁴, Glorot uniform gives 64 · 2 / (64 + 64) = 1, and
# N(0, 1) gives 64.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
INITIALIZERS = {
    "N(0, 0.01²)": keras.initializers.RandomNormal(stddev=0.01),
    "Glorot uniform": keras.initializers.GlorotUniform(),
    "N(0, 1)": keras.initializers.RandomNormal(stddev=1.0),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]

# %% [markdown]
# One forward and one backward pass per network, through `probe_layers` (in
# `gradbook/signal_probe.py`): for every hidden layer the rms of its tanh outputs (the forward
# signal's scale), the norm of its kernel's gradient, and the norm of the backward signal
# ‖∂loss/∂h_l‖ at its output, all in float64. The output layer keeps Keras's default Glorot
# uniform initialisation in all three networks.

# %%
def build_mlp(initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="tanh", kernel_initializer=initializer) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


models = {name: build_mlp(init) for name, init in INITIALIZERS.items()}
probes = {name: probe_layers(model, x, y, keras.losses.BinaryCrossentropy()) for name, model in models.items()}
for name, p in probes.items():
    print(f"{name:15s} activation rms, layer 1 → 10: {p.activation_rms[0]:.1e} → {p.activation_rms[-1]:.1e};"
          f"  kernel gradient: {p.kernel_gradient[0]:.1e} → {p.kernel_gradient[-1]:.1e};"
          f"  backward signal: {p.backward_signal[0]:.1e} → {p.backward_signal[-1]:.1e}")

# %% [markdown]
# Mean-field theory's backward factor χ_l = n · Var(W_l) · E[tanh′(z_l)²] (Schoenholz et al. 2017),
# evaluated on each network's own weights and activations (tanh′ = 1 − h², h the layer's output),
# against the measured per-layer factor of the backward signal's square.

# %%
def mean_field_chi(model):
    hidden = model.layers[:DEPTH]
    outputs = keras.Model(model.inputs[0], [layer.output for layer in hidden])(x)
    chi = [WIDTH * np.mean(np.square(np.asarray(layer.kernel, dtype=np.float64)))
           * np.mean(np.square(1 - np.square(np.asarray(h, dtype=np.float64))))
           for layer, h in zip(hidden[1:], outputs[1:])]
    return float(np.exp(np.mean(np.log(chi))))


chi = {name: mean_field_chi(model) for name, model in models.items()}
measured_chi = {name: float((p.backward_signal[0] / p.backward_signal[-1]) ** (2 / (DEPTH - 1)))
                for name, p in probes.items()}
for name in INITIALIZERS:
    print(f"{name:15s} χ per layer: mean-field {chi[name]:.3g}, measured {measured_chi[name]:.3g}")

# %%
layers = np.arange(1, DEPTH + 1)
fig, (forward_ax, signal_ax, kernel_ax) = plt.subplots(1, 3, figsize=(14, 4.5))
for (name, p), marker in zip(probes.items(), "vos"):
    forward_ax.semilogy(layers, p.activation_rms, marker=marker, label=name)
    signal_ax.semilogy(layers, p.backward_signal, marker=marker, label=name)
    kernel_ax.semilogy(layers, p.kernel_gradient, marker=marker, label=name)
forward_ax.set_title("Forward: activation scale")
forward_ax.set_ylabel("rms of the tanh outputs h_l (log scale)")
signal_ax.set_title("Backward signal")
signal_ax.set_ylabel("‖∂loss/∂h_l‖ (log scale)")
kernel_ax.set_title("Kernel gradients")
kernel_ax.set_ylabel("‖∂loss/∂W_l‖ (log scale)")
for ax in (forward_ax, signal_ax, kernel_ax):
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(layers)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
fig.suptitle("A 10-layer tanh MLP, 64 units, three initial weight scales")
fig.tight_layout()

# %%
small, glorot, large = (probes[name] for name in INITIALIZERS)
results = {
    "depth": DEPTH,
    "width": WIDTH,
    # Geometric mean of rms(layer k+1) / rms(layer k): the per-layer forward factor.
    "small_rms_factor": float((small.activation_rms[-1] / small.activation_rms[0]) ** (1 / (DEPTH - 1))),
    "small_rms_first": float(small.activation_rms[0]),
    "small_rms_last": float(small.activation_rms[-1]),
    "small_grad_first": float(small.kernel_gradient[0]),
    "small_grad_largest": float(small.kernel_gradient.max()),
    "small_grad_spread": float(small.kernel_gradient.max() / small.kernel_gradient.min()),
    # The same geometric mean for the backward signal, from layer 10 down to layer 1.
    "small_signal_factor": float((small.backward_signal[0] / small.backward_signal[-1]) ** (1 / (DEPTH - 1))),
    "glorot_rms_first": float(glorot.activation_rms[0]),
    "glorot_rms_last": float(glorot.activation_rms[-1]),
    "glorot_grad_first": float(glorot.kernel_gradient[0]),
    "glorot_ratio": float(glorot.kernel_gradient[0] / glorot.kernel_gradient[-1]),
    "glorot_signal_ratio": float(glorot.backward_signal[0] / glorot.backward_signal[-1]),
    "glorot_chi": chi["Glorot uniform"],
    "large_rms_smallest": float(large.activation_rms.min()),
    "large_grad_first": float(large.kernel_gradient[0]),
    "large_grad_last": float(large.kernel_gradient[-1]),
    "large_ratio": float(large.kernel_gradient[0] / large.kernel_gradient[-1]),
    "large_signal_ratio": float(large.backward_signal[0] / large.backward_signal[-1]),
    "large_chi": chi["N(0, 1)"],
    "large_measured_chi": measured_chi["N(0, 1)"],
    "small_over_glorot_first": float(small.kernel_gradient[0] / glorot.kernel_gradient[0]),
}
print(results)
