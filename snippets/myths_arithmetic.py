"""
Title: The arithmetic behind three common myths
Description: Repeated factors of 0.5 and 1.5 over ten layers on a log scale, and the logistic sigmoid beside the natural logarithm.
Accelerator: None
"""

# %% [markdown]
# Three corrections that need no network, only arithmetic and automatic differentiation:
# how fast a product of equal factors shrinks or grows, what the sigmoid actually is, and how
# often ReLU's derivative is exactly zero.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

# %% [markdown]
# Myth: "halving the gradient ten times leaves a tenth of it", and "growing it by half ten
# times makes it 15 times larger". A product of equal factors is a power, not a sum. First the
# arithmetic, then the same thing measured by backpropagation: ten linear layers whose square
# orthogonal kernels, scaled by a gain, multiply every vector's norm by exactly that gain, so
# the chain rule predicts a backward signal of gain¹⁰ at the input.

# %%
LAYERS = np.arange(0, 11)
halving = 0.5**LAYERS
growing = 1.5**LAYERS
print(f"0.5^10 = {halving[-1]:.6f}   1.5^10 = {growing[-1]:.2f}")

CHAIN_WIDTH = 64
chain_inputs = tf.constant(np.random.default_rng(SEED).standard_normal((16, CHAIN_WIDTH)), dtype=tf.float32)


def backward_gain_through_ten_layers(gain):
    chain = keras.Sequential(
        [keras.Input((CHAIN_WIDTH,))]
        + [keras.layers.Dense(CHAIN_WIDTH, use_bias=False, kernel_initializer=keras.initializers.Orthogonal(gain=gain)) for _ in LAYERS[1:]]
    )
    upstream = tf.random.normal((16, CHAIN_WIDTH))  # ∂loss/∂(last layer's output)
    with tf.GradientTape() as tape:
        tape.watch(chain_inputs)
        loss = tf.reduce_sum(chain(chain_inputs) * upstream)
    return float(tf.norm(tape.gradient(loss, chain_inputs)) / tf.norm(upstream))


measured_half, measured_one_and_half = backward_gain_through_ten_layers(0.5), backward_gain_through_ten_layers(1.5)
print(f"backward signal through ten layers: gain 0.5 → {measured_half:.6f}, gain 1.5 → {measured_one_and_half:.2f}")

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(LAYERS, growing, marker="^", label="factor 1.5 per layer: 1.5ⁿ")
ax.semilogy(LAYERS, halving, marker="v", label="factor 0.5 per layer: 0.5ⁿ")
ax.semilogy([10, 10], [measured_half, measured_one_and_half], linestyle="none", marker="*", markersize=12, color="black", label="measured by backpropagation, 10 layers")
ax.semilogy(LAYERS, 1 + 0.5 * LAYERS, linestyle="--", color="grey", label="the linear guess 1 + 0.5n")
ax.semilogy(LAYERS, np.maximum(1 - 0.09 * LAYERS, 1e-4), linestyle=":", color="grey", label="the linear guess ending at 0.1")
ax.set_xlabel("number of layers n")
ax.set_ylabel("backward signal relative to the last layer's (log scale)")
ax.set_title("Repeated factors compound geometrically")
ax.set_ylim(5e-4, 2e3)
ax.legend(fontsize=8, loc="upper left")
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# Myth: "the sigmoid is a logarithmic function". It is the logistic function
# σ(x) = 1 / (1 + e⁻ˣ): bounded in (0, 1), defined for every real x, with a derivative that
# never exceeds ¼. The logarithm is unbounded, defined only for x > 0, and its derivative 1/x
# is unbounded near 0.

# %%
x = tf.constant(np.linspace(-10.0, 10.0, 2001), dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(x)
    sigma = ops.sigmoid(x)
sigma_prime = tape.gradient(sigma, x).numpy()
sigma = sigma.numpy()

positive = np.linspace(0.01, 10.0, 1000)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(x.numpy(), sigma, linewidth=2, label="logistic sigmoid 1 / (1 + e⁻ˣ)")
ax.plot(positive, np.log(positive), linewidth=2, label="natural logarithm ln x")
ax.plot(x.numpy(), sigma_prime, linestyle="--", label="sigmoid derivative σ′(x)")
ax.axhline(0.0, color="grey", linewidth=0.8)
ax.axhline(1.0, color="grey", linewidth=0.8, linestyle=":")
ax.set_ylim(-5, 3)
ax.set_xlabel("input x")
ax.set_ylabel("output")
ax.set_title("The sigmoid is the logistic function, not a logarithm")
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# Myth: "ReLU eliminates vanishing gradients". ReLU′(x) is 1 for x > 0 and exactly 0 for
# x < 0, so for standard-normal pre-activations about half of the derivatives are zero.

# %%
rng = np.random.default_rng(SEED)
pre_activations = tf.constant(rng.standard_normal(100_000), dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(pre_activations)
    active = ops.relu(pre_activations)
relu_prime = tape.gradient(active, pre_activations).numpy()
print(f"ReLU derivatives that are exactly zero: {np.mean(relu_prime == 0.0):.4f}")

# %%
results = {
    "half_power_10": float(halving[-1]),
    "one_and_half_power_10": float(growing[-1]),
    "sigmoid_min": float(sigma.min()),
    "sigmoid_max": float(sigma.max()),
    "sigmoid_derivative_max": float(sigma_prime.max()),
    "log_at_0_01": float(np.log(0.01)),
    "log_at_10": float(np.log(10.0)),
    "sigmoid_at_10": float(sigma[-1]),
    "relu_zero_derivative_fraction": float(np.mean(relu_prime == 0.0)),
    "measured_half_gain_10_layers": measured_half,
    "measured_one_and_half_gain_10_layers": measured_one_and_half,
    "sigmoid_derivative_at_10": float(sigma_prime[-1]),
    "relu_samples": int(pre_activations.shape[0]),
}
print(results)
