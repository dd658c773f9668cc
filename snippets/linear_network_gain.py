"""
Title: The chain rule measured in a deep linear network
Description: Gradient norm at the output of every layer of an 11-layer linear network with orthogonal weights of gain 0.5, 1 and 1.5, against the prediction gain to the power of the layers crossed.
Accelerator: None
"""

# %% [markdown]
# A linear network with square orthogonal weight matrices scaled by a gain g is the cleanest test
# of the chain rule: each layer's Jacobian is g times an orthogonal matrix, and a *square*
# orthogonal matrix preserves the norm of whatever it multiplies (a rectangular one only in one
# direction). The gradient crossing k layers on the way back must therefore be scaled by exactly
# gᵏ, and so must the forward signal.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 11, 32, 64
GAINS = (0.5, 1.0, 1.5)

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
targets = rng.standard_normal((BATCH, WIDTH)).astype("float32")


def build_linear_network(gain):
    layers = [keras.Input((WIDTH,))]
    for _ in range(DEPTH):
        initializer = keras.initializers.Orthogonal(gain=gain)
        layers.append(keras.layers.Dense(WIDTH, use_bias=False, kernel_initializer=initializer))
    return keras.Sequential(layers)


# %% [markdown]
# `probe_layers` (in `gradbook/signal_probe.py`) returns, for every layer, the norm of the
# gradient with respect to its output — the signal backpropagation passes down — the norm of its
# kernel's gradient, and the rms of its output, in float64.

# %%
def gradient_norms(model):
    probe = probe_layers(model, x, targets, keras.losses.MeanSquaredError(), layers=model.layers)
    return probe.backward_signal, probe.kernel_gradient, probe.activation_rms


norms = {gain: gradient_norms(build_linear_network(gain)) for gain in GAINS}
for gain, (signal, kernel, _) in norms.items():
    print(
        f"gain {gain}: ‖∂loss/∂h₁‖ / ‖∂loss/∂h₁₁‖ = {signal[0] / signal[-1]:.6g}"
        f"   (g^{DEPTH - 1} = {gain ** (DEPTH - 1):.6g});"
        f"   kernel gradients, first / last = {kernel[0] / kernel[-1]:.6f}"
    )

# %%
layer = np.arange(1, DEPTH + 1)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (gain, (signal, _, _)), marker in zip(norms.items(), "vo^"):
    line = ax.semilogy(layer, signal / signal[-1], marker=marker, linestyle="none", label=f"measured, gain {gain}")
    ax.semilogy(layer, gain ** (DEPTH - layer), color=line[0].get_color(), linestyle="--", alpha=0.6)
ax.plot([], [], color="grey", linestyle="--", label="prediction g^(11 − layer)")
ax.set_xlabel("layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂(layer output)‖ relative to layer 11 (log scale)")
ax.set_xticks(layer)
ax.set_title("Backward signal in an 11-layer linear network")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {"depth": DEPTH}
for gain, name in zip(GAINS, ("half", "one", "one_and_half")):
    signal, kernel, rms = norms[gain]
    results[f"signal_ratio_{name}"] = float(signal[0] / signal[-1])
    results[f"kernel_ratio_{name}"] = float(kernel[0] / kernel[-1])
    # Forward: layer 11's output against layer 1's, scaled by g¹⁰ on the way up.
    results[f"forward_ratio_{name}"] = float(rms[-1] / rms[0])
print(results)
