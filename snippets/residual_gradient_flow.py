"""
Title: Skip connections carry the gradient through 20 sigmoid blocks
Description: Per-block backward signal ‖∂loss/∂h_l‖ and kernel gradient norms of a 20-block sigmoid network of width 64, plain and with x + f(x) skip connections, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Twenty blocks of width 64. A plain block computes f(x) = sigmoid(W x + b); a residual
# block computes x + f(x) with the very same f (He et al. 2016). Everything else is the
# same: Glorot uniform kernels, one batch, one backward pass in training mode. `probe_layers`
# (in `gradbook/signal_probe.py`) reads the backward signal ‖∂loss/∂h_l‖ at each block's output
# h_l, each block's kernel gradient, and the root mean square of h_l.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, BATCH = 20, 64, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build(residual):
    """Returns the model, each block's Dense layer, and the layer whose output is the block's h_l."""
    inputs = keras.Input((WIDTH,))
    h, dense, block_outputs = inputs, [], []
    for _ in range(BLOCKS):
        dense.append(keras.layers.Dense(WIDTH, activation="sigmoid"))
        f = dense[-1](h)
        block_outputs.append(keras.layers.Add() if residual else dense[-1])
        h = block_outputs[-1]([h, f]) if residual else f
    outputs = keras.layers.Dense(1, activation="sigmoid")(h)
    return keras.Model(inputs, outputs), dense, block_outputs


def probe_blocks(residual):
    model, dense, block_outputs = build(residual)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy(), layers=block_outputs + dense)
    last_stream = keras.Model(model.inputs, block_outputs[-1].output)(x, training=True)
    # The probe lists the block outputs first, then the Dense layers, whose kernels it reads.
    return {
        "signal": probe.backward_signal[:BLOCKS],
        "kernel": probe.kernel_gradient[BLOCKS:],
        "rms": probe.activation_rms[:BLOCKS],
        "stream_mean": float(np.mean(last_stream)),
    }


runs = {"plain": probe_blocks(False), "residual": probe_blocks(True)}
norms = {name: run["kernel"] for name, run in runs.items()}
stream_mean = runs["residual"]["stream_mean"]
print(f"mean of the residual stream after block {BLOCKS}: {stream_mean:.2f}")
for name, run in runs.items():
    print(f"{name:9s} kernel gradient block 1 {run['kernel'][0]:.3e}, block {BLOCKS} {run['kernel'][-1]:.3e};"
          f" backward signal block 1 {run['signal'][0]:.3e}, block {BLOCKS} {run['signal'][-1]:.3e}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
labels = {"plain": "plain: h ← f(h)", "residual": "residual: h ← h + f(h)"}
for (name, run), marker in zip(runs.items(), "os"):
    axes[0].semilogy(range(1, BLOCKS + 1), run["signal"], marker=marker, label=labels[name])
    axes[1].semilogy(range(1, BLOCKS + 1), run["kernel"], marker=marker, label=labels[name])
axes[0].set_title(f"Backward signal, {BLOCKS} sigmoid blocks of {WIDTH}")
axes[0].set_ylabel("backward signal ‖∂loss/∂h_l‖ (log scale)")
axes[1].set_ylabel("kernel gradient ‖∂loss/∂W_l‖ (log scale)")
axes[1].set_title("Kernel gradient, same networks")
for ax in axes:
    ax.set_xlabel("block l (1 = next to the input)")
    ax.set_xticks(range(2, BLOCKS + 1, 2))
    ax.legend()
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {
    "plain_first": float(norms["plain"][0]),
    "residual_first": float(norms["residual"][0]),
    "plain_ratio": float(norms["plain"][0] / norms["plain"][-1]),
    "residual_ratio": float(norms["residual"][0] / norms["residual"][-1]),
    "residual_over_plain_first": float(norms["residual"][0] / norms["plain"][0]),
    "residual_stream_mean_last": stream_mean,
    "plain_signal_ratio": float(runs["plain"]["signal"][0] / runs["plain"]["signal"][-1]),
    "residual_signal_ratio": float(runs["residual"]["signal"][0] / runs["residual"]["signal"][-1]),
    "residual_rms_first": float(runs["residual"]["rms"][0]),
    "residual_rms_last": float(runs["residual"]["rms"][-1]),
}
print(results)
