"""
Title: Clipping does not revive a vanishing gradient; SELU normalises without a normalisation layer
Description: Per-layer activation variance of 30-layer networks with LeCun normal weights, SELU against ReLU, on a log scale; SELU stays near 1 with no normalisation layer.
Accelerator: None
"""

# %% [markdown]
# Two myths that need a network. First: "gradient clipping fixes vanishing gradients".
# Keras's `clipnorm=c` rescales each variable's gradient g to g · min(1, c / ‖g‖): it can only
# shrink a gradient, never enlarge one. We apply it to a ten-layer sigmoid network.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 32, 128
rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]

sigmoid_net = keras.Sequential(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="sigmoid", kernel_initializer="glorot_uniform") for _ in range(DEPTH)]
    + [keras.layers.Dense(1, activation="sigmoid")]
)
with tf.GradientTape() as tape:
    loss = keras.losses.BinaryCrossentropy()(y, sigmoid_net(x))
raw = tape.gradient(loss, sigmoid_net.trainable_variables)


# %% [markdown]
# The optimiser applies the clipping, exactly as in training: SGD with learning rate 1 moves a
# zero variable by minus the clipped gradient, so the move *is* the clipped gradient.

# %%
def first_kernel_after_clipnorm(threshold):
    moved = [tf.Variable(tf.zeros_like(g)) for g in raw]
    keras.optimizers.SGD(learning_rate=1.0, clipnorm=threshold).apply(raw, moved)
    return float(np.linalg.norm(moved[0].numpy()))


raw_first = float(np.linalg.norm(raw[0].numpy()))
raw_last = float(np.linalg.norm(raw[2 * (DEPTH - 1)].numpy()))
clipped_first = first_kernel_after_clipnorm(1.0)
# Any threshold at all: the first layer's gradient never comes out larger than it went in.
sweep = [first_kernel_after_clipnorm(threshold) / raw_first for threshold in np.logspace(-8, 1, 10)]
print(f"first-layer gradient norm: raw {raw_first:.3e}, after clipnorm=1 {clipped_first:.3e}")

# %% [markdown]
# Second: "self-normalising networks means batch normalisation". Self-normalising networks
# are the SELU networks of Klambauer et al. (2017): SELU's constants α and λ, with weights of
# variance 1/fan_in (LeCun normal), make activation mean 0 and variance 1 a stable fixed
# point, with no normalisation layer at all. ReLU with the same weights has no such fixed point.

# %%
SELU_DEPTH, SELU_WIDTH = 30, 64
inputs = rng.standard_normal((BATCH, SELU_WIDTH)).astype("float32")


def activation_statistics(activation):
    dense = [
        keras.layers.Dense(SELU_WIDTH, activation=activation, kernel_initializer="lecun_normal")
        for _ in range(SELU_DEPTH)
    ]
    h, means, variances = inputs, [], []
    for layer in dense:
        h = layer(h)
        means.append(float(np.mean(h)))
        variances.append(float(np.var(h)))
    return np.array(means), np.array(variances)


selu_mean, selu_var = activation_statistics("selu")
relu_mean, relu_var = activation_statistics("relu")
print(f"layer {SELU_DEPTH}: SELU mean {selu_mean[-1]:+.3f} variance {selu_var[-1]:.3f};  ReLU variance {relu_var[-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
layers = np.arange(1, SELU_DEPTH + 1)
ax.semilogy(layers, selu_var, marker="o", markersize=4, label="SELU + LeCun normal")
ax.semilogy(layers, relu_var, marker="s", markersize=4, label="ReLU + LeCun normal")
ax.axhline(1.0, color="grey", linestyle=":", label="variance 1, the SELU fixed point")
ax.set_xlabel("layer")
ax.set_ylabel("activation variance (log scale)")
ax.set_title(f"No normalisation layer: {SELU_DEPTH} layers of {SELU_WIDTH} units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "clip_threshold": 1.0,
    "raw_first_norm": raw_first,
    "raw_last_norm": raw_last,
    "raw_first_over_last": raw_first / raw_last,
    "clipped_first_norm": clipped_first,
    "clipped_over_raw_first": clipped_first / raw_first,
    "max_clipped_over_raw_any_threshold": float(max(sweep)),
    "selu_last_mean": float(selu_mean[-1]),
    "selu_last_variance": float(selu_var[-1]),
    "selu_max_abs_mean": float(np.abs(selu_mean).max()),
    "relu_last_variance": float(relu_var[-1]),
}
print(results)
