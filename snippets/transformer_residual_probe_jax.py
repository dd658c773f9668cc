"""
Title: GPT-2's residual scaling, block by block, on the JAX backend
Description: Backward signal ‖∂L/∂h_l‖ on the residual stream per block of a 6-block pre-LN stack of width 32 with weights drawn with NumPy, with Keras-default output projections and with them scaled by 1/√(2L), on a log scale.
Accelerator: None
"""

# %% [markdown]
# The residual-scaling probe, small: six pre-LN blocks of width 32, two heads of
# `keras.layers.MultiHeadAttention`, a ReLU feed-forward network (FFN) of width 64 and
# `keras.layers.LayerNormalization` (ε = 10⁻³, Keras's default), then a final LN. Every kernel is
# drawn with NumPy from `SEED` with the limit Keras's default Glorot uniform uses for it
# (√(6/(fan_in + fan_out)) of the matrix the kernel stands for), biases are 0, γ = 1, β = 0. The
# input stands in for token plus position embeddings at Keras's default initialisation: the sum of
# two NumPy draws from U(−0.05, 0.05), variance 1/600 per entry, for a batch of 16 sequences of 8.
# A second stack has the very same weights except the residual projections (each attention's
# output projection and each FFN's second Dense kernel), multiplied by 1/√(2L) = 1/√12 as in GPT-2.
# The TensorFlow, JAX and PyTorch versions measure the same networks on the same batch.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import jax.numpy as jnp
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, HEADS, FFN, SEQ, BATCH = 6, 32, 2, 64, 8, 16
SCALE = 1 / np.sqrt(2 * BLOCKS)
CONFIGS = ("default", "scaled")

rng = np.random.default_rng(SEED)
x = (rng.uniform(-0.05, 0.05, (BATCH, SEQ, WIDTH)) + rng.uniform(-0.05, 0.05, (BATCH, SEQ, WIDTH))).astype("float32")
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


def build_stack(drawn=None):
    """Per block: attention, its LN, FFN in and out, the FFN's LN; then a final LN. With `drawn`
    (the default stack), copy its weights and scale the two residual projections by 1/√(2L)."""
    blocks = []
    for index in range(BLOCKS):
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
        for key, layer in block.items():
            if drawn is None:
                layer.set_weights(numpy_weights(layer))
                continue
            values = drawn[0][index][key].get_weights()
            for i, variable in enumerate(layer.weights):
                residual = key == "ffn_out" or "attention_output" in variable.path
                if residual and variable.path.endswith("kernel"):
                    values[i] = values[i] * np.float32(SCALE)
            layer.set_weights(values)
        blocks.append(block)
    final_norm = keras.layers.LayerNormalization()
    final_norm.build((None, SEQ, WIDTH))
    return blocks, final_norm


stacks = {"default": build_stack()}
stacks["scaled"] = build_stack(stacks["default"])


def block_forward(block, h):
    """h ← h + Attention(LN(h)), then h ← h + FFN(LN(h))."""
    a = block["ln_attention"](h)
    h = h + block["attention"](a, a)
    return h + block["ffn_out"](block["ffn_in"](block["ln_ffn"](h)))


def loss_of_top(h, final_norm):
    """L = mean over sequences and positions of r · LN(h_L)."""
    return keras.ops.mean(keras.ops.matmul(final_norm(h), readout))


# %% [markdown]
# JAX differentiates a function with respect to its arguments, not an intermediate tensor. So the
# loss takes one zero "nudge" per block, added to that block's output (∂L/∂nudge_l = ∂L/∂h_l), and
# `jax.value_and_grad` of it is compiled once per stack with `jax.jit`.

# %%
def probe(config):
    blocks, final_norm = stacks[config]

    def loss_of(nudges):
        streams, h = [], jnp.asarray(x)
        for block, nudge in zip(blocks, nudges):
            h = block_forward(block, h) + nudge
            streams.append(h)
        return loss_of_top(h, final_norm), streams

    nudges = jnp.zeros((BLOCKS, BATCH, SEQ, WIDTH))
    gradient_of = jax.jit(jax.value_and_grad(loss_of, has_aux=True))
    (loss, streams), signals = gradient_of(nudges)
    norm = lambda t: float(np.linalg.norm(np.asarray(t, "float64")))  # noqa: E731
    rms = [float(np.sqrt(np.mean(np.asarray(s, "float64") ** 2))) for s in streams]
    return {"signal": np.array([norm(s) for s in signals]), "rms": np.array(rms), "loss": float(loss)}


probes = {config: probe(config) for config in CONFIGS}
for config, p in probes.items():
    print(f"{config:8s} ‖∂L/∂h_l‖  {np.array2string(p['signal'], precision=5)}")
    print(f"         rms of h_l {np.array2string(p['rms'], precision=4)}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
blocks_axis = np.arange(1, BLOCKS + 1)
for config, colour, label in (("default", "tab:red", "Keras-default projections"),
                              ("scaled", "tab:blue", f"projections × 1/√{2 * BLOCKS}")):
    ax.semilogy(blocks_axis, probes[config]["signal"], "o-", color=colour, label=label)
ax.set_xlabel("block l (1 = next to the embedding)")
ax.set_ylabel("backward signal ‖∂L/∂h_l‖ (log scale)")
ax.set_title(f"Backward signal on the residual stream, pre-LN ({keras.backend.backend()})")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()

# %%
default, scaled = probes["default"], probes["scaled"]
embedding_variance = float(np.mean(np.asarray(x, "float64") ** 2))
results = {"backend": keras.backend.backend(), "scale": float(SCALE),
           "embedding_rms": float(np.sqrt(embedding_variance))}
for config, p in probes.items():
    results[f"{config}_loss"] = p["loss"]
    for quantity in ("signal", "rms"):
        for block in range(BLOCKS):
            results[f"{config}_{quantity}_block_{block + 1}"] = float(p[quantity][block])
    results[f"{config}_signal_first_over_last"] = float(p["signal"][0] / p["signal"][-1])
results["scaled_over_default_rms_last"] = float(scaled["rms"][-1] / default["rms"][-1])
results["scaled_over_default_signal_last"] = float(scaled["signal"][-1] / default["signal"][-1])
# Mean field: the branches add variance σ²_L − σ²_0 unscaled and (σ²_L − σ²_0)/(2L) scaled, the
# embedding σ²_0 either way.
branches = default["rms"][-1] ** 2 - embedding_variance
results["predicted_scaled_over_default_rms_last"] = float(
    np.sqrt((embedding_variance + SCALE**2 * branches) / default["rms"][-1] ** 2))
print(results)
