"""
Title: A pre-LN stream grows with depth; GPT-2's 1/√(2N) scaling shrinks what the branches add
Description: Root mean square of the residual stream h_l and backward signal ‖∂loss/∂h_l‖ per block of a 12-block pre-LN transformer encoder of width 32 at initialisation, with Keras's default output projections and with them scaled by 1/√(2N) as in GPT-2, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A pre-LN encoder of 12 blocks, width 32, four heads of `keras.layers.MultiHeadAttention`, a
# ReLU feed-forward network of width 128, Keras's default initialisers (Glorot uniform kernels,
# zero biases, embeddings U(−0.05, 0.05)). Each block adds two branches to the residual stream:
# h ← h + Attention(LN(h)), then h ← h + FFN(LN(h)). GPT-2 (Radford et al. 2019) scales "the
# weights of residual layers at initialization by a factor of 1/√N where N is the number of
# residual layers": the layers whose outputs are added to the stream, the attention's output
# projection and the FFN's second Dense layer. With two per block, N counts 2 × 12 = 24 of them.
# We probe the model once as Keras initialises it, then multiply those two kernels in every block
# by 1/√24 and probe the very same weights again.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, HEADS, SEQ, VOCAB, BATCH = 12, 32, 4, 16, 16, 64
SCALE = 1 / np.sqrt(2 * BLOCKS)

rng = np.random.default_rng(SEED)
x = rng.integers(0, VOCAB, (BATCH, SEQ)).astype("int32")
y = x[:, ::-1].copy()  # a sequence-reversal target


class AddPositions(keras.layers.Layer):
    """Adds a learned embedding of each position, initialised like keras.layers.Embedding."""

    def build(self, input_shape):
        self.positions = self.add_weight(shape=input_shape[1:], initializer="random_uniform")

    def call(self, h):
        return h + self.positions


tokens = keras.Input((SEQ,), dtype="int32")
h = AddPositions()(keras.layers.Embedding(VOCAB, WIDTH)(tokens))
streams, residual_projections = [], []
for _ in range(BLOCKS):
    a = keras.layers.LayerNormalization()(h)
    attention = keras.layers.MultiHeadAttention(HEADS, WIDTH // HEADS)
    h = keras.layers.Add()([h, attention(a, a)])
    f = keras.layers.LayerNormalization()(h)
    ffn_out = keras.layers.Dense(WIDTH)
    streams.append(keras.layers.Add())
    h = streams[-1]([h, ffn_out(keras.layers.Dense(4 * WIDTH, activation="relu")(f))])
    residual_projections += [attention.output_dense.kernel, ffn_out.kernel]
model = keras.Model(tokens, keras.layers.Dense(VOCAB)(keras.layers.LayerNormalization()(h)))
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

probes = {"Keras default": probe_layers(model, x, y, loss_fn, layers=streams)}
for kernel in residual_projections:
    kernel.assign(kernel * SCALE)
probes[f"output projections × 1/√{2 * BLOCKS}"] = probe_layers(model, x, y, loss_fn, layers=streams)

for name, probe in probes.items():
    print(f"{name}: rms of h_l {np.array2string(probe.activation_rms, precision=3)}")
    print(f"   ‖∂L/∂h_l‖ {np.array2string(probe.backward_signal, precision=4)}")

# %% [markdown]
# What to expect. Each branch reads a normalised copy of the stream, so what it adds has a variance
# v set by its own weights, not by the stream, and it is uncorrelated with the stream at
# initialisation. The stream's variance is the embedding's plus the sum of the branches': about
# 2l·v after l blocks, an rms growing like √l. Scaling every branch by 1/√(2N) divides each v by
# 2N, so all 2N branches together add about one unscaled branch's worth. The embedding here has
# variance 1/600 per unit (two U(−0.05, 0.05) terms of 1/1200), far below v, so the stream is made almost
# entirely of branch outputs either way, and the scaled stream is the unscaled one times 1/√(2N).
# Every branch and the read-out see the stream through a LayerNormalization, which ignores its
# scale, so the loss is almost unchanged and the backward signal is √(2N) times larger at every
# block: the same profile, shifted.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
blocks = range(1, BLOCKS + 1)
for (name, probe), marker in zip(probes.items(), "os"):
    axes[0].semilogy(blocks, probe.activation_rms, marker=marker, markersize=4, label=name)
    axes[1].semilogy(blocks, probe.backward_signal, marker=marker, markersize=4, label=name)
default = probes["Keras default"]
axes[0].semilogy(blocks, default.activation_rms[-1] * np.sqrt(np.arange(1, BLOCKS + 1) / BLOCKS), "k:",
                 label=f"∝ √l, through block {BLOCKS}")
axes[0].set_title(f"Forward: residual stream, {BLOCKS} pre-LN blocks")
axes[0].set_ylabel("rms of h_l over the batch (log scale)")
axes[1].set_title("Backward signal on the residual stream")
axes[1].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
for ax in axes:
    ax.set_xlabel("block l (1 = next to the embedding)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()

# %%
scaled = probes[f"output projections × 1/√{2 * BLOCKS}"]
half = BLOCKS // 2
results = {
    "scale": float(SCALE),
    "default_rms_first": float(default.activation_rms[0]),
    "default_rms_last": float(default.activation_rms[-1]),
    "default_rms_growth": float(default.activation_rms[-1] / default.activation_rms[0]),
    # Linear growth of the variance predicts 2 for blocks 12 against 6.
    "default_variance_last_over_half": float((default.activation_rms[-1] / default.activation_rms[half - 1]) ** 2),
    "default_variance_per_branch": float(default.activation_rms[-1] ** 2 / (2 * BLOCKS)),
    "scaled_rms_last": float(scaled.activation_rms[-1]),
    "scaled_over_default_rms_last": float(scaled.activation_rms[-1] / default.activation_rms[-1]),
    "default_signal_first_over_last": float(default.backward_signal[0] / default.backward_signal[-1]),
    "scaled_signal_first_over_last": float(scaled.backward_signal[0] / scaled.backward_signal[-1]),
    "scaled_over_default_signal_last": float(scaled.backward_signal[-1] / default.backward_signal[-1]),
    "default_loss": float(default.loss),
    "scaled_loss": float(scaled.loss),
}
print(results)
