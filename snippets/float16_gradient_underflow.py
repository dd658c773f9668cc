"""
Title: Small gradients underflow to zero in float16, and loss scaling brings them back
Description: Distribution of first-layer gradient magnitudes of a 10-layer sigmoid MLP against float16's smallest numbers, and the fraction of exactly-zero gradient entries per layer in float32, in mixed_float16, and in mixed_float16 with LossScaleOptimizer's loss scale.
Accelerator: None
"""

# %% [markdown]
# Ten sigmoid layers of 32 units: the gradient shrinks by roughly a factor of four per layer on
# its way back, so the first layers' gradients are far below float16's smallest positive
# number. The same weights run once in float32 and once under the `mixed_float16` policy
# (float32 variables, float16 arithmetic), as mixed-precision training does.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 32, 128
FLOAT16 = np.finfo(np.float16)
print(f"float16: smallest subnormal {FLOAT16.smallest_subnormal:.3g}, smallest normal {FLOAT16.smallest_normal:.3g}")

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(dtype_policy):
    return keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid", dtype=dtype_policy) for _ in range(DEPTH)]
        + [keras.layers.Dense(1, dtype=dtype_policy)]
    )


full = build_mlp("float32")
mixed = build_mlp("mixed_float16")
mixed.set_weights(full.get_weights())
loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

# %% [markdown]
# `LossScaleOptimizer` multiplies the loss by its scale (2¹⁵ to start) before the backward
# pass, and divides the gradients by the same scale, in float32, before the inner optimiser
# sees them. `scale_loss` is its public half of that; the division is done here by hand so the
# unscaled gradients can be inspected.

# %%
optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1))
scale_label = f"$2^{{{int(np.log2(optimizer.initial_scale))}}}$"


def kernel_gradients(model, loss_scale=1.0):
    kernels = [layer.kernel for layer in model.layers]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, tf.cast(model(x), "float32"))
        scaled = optimizer.scale_loss(loss) if loss_scale != 1.0 else loss
    return [(g / loss_scale).numpy() for g in tape.gradient(scaled, kernels)]


grads = {
    "float32": kernel_gradients(full),
    "mixed_float16": kernel_gradients(mixed),
    "mixed_float16 + loss scaling": kernel_gradients(mixed, optimizer.initial_scale),
}
zero_fraction = {name: np.array([np.mean(g == 0) for g in layer_grads]) for name, layer_grads in grads.items()}

# The backward signal ‖∂L/∂h_l‖ at each hidden layer's output (gradbook/signal_probe.py), computed in
# each model's own precision: under mixed_float16 these are float16 tensors, so underflow shows as 0.
signal = {
    "float32": probe_layers(full, x, y, loss_fn, layers=full.layers[:DEPTH]).backward_signal,
    "mixed_float16": probe_layers(mixed, x, y, loss_fn, layers=mixed.layers[:DEPTH]).backward_signal,
}
for name, norms in signal.items():
    print(f"{name:14s} backward signal per hidden layer:", np.array2string(norms, precision=2))
for name, fractions in zero_fraction.items():
    print(f"{name:32s} zero entries, layer 1: {fractions[0]:.1%}, layer 5: {fractions[4]:.1%}")

# %%
first_layer = np.abs(grads["float32"][0]).ravel()
fig, ax = plt.subplots(figsize=(7, 4.5))
bins = np.logspace(np.log10(first_layer.min()), np.log10(first_layer.max() * optimizer.initial_scale), 60)
ax.hist(first_layer, bins=bins, alpha=0.7, label="|gradient| of layer 1 (float32)")
ax.hist(first_layer * optimizer.initial_scale, bins=bins, alpha=0.7, label=f"the same × {scale_label} (loss scale)")
ax.axvline(FLOAT16.smallest_subnormal, color="C3", linestyle="--", label="float16 smallest subnormal, $2^{-24}$")
ax.axvline(FLOAT16.smallest_normal, color="C3", linestyle=":", label="float16 smallest normal, $2^{-14}$")
ax.set_xscale("log")
ax.set_xlabel("gradient magnitude (log scale)")
ax.set_ylabel("number of kernel entries")
ax.set_title("First-layer kernel gradients of a 10-layer sigmoid MLP against float16's range")
ax.legend(fontsize="small")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
layers = np.arange(1, DEPTH + 2)
for (name, fractions), marker in zip(zero_fraction.items(), "os^"):
    ax.plot(layers, 100 * fractions, marker=marker, label=name.replace("scaling", f"scale {scale_label}"))
ax.set_xlabel("layer (1 = next to the input, 11 = output)")
ax.set_ylabel("kernel gradient entries exactly 0 (%)")
ax.set_xticks(layers)
ax.set_title("Gradient entries lost to float16 underflow, per layer")
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# Compare with float32: which entries a float16 result could not hold (below half the smallest
# subnormal, which rounds to 0), and how close the loss-scaled gradients come to float32's.

# %%
scaled_name = "mixed_float16 + loss scaling"
reference, recovered = grads["float32"][0], grads[scaled_name][0]
results = {
    "smallest_subnormal": float(FLOAT16.smallest_subnormal),
    "smallest_normal": float(FLOAT16.smallest_normal),
    "loss_scale": float(optimizer.initial_scale),
    "first_layer_median_gradient": float(np.median(first_layer)),
    "float32_zero_fraction": float(zero_fraction["float32"][0]),
    "float16_zero_fraction": float(zero_fraction["mixed_float16"][0]),
    "scaled_zero_fraction": float(zero_fraction[scaled_name][0]),
    "below_half_subnormal_fraction": float(np.mean(first_layer < float(FLOAT16.smallest_subnormal) / 2)),
    "scaled_relative_error": float(np.linalg.norm(recovered - reference) / np.linalg.norm(reference)),
    "float16_layers_all_zero": int(np.sum(zero_fraction["mixed_float16"] == 1.0)),
    "float16_hidden_kernels_all_zero": int(np.sum(zero_fraction["mixed_float16"][:DEPTH] == 1.0)),
    "float16_signal_zero_layers": int(np.sum(signal["mixed_float16"] == 0)),
    "float32_signal_zero_layers": int(np.sum(signal["float32"] == 0)),
    "float16_signal_lost_layers": int(np.sum(signal["mixed_float16"] < 0.5 * signal["float32"])),
    "float32_signal_first_over_last": float(signal["float32"][0] / signal["float32"][-1]),
}
print(results)
