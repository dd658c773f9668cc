"""
Title: The chain rule measured in a deep linear network
Description: Gradient norm at the output of every layer of an 11-layer linear network with orthogonal weights of gain 0.5, 1 and 1.5, against the prediction gain to the power of the layers crossed.
Accelerator: None
"""

# %% [markdown]
# A linear network with orthogonal weight matrices scaled by a gain g is the cleanest test of
# the chain rule: each layer's Jacobian is g times an orthogonal matrix, and an orthogonal
# matrix preserves the norm of whatever it multiplies. The gradient crossing k layers on the way
# back must therefore be scaled by exactly gᵏ.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

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
# Run the layers one by one under the tape so that the gradient with respect to every layer's
# output — the signal backpropagation passes down — can be read off, as well as the gradient
# with respect to every kernel.

# %%
def gradient_norms(model):
    loss_fn = keras.losses.MeanSquaredError()
    with tf.GradientTape() as tape:
        outputs, h = [], x
        for layer in model.layers:
            h = layer(h)
            outputs.append(h)
        loss = loss_fn(targets, h)
    kernels = [layer.kernel for layer in model.layers]
    signal_grads, kernel_grads = tape.gradient(loss, (outputs, kernels))
    return norms_of(signal_grads), norms_of(kernel_grads)


def norms_of(gradients):
    return np.array([float(tf.norm(g)) for g in gradients])


norms = {gain: gradient_norms(build_linear_network(gain)) for gain in GAINS}
for gain, (signal, kernel) in norms.items():
    print(
        f"gain {gain}: ‖∂loss/∂h₁‖ / ‖∂loss/∂h₁₁‖ = {signal[0] / signal[-1]:.6g}"
        f"   (g^{DEPTH - 1} = {gain ** (DEPTH - 1):.6g});"
        f"   kernel gradients, first / last = {kernel[0] / kernel[-1]:.6f}"
    )

# %%
layer = np.arange(1, DEPTH + 1)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (gain, (signal, _)), marker in zip(norms.items(), "vo^"):
    line = ax.semilogy(layer, signal / signal[-1], marker=marker, linestyle="none", label=f"measured, gain {gain}")
    ax.semilogy(layer, gain ** (DEPTH - layer), color=line[0].get_color(), linestyle="--", alpha=0.6)
ax.plot([], [], color="grey", linestyle="--", label="prediction g^(11 − layer)")
ax.set_xlabel("layer (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂(layer output)‖ relative to layer 11 (log scale)")
ax.set_xticks(layer)
ax.set_title("Backpropagated gradient in an 11-layer linear network")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {"depth": DEPTH}
for gain, name in zip(GAINS, ("half", "one", "one_and_half")):
    signal, kernel = norms[gain]
    results[f"signal_ratio_{name}"] = float(signal[0] / signal[-1])
    results[f"kernel_ratio_{name}"] = float(kernel[0] / kernel[-1])
print(results)
