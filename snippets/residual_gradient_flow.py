"""
Title: Skip connections carry the gradient through 20 sigmoid blocks
Description: Per-block kernel gradient norms of a 20-block sigmoid network of width 64, plain and with x + f(x) skip connections, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Twenty blocks of width 64. A plain block computes f(x) = sigmoid(W x + b); a residual
# block computes x + f(x) with the very same f (He et al. 2016). Everything else is the
# same: Glorot uniform kernels, one batch, one backward pass.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, BATCH = 20, 64, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build(residual):
    inputs = keras.Input((WIDTH,))
    h, dense = inputs, []
    for _ in range(BLOCKS):
        dense.append(keras.layers.Dense(WIDTH, activation="sigmoid"))
        f = dense[-1](h)
        h = keras.layers.Add()([h, f]) if residual else f
    outputs = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model(inputs, [outputs, h]), dense


def block_gradient_norms(residual):
    model, dense = build(residual)
    with tf.GradientTape() as tape:
        prediction, last_stream = model(x, training=True)
        loss = keras.losses.BinaryCrossentropy()(y, prediction)
    norms = np.array([float(tf.norm(g)) for g in tape.gradient(loss, [d.kernel for d in dense])])
    return norms, float(np.mean(last_stream))


(plain_norms, _), (residual_norms, stream_mean) = block_gradient_norms(False), block_gradient_norms(True)
norms = {"plain": plain_norms, "residual": residual_norms}
print(f"mean of the residual stream after block {BLOCKS}: {stream_mean:.2f}")
for name, n in norms.items():
    print(f"{name:9s} block 1 {n[0]:.3e}   block {BLOCKS} {n[-1]:.3e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(range(1, BLOCKS + 1), norms["plain"], marker="o", label="plain: h ← f(h)")
ax.semilogy(range(1, BLOCKS + 1), norms["residual"], marker="s", label="residual: h ← h + f(h)")
ax.set_xlabel("block (1 = next to the input)")
ax.set_ylabel("‖∂loss/∂kernel‖ (log scale)")
ax.set_xticks(range(2, BLOCKS + 1, 2))
ax.set_title(f"Gradient norm per block, {BLOCKS} sigmoid blocks of {WIDTH} units")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "plain_first": float(norms["plain"][0]),
    "residual_first": float(norms["residual"][0]),
    "plain_ratio": float(norms["plain"][0] / norms["plain"][-1]),
    "residual_ratio": float(norms["residual"][0] / norms["residual"][-1]),
    "residual_over_plain_first": float(norms["residual"][0] / norms["plain"][0]),
    "residual_stream_mean_last": stream_mean,
}
print(results)
