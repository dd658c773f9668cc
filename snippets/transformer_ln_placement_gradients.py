"""
Title: Post-LN and pre-LN transformer encoders at initialisation, block by block
Description: Backward signal ‖∂loss/∂h_l‖ on the residual stream and the kernel-gradient norm of each block's second feed-forward layer, for 12-block post-LN and pre-LN transformer encoders of width 32 at initialisation, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Two small transformer encoders built from Keras layers: width 32, four heads of
# `keras.layers.MultiHeadAttention`, a ReLU feed-forward network of width 128, and
# `keras.layers.LayerNormalization`, all with Keras's default initialisers (Glorot uniform
# kernels, zero biases, LayerNormalization with γ = 1, β = 0 and ε = 10⁻³). They differ only in
# where the normalisation sits:
#
# - **post-LN** (Vaswani et al. 2017): h ← LN(h + Attention(h)), then h ← LN(h + FFN(h));
# - **pre-LN** (Xiong et al. 2020): h ← h + Attention(LN(h)), then h ← h + FFN(LN(h)), with one
#   more LN before the read-out.
#
# The task is to reverse a sequence of 16 tokens from a vocabulary of 16, read out at every
# position with a Dense layer and a softmax cross-entropy. Tokens and positions have learned
# embeddings with Keras's default `uniform` initialiser, U(−0.05, 0.05).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, SHALLOW, WIDTH, HEADS, SEQ, VOCAB, BATCH = 12, 6, 32, 4, 16, 16, 64

rng = np.random.default_rng(SEED)
x = rng.integers(0, VOCAB, (BATCH, SEQ)).astype("int32")
y = x[:, ::-1].copy()  # the target: the input reversed


class AddPositions(keras.layers.Layer):
    """Adds a learned embedding of each position, initialised like keras.layers.Embedding."""

    def build(self, input_shape):
        self.positions = self.add_weight(shape=input_shape[1:], initializer="random_uniform")

    def call(self, h):
        return h + self.positions


def build(placement):
    """Returns a 6-block and a 12-block model sharing their first six blocks and their read-out,
    the layers whose outputs are the stream h_l, and each block's second feed-forward Dense layer."""
    tokens = keras.Input((SEQ,), dtype="int32")
    h = AddPositions()(keras.layers.Embedding(VOCAB, WIDTH)(tokens))
    streams, ffn_out = [], []
    for _ in range(BLOCKS):
        a = keras.layers.LayerNormalization()(h) if placement == "pre" else h
        a = keras.layers.MultiHeadAttention(HEADS, WIDTH // HEADS)(a, a)
        h = keras.layers.Add()([h, a])
        if placement == "post":
            h = keras.layers.LayerNormalization()(h)
        f = keras.layers.LayerNormalization()(h) if placement == "pre" else h
        f = keras.layers.Dense(4 * WIDTH, activation="relu")(f)
        ffn_out.append(keras.layers.Dense(WIDTH))
        f = ffn_out[-1](f)
        streams.append(keras.layers.Add() if placement == "pre" else keras.layers.LayerNormalization())
        h = streams[-1]([h, f]) if placement == "pre" else streams[-1](keras.layers.Add()([h, f]))
    final_norm = keras.layers.LayerNormalization() if placement == "pre" else lambda t: t
    read_out = keras.layers.Dense(VOCAB)
    models = {depth: keras.Model(tokens, read_out(final_norm(streams[depth - 1].output)))
              for depth in (SHALLOW, BLOCKS)}
    return models, streams, ffn_out


# %% [markdown]
# One batch, one backward pass of each model. `probe_layers` (in `gradbook/signal_probe.py`) reads
# the **backward signal** ‖∂loss/∂h_l‖ on the residual stream at each block's output, the rms of h_l,
# and the **kernel gradient** ‖∂loss/∂W₂‖ of each block's second feed-forward layer, the weight
# Xiong et al. (2020) analyse.

# %%
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
probes = {}
for placement in ("post", "pre"):
    models, streams, ffn_out = build(placement)
    for depth, model in models.items():
        probes[placement, depth] = probe_layers(model, x, y, loss_fn, layers=streams[:depth] + ffn_out[:depth])


def signal(placement, depth):
    return probes[placement, depth].backward_signal[:depth]


def kernel(placement, depth):
    return probes[placement, depth].kernel_gradient[depth:]


def rms(placement, depth):
    return probes[placement, depth].activation_rms[:depth]


for placement in ("post", "pre"):
    print(f"{placement}-LN, {BLOCKS} blocks: ‖∂L/∂h_l‖ {np.array2string(signal(placement, BLOCKS), precision=4)}")
    print(f"   rms of h_l {np.array2string(rms(placement, BLOCKS), precision=2)}")
    print(f"   ‖∂L/∂W₂‖   {np.array2string(kernel(placement, BLOCKS), precision=3)}")

# %% [markdown]
# What to expect in the pre-LN stack. Each sublayer reads a normalised copy of the stream and adds
# a branch of variance v that does not depend on the stream's scale, so the stream's variance grows
# by v per sublayer: σ²_l = σ²_(l−1) + v. Backward, the branch's Jacobian passes through the LN,
# which divides by σ, so the squared backward signal grows by 1 + χ/σ² per sublayer toward the
# input, with χ the branch's own backward gain. For a branch whose forward and backward gains
# match (χ ≈ v, exact for linear and ReLU maps) the two products telescope: ‖∂L/∂h_l‖ · σ_l stays
# constant. The last block's gradients therefore carry a factor 1/σ_L, which grows with depth as
# √L: the 1/√L of Xiong et al. (2020). Post-LN renormalises the stream after every sublayer, so
# σ_l = 1 throughout and no such factor appears.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
styles = {"post": ("tab:red", "o"), "pre": ("tab:blue", "s")}
for placement, (colour, marker) in styles.items():
    for depth, line in ((BLOCKS, "-"), (SHALLOW, ":")):
        blocks = range(1, depth + 1)
        label = f"{placement}-LN, {depth} blocks"
        axes[0].semilogy(blocks, signal(placement, depth), line, color=colour, marker=marker, markersize=4, label=label)
        axes[1].semilogy(blocks, kernel(placement, depth), line, color=colour, marker=marker, markersize=4, label=label)
axes[0].set_title("Backward signal on the residual stream")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_title("Kernel gradient of each block's FFN output layer W₂")
axes[1].set_ylabel("kernel gradient ‖∂loss/∂W₂‖ (log scale)")
for ax in axes:
    ax.set_xlabel("block l (1 = next to the embedding)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()

# %%
pre_signal_times_rms = signal("pre", BLOCKS) * rms("pre", BLOCKS)
results = {
    "post_signal_first_over_last": float(signal("post", BLOCKS)[0] / signal("post", BLOCKS)[-1]),
    "post_signal_spread": float(signal("post", BLOCKS).max() / signal("post", BLOCKS).min()),
    "post_kernel_spread": float(kernel("post", BLOCKS).max() / kernel("post", BLOCKS).min()),
    "post_rms_last": float(rms("post", BLOCKS)[-1]),
    "pre_signal_first_over_last": float(signal("pre", BLOCKS)[0] / signal("pre", BLOCKS)[-1]),
    "pre_kernel_first_over_last": float(kernel("pre", BLOCKS)[0] / kernel("pre", BLOCKS)[-1]),
    "pre_rms_first": float(rms("pre", BLOCKS)[0]),
    "pre_rms_last": float(rms("pre", BLOCKS)[-1]),
    "pre_rms_growth": float(rms("pre", BLOCKS)[-1] / rms("pre", BLOCKS)[0]),
    "pre_signal_times_rms_spread": float(pre_signal_times_rms.max() / pre_signal_times_rms.min()),
    # Xiong et al.'s quantity: the last block's ‖∂L/∂W₂‖, at 6 and at 12 blocks.
    "post_last_kernel_shallow": float(kernel("post", SHALLOW)[-1]),
    "post_last_kernel_deep": float(kernel("post", BLOCKS)[-1]),
    "pre_last_kernel_shallow": float(kernel("pre", SHALLOW)[-1]),
    "pre_last_kernel_deep": float(kernel("pre", BLOCKS)[-1]),
    "post_last_kernel_deep_over_shallow": float(kernel("post", BLOCKS)[-1] / kernel("post", SHALLOW)[-1]),
    "pre_last_kernel_deep_over_shallow": float(kernel("pre", BLOCKS)[-1] / kernel("pre", SHALLOW)[-1]),
    "pre_rms_shallow_over_deep": float(rms("pre", BLOCKS)[SHALLOW - 1] / rms("pre", BLOCKS)[-1]),
    "post_over_pre_last_kernel_shallow": float(kernel("post", SHALLOW)[-1] / kernel("pre", SHALLOW)[-1]),
    "post_over_pre_last_kernel_deep": float(kernel("post", BLOCKS)[-1] / kernel("pre", BLOCKS)[-1]),
}
print(results)
