"""
Title: Backward signal per layer with weights three times He's scale
Description: Norm of the loss gradient with respect to each hidden layer's output in a 10-layer ReLU MLP, He normal against three times He's standard deviation, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Ten hidden ReLU layers of 64 units, initialised with `RandomNormal`. He et al. (2015) chose
# the standard deviation √(2 / fan_in) so that every layer passes the backward signal on at the
# same size. Here one network uses that value and the other three times it; nothing else differs.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
HE_STD = float(np.sqrt(2.0 / WIDTH))
SCALES = {"He normal (σ = √(2/64))": 1.0, "3 × He's σ": 3.0}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) / np.sqrt(WIDTH)).astype("float32")[:, None]


def build_mlp(stddev):
    init = lambda: keras.initializers.RandomNormal(stddev=stddev)  # noqa: E731 - a fresh draw per layer
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="relu", kernel_initializer=init()) for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, kernel_initializer=init()))
    return keras.Sequential(layers)


# %% [markdown]
# One backward pass of the mean squared error through `probe_layers` (in
# `gradbook/signal_probe.py`): for every hidden layer, the backward signal ‖∂loss/∂h_l‖ arriving
# at its output h_l, its kernel's gradient, and the rms of h_l (the forward signal's scale), in
# float64.

# %%
probes = {name: probe_layers(build_mlp(scale * HE_STD), x, y, keras.losses.MeanSquaredError())
          for name, scale in SCALES.items()}
signal = {name: p.backward_signal for name, p in probes.items()}
kernel = {name: p.kernel_gradient for name, p in probes.items()}
forward = {name: p.activation_rms for name, p in probes.items()}
for name in SCALES:
    print(f"{name:26s} ‖∂loss/∂h‖ layer 1 {signal[name][0]:.2e}, layer {DEPTH} {signal[name][-1]:.2e};"
          f"  activation rms layer 1 {forward[name][0]:.2e}, layer {DEPTH} {forward[name][-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, norms), marker in zip(signal.items(), "os"):
    ax.semilogy(range(1, DEPTH + 1), norms, marker=marker, label=name)
ax.set_xlabel("hidden layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂h_l‖ (log scale)")
ax.set_xticks(range(1, DEPTH + 1))
ax.set_title("Backward signal ‖∂loss/∂h_l‖ per layer, 10 ReLU layers of 64 units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# The first/last ratio of the backward signal, and the same ratio for the kernel gradients
# ∂loss/∂W_l = h_{l−1}ᵀ · ∂loss/∂z_l, whose activation factor grows forward as fast as the
# signal grows backward.

# %%
large, he = "3 × He's σ", "He normal (σ = √(2/64))"
results = {
    "scale": SCALES[large],
    "depth": DEPTH,
    "large_signal_ratio": float(signal[large][0] / signal[large][-1]),
    "he_signal_ratio": float(signal[he][0] / signal[he][-1]),
    "large_kernel_ratio": float(kernel[large][0] / kernel[large][-1]),
    "large_first_kernel_gradient": float(kernel[large][0]),
    "he_first_kernel_gradient": float(kernel[he][0]),
    "predicted_signal_ratio": float(SCALES[large] ** (DEPTH - 1)),
    # Forward: rms of layer 10's output over layer 1's, which grows by σ / σ_He per layer too.
    "large_forward_ratio": float(forward[large][-1] / forward[large][0]),
    "he_forward_ratio": float(forward[he][-1] / forward[he][0]),
}
print(results)
