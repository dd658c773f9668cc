"""
Title: Three gradient profiles to recognise at a glance
Description: Per-layer backward signal (left) and kernel gradient norms (right), relative to the last hidden layer, of 10-layer MLPs that vanish, stay healthy and explode, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The quickest diagnosis is one backward pass and one norm per layer. Three ten-layer MLPs of
# 32 units show the three shapes that profile takes: falling toward the input (vanishing),
# flat (healthy), rising toward the input (exploding). We record two norms per layer with
# `probe_layers` (from `gradbook/signal_probe.py`): the backward signal ‖∂loss/∂h_l‖ at the
# layer's output, and the kernel gradient ‖∂loss/∂W_l‖, which is the layer's input times that
# signal and so also carries the input's scale.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 32, 128
CONFIGS = {
    "vanishing: sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform"),
    "healthy: ReLU + He normal": ("relu", "he_normal"),
    "exploding: tanh + N(0, 1) weights": ("tanh", keras.initializers.RandomNormal(stddev=1.0)),
}

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def relative_profiles(activation, initializer):
    hidden = [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer) for _ in range(DEPTH)]
    model = keras.Sequential([keras.Input((WIDTH,))] + hidden + [keras.layers.Dense(1, activation="sigmoid")])
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    return probe.backward_signal / probe.backward_signal[-1], probe.kernel_gradient / probe.kernel_gradient[-1]


profiles = {name: relative_profiles(*config) for name, config in CONFIGS.items()}
for name, (signal, kernel) in profiles.items():
    print(f"{name:38s} first/last: backward signal {signal[0]:.2e}, kernel gradient {kernel[0]:.2e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
for panel, (ax, quantity) in enumerate(zip(axes, ["backward signal ‖∂loss/∂h_l‖", "kernel gradient ‖∂loss/∂W_l‖"])):
    for (name, pair), marker in zip(profiles.items(), "os^"):
        ax.semilogy(range(1, DEPTH + 1), pair[panel], marker=marker, label=name)
    ax.set_xlabel("hidden layer l (1 = next to the input)")
    ax.set_xticks(range(1, DEPTH + 1))
    ax.set_title(quantity)
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("norm ÷ last hidden layer's (log scale)")
axes[0].legend(fontsize=8)
fig.suptitle("Per-layer gradient profile: the shape is the diagnosis")
fig.tight_layout()

# %%
results = {
    "vanishing_ratio": float(profiles["vanishing: sigmoid + Glorot uniform"][1][0]),
    "healthy_ratio": float(profiles["healthy: ReLU + He normal"][1][0]),
    "exploding_ratio": float(profiles["exploding: tanh + N(0, 1) weights"][1][0]),
    "vanishing_signal_ratio": float(profiles["vanishing: sigmoid + Glorot uniform"][0][0]),
    "healthy_signal_ratio": float(profiles["healthy: ReLU + He normal"][0][0]),
    "exploding_signal_ratio": float(profiles["exploding: tanh + N(0, 1) weights"][0][0]),
}
print(results)
