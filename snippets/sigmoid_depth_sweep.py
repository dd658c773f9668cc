"""
Title: Shallow sigmoid nets avoid vanishing gradients, deep ones do not
Description: First-to-last hidden-layer gradient-norm ratio of sigmoid MLPs with 2 to 20 hidden layers of 64 units, on a log scale, against the 0.25-per-layer bound.
Accelerator: None
"""

# %% [markdown]
# Before better activations and initialisations, one way to live with vanishing gradients
# was to stay shallow. We measure how much gradient reaches the first hidden layer,
# relative to the last, in sigmoid MLPs (Glorot uniform kernels) of growing depth.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTHS = [2, 3, 5, 10, 15, 20]
WIDTH, BATCH = 64, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def first_last_ratio(depth):
    dense = [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(depth)]
    model = keras.Sequential([keras.Input((WIDTH,)), *dense, keras.layers.Dense(1, activation="sigmoid")])
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y, model(x, training=True))
    grads = tape.gradient(loss, [layer.kernel for layer in dense])
    return float(tf.norm(grads[0]) / tf.norm(grads[-1]))


ratios = np.array([first_last_ratio(depth) for depth in DEPTHS])
for depth, ratio in zip(DEPTHS, ratios):
    print(f"{depth:2d} hidden layers: first/last = {ratio:.3e}")

# %% [markdown]
# The gradient crosses depth − 1 sigmoid derivatives between the last hidden layer and the
# first, each at most 1/4: the grey line is 4^−(depth − 1).

# %%
depths = np.array(DEPTHS)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(depths, ratios, marker="o", label="measured, sigmoid + Glorot uniform")
ax.semilogy(depths, 0.25 ** (depths - 1.0), color="grey", linestyle=":", label="0.25^(depth − 1): the derivative factors alone")
ax.set_xlabel("number of hidden layers")
ax.set_ylabel("‖∂loss/∂W_first‖ / ‖∂loss/∂W_last‖ (log scale)")
ax.set_xticks(DEPTHS)
ax.set_title("Gradient reaching the first layer of a sigmoid MLP, by depth")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {f"ratio_depth_{depth}": float(ratio) for depth, ratio in zip(DEPTHS, ratios)}
# factor lost per extra layer: slope of a least-squares line through log(ratio) against depth
results["factor_per_layer"] = float(np.exp(np.polyfit(depths, np.log(ratios), 1)[0]))
print(results)
