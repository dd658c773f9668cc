"""
Title: How deep can a sigmoid network be?
Description: Ratio of the first to the last hidden layer's gradient norm in sigmoid MLPs with Glorot uniform weights and 1 to 12 hidden layers of 32 units, on a log scale, with the 1 % line.
Accelerator: None
"""

# %% [markdown]
# A reader's question: how many sigmoid layers can a network have before its first layer
# receives less than 1 % of the gradient its last hidden layer receives? We build sigmoid MLPs
# of growing depth (Glorot uniform weights, 32 units) and measure that ratio after one
# backward pass on synthetic data.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = np.arange(1, 13)
WIDTH, BATCH, THRESHOLD = 32, 128, 0.01

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def first_over_last(depth):
    hidden = [keras.layers.Dense(WIDTH, activation="sigmoid", kernel_initializer="glorot_uniform") for _ in range(depth)]
    model = keras.Sequential([keras.Input((WIDTH,))] + hidden + [keras.layers.Dense(1, activation="sigmoid")])
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x))
    first, last = tape.gradient(loss, [hidden[0].kernel, hidden[-1].kernel])
    return float(tf.norm(first) / tf.norm(last))


ratios = np.array([first_over_last(int(depth)) for depth in DEPTHS])
for depth, ratio in zip(DEPTHS, ratios):
    print(f"{depth:2d} hidden layers: first/last = {ratio:.2e}")

# %% [markdown]
# The answer is the first depth whose ratio falls below 1 %. Each extra layer multiplies the
# ratio by roughly the sigmoid's derivative, at most ¼, so the crossing comes early.

# %%
limit_depth = int(DEPTHS[np.argmax(ratios < THRESHOLD)])
per_layer = float((ratios[-1] / ratios[1]) ** (1 / (DEPTHS[-1] - DEPTHS[1])))

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(DEPTHS, ratios, marker="o", label="sigmoid + Glorot uniform, measured")
ax.semilogy(DEPTHS, 0.25 ** (DEPTHS - 1.0), linestyle="--", color="grey", label="¼ per extra layer")
ax.axhline(THRESHOLD, color="tab:red", linestyle=":", label="1 % of the last layer's gradient")
ax.axvline(limit_depth, color="tab:red", linewidth=0.8)
ax.set_xlabel("number of hidden layers")
ax.set_ylabel("‖grad layer 1‖ / ‖grad last hidden layer‖ (log scale)")
ax.set_xticks(DEPTHS)
ax.set_title(f"Sigmoid MLP, width {WIDTH}: first layer's share of the gradient")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "depth_below_one_percent": limit_depth,
    "ratio_at_limit": float(ratios[limit_depth - 1]),
    "ratio_one_layer_shallower": float(ratios[limit_depth - 2]),
    "ratio_depth_12": float(ratios[-1]),
    "shrink_per_layer": per_layer,
}
print(results)
