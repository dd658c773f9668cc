"""
Title: Post-LN and pre-LN transformer blocks, block by block, on the TensorFlow backend
Description: Backward signal ‖∂L/∂h_l‖ on the residual stream after each block and kernel-gradient norm of each block's second feed-forward Dense layer, for 6-block post-LN and pre-LN stacks of width 32 with weights drawn with NumPy, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The block-by-block probe, small: six blocks of width 32, two heads of
# `keras.layers.MultiHeadAttention`, a ReLU feed-forward network (FFN) of width 64 and
# `keras.layers.LayerNormalization` (ε = 10⁻³, Keras's default), in post-LN and in pre-LN order.
# Every kernel is drawn with NumPy from `SEED` with the limit Keras's default Glorot uniform uses
# for it (√(6/(fan_in + fan_out)) of the matrix the kernel stands for), biases are 0, γ = 1, β = 0;
# the input is a NumPy batch of 16 sequences of 8 vectors with unit-variance entries. The
# TensorFlow, JAX and PyTorch versions therefore measure the same network on the same batch.

# %%
import os

os.environ["KERAS_BACKEND"] = "tensorflow"  # before the first `import keras`

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, HEADS, FFN, SEQ, BATCH = 6, 32, 2, 64, 8, 16
PLACEMENTS = ("post", "pre")

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, SEQ, WIDTH)).astype("float32")
readout = rng.standard_normal(WIDTH).astype("float32")


def numpy_weights(layer):
    """Keras's defaults, drawn with NumPy: Glorot uniform kernels, zero biases, γ = 1, β = 0."""
    values = []
    for variable in layer.weights:
        shape, name = tuple(variable.shape), variable.path.split("/")[-1]
        if name == "kernel":
            # The attention output kernel (heads, key_dim, width) reads heads·key_dim inputs.
            fan_in = int(np.prod(shape[:2] if "attention_output" in variable.path else shape[:1]))
            limit = np.sqrt(6 / (fan_in + np.prod(shape) // fan_in))
            values.append(rng.uniform(-limit, limit, shape).astype("float32"))
        else:
            values.append((np.ones if name == "gamma" else np.zeros)(shape, "float32"))
    return values


def build_stack():
    """Per block: attention, its LN, FFN in and out, the FFN's LN; then a final LN (pre-LN only)."""
    blocks = []
    for _ in range(BLOCKS):
        block = {"attention": keras.layers.MultiHeadAttention(HEADS, WIDTH // HEADS),
                 "ln_attention": keras.layers.LayerNormalization(),
                 "ffn_in": keras.layers.Dense(FFN, activation="relu"),
                 "ffn_out": keras.layers.Dense(WIDTH),
                 "ln_ffn": keras.layers.LayerNormalization()}
        block["attention"].build((None, SEQ, WIDTH), (None, SEQ, WIDTH))
        block["ffn_in"].build((None, SEQ, WIDTH))
        block["ffn_out"].build((None, SEQ, FFN))
        for norm in ("ln_attention", "ln_ffn"):
            block[norm].build((None, SEQ, WIDTH))
        for layer in block.values():
            layer.set_weights(numpy_weights(layer))
        blocks.append(block)
    final_norm = keras.layers.LayerNormalization()
    final_norm.build((None, SEQ, WIDTH))
    return blocks, final_norm


stacks = {placement: build_stack() for placement in PLACEMENTS}  # drawn in this order on every backend


def block_forward(block, h, placement):
    if placement == "post":  # h ← LN(h + Attention(h)), h ← LN(h + FFN(h))
        h = block["ln_attention"](h + block["attention"](h, h))
        return block["ln_ffn"](h + block["ffn_out"](block["ffn_in"](h)))
    a = block["ln_attention"](h)  # h ← h + Attention(LN(h)), h ← h + FFN(LN(h))
    h = h + block["attention"](a, a)
    return h + block["ffn_out"](block["ffn_in"](block["ln_ffn"](h)))


def loss_of_top(h, final_norm, placement):
    """L = mean over sequences and positions of r · h_L (pre-LN reads LN(h_L), as its read-out does)."""
    top = final_norm(h) if placement == "pre" else h
    return keras.ops.mean(keras.ops.matmul(top, readout))


# %% [markdown]
# The tape records every block's output h_l, so `tape.gradient` returns ∂L/∂h_l for those tensors
# as well as ∂L/∂W₂ for each block's second FFN kernel, in one backward pass.

# %%
def probe(placement):
    blocks, final_norm = stacks[placement]
    kernels = [block["ffn_out"].kernel for block in blocks]
    with tf.GradientTape() as tape:
        streams, h = [], tf.constant(x)
        for block in blocks:
            h = block_forward(block, h, placement)
            streams.append(h)
        loss = loss_of_top(h, final_norm, placement)
    signals, kernel_grads = tape.gradient(loss, (streams, kernels))
    norm = lambda t: float(np.linalg.norm(np.asarray(t, "float64")))  # noqa: E731
    rms = [float(np.sqrt(np.mean(np.asarray(s, "float64") ** 2))) for s in streams]
    return {"signal": np.array([norm(s) for s in signals]), "kernel": np.array([norm(g) for g in kernel_grads]),
            "rms": np.array(rms), "loss": float(loss)}


probes = {placement: probe(placement) for placement in PLACEMENTS}
for placement, p in probes.items():
    print(f"{placement}-LN  ‖∂L/∂h_l‖ {np.array2string(p['signal'], precision=5)}")
    print(f"         ‖∂L/∂W₂‖  {np.array2string(p['kernel'], precision=5)}")
    print(f"         rms of h_l {np.array2string(p['rms'], precision=3)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
blocks_axis = np.arange(1, BLOCKS + 1)
for placement, colour in (("post", "tab:red"), ("pre", "tab:blue")):
    axes[0].semilogy(blocks_axis, probes[placement]["signal"], "o-", color=colour, label=f"{placement}-LN")
    axes[1].semilogy(blocks_axis, probes[placement]["kernel"], "s-", color=colour, label=f"{placement}-LN")
axes[0].set_ylabel("backward signal ‖∂L/∂h_l‖ (log scale)")
axes[0].set_title(f"Backward signal on the residual stream ({keras.backend.backend()})")
axes[1].set_ylabel("kernel gradient ‖∂L/∂W₂‖ (log scale)")
axes[1].set_title(f"Second FFN kernel W₂ of each block ({keras.backend.backend()})")
for ax in axes:
    ax.set_xlabel("block l (1 = next to the input)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.tight_layout()

# %%
results = {"backend": keras.backend.backend()}
for placement, p in probes.items():
    results[f"{placement}_loss"] = p["loss"]
    for quantity in ("signal", "kernel", "rms"):
        for block in range(BLOCKS):
            results[f"{placement}_{quantity}_block_{block + 1}"] = float(p[quantity][block])
    results[f"{placement}_signal_first_over_last"] = float(p["signal"][0] / p["signal"][-1])
    results[f"{placement}_kernel_first_over_last"] = float(p["kernel"][0] / p["kernel"][-1])
results["pre_rms_growth"] = float(probes["pre"]["rms"][-1] / probes["pre"]["rms"][0])
results["post_over_pre_last_kernel"] = float(probes["post"]["kernel"][-1] / probes["pre"]["kernel"][-1])
print(results)
