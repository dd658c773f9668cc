"""
Title: bfloat16 keeps float32's range but only 8 bits of precision
Description: Left, the magnitudes that survive a cast to float16 and to bfloat16, from 1e-45 to 1e39, on log axes; right, the change in a weight of 1.0 after adding an update of relative size delta, in bfloat16 and in float32, on log axes.
Accelerator: None
"""

# %% [markdown]
# bfloat16 ("brain floating point") is float32 with the last 16 bits of the significand cut off:
# the same 8 exponent bits, so the same range, and 7 stored significand bits (8 with the implicit
# leading 1). Every number below is measured with TensorFlow ops in that dtype, not read from a
# table: casts for the range, additions for the precision.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

magnitudes = np.logspace(-45, 39, 841)  # float64: every value exactly representable before the cast


def survives(dtype):
    """Relative error of x after a round trip through `dtype` (1 where x became 0, inf where it overflowed)."""
    cast = tf.cast(tf.cast(tf.constant(magnitudes, tf.float64), dtype), tf.float64).numpy()
    return np.abs(cast - magnitudes) / magnitudes


error = {name: survives(dtype) for name, dtype in (("float16", tf.float16), ("bfloat16", tf.bfloat16))}
kept = {name: np.isfinite(err) & (err < 0.5) for name, err in error.items()}
for name in kept:
    print(f"{name}: magnitudes kept within 50 % from {magnitudes[kept[name]].min():.3g} to {magnitudes[kept[name]].max():.3g}")

# %% [markdown]
# The largest finite number, and the smallest positive one that halving 1.0 reaches, found by
# doubling and halving in the dtype itself. For float16 halving reaches the smallest subnormal,
# 2⁻²⁴; for bfloat16 on TensorFlow's CPU kernels it stops at the smallest *normal* number, 2⁻¹²⁶
# (the format has subnormals below it, but these ops flush them to zero).

# %%
def extremes(dtype):
    one, two = tf.constant(1.0, dtype), tf.constant(2.0, dtype)
    small = one
    while tf.cast(small / two, tf.float64) > 0:
        small = small / two
    mantissa_bits = 0
    while tf.cast(one + tf.constant(2.0 ** -(mantissa_bits + 1), dtype), tf.float64) > 1:
        mantissa_bits += 1
    biggest = tf.constant(1.0, dtype)
    while np.isfinite(tf.cast(biggest * two, tf.float64).numpy()):
        biggest = biggest * two
    # The largest finite number is the largest power of two times (2 − 2^−mantissa_bits).
    largest = tf.cast(biggest, tf.float64) * (2 - 2.0 ** -mantissa_bits)
    assert np.isfinite(tf.cast(tf.cast(largest, dtype), tf.float64).numpy())
    return float(small), float(largest), mantissa_bits


bf16_smallest, bf16_largest, bf16_bits = extremes(tf.bfloat16)
f16_smallest, f16_largest, f16_bits = extremes(tf.float16)
print(f"bfloat16: smallest positive reached {bf16_smallest:.4g}, largest {bf16_largest:.4g}, {bf16_bits} stored significand bits")
print(f"float16:  smallest positive reached {f16_smallest:.4g}, largest {f16_largest:.4g}, {f16_bits} stored significand bits")

# %% [markdown]
# The price of the range is precision. Add an update δ to a weight of 1.0 stored in bfloat16:
# the next bfloat16 number above 1 is 1 + 2⁻⁷, so with round-to-nearest-even an update of 2⁻⁸
# (half the gap) or less is lost, and a larger one is rounded to a multiple of 2⁻⁷.

# %%
deltas = np.logspace(-6, -1, 501)
one = tf.ones(len(deltas), tf.bfloat16)
after_bf16 = tf.cast(one + tf.cast(tf.constant(deltas, tf.float32), tf.bfloat16), tf.float64).numpy()
after_f32 = tf.cast(tf.ones(len(deltas)) + tf.constant(deltas, tf.float32), tf.float64).numpy()
moved = after_bf16 > 1
smallest_surviving = float(deltas[moved].min())
largest_lost = float(deltas[~moved].max())
spacing_above_one = float(tf.cast(tf.constant(1 + 2.0 ** -7, tf.bfloat16), tf.float64) - 1)
print(f"bfloat16: gap above 1.0 = {spacing_above_one}; updates up to {largest_lost:.4g} are lost, "
      f"from {smallest_surviving:.4g} they survive")

# %% [markdown]
# What this means for training: 1000 Adam-sized steps of 10⁻³ on a weight of 1.0. Stored in
# bfloat16, each step is below half the gap and the weight never moves; `mixed_bfloat16` keeps
# the variable in float32 (Keras's `DTypePolicy("mixed_bfloat16")` has compute dtype bfloat16 and
# variable dtype float32) and it moves by the full 1.0.

# %%
policy = keras.DTypePolicy("mixed_bfloat16")
print(f"mixed_bfloat16: compute dtype {policy.compute_dtype}, variable dtype {policy.variable_dtype}")
STEP, STEPS = 1e-3, 1000
weight_bf16 = tf.Variable(tf.constant(1.0, tf.bfloat16))
weight_f32 = tf.Variable(1.0)


@tf.function
def take_steps():
    for _ in tf.range(STEPS):
        weight_bf16.assign_add(tf.constant(STEP, tf.bfloat16))
        weight_f32.assign_add(STEP)


take_steps()
print(f"after {STEPS} steps of {STEP}: bfloat16 weight {float(weight_bf16.numpy()):.4f}, float32 weight {float(weight_f32.numpy()):.4f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for (name, err), colour in zip(error.items(), ("C1", "C0")):
    shown = np.where(np.isfinite(err), np.clip(err, 1e-9, 1), 1)
    axes[0].loglog(magnitudes, shown, color=colour, label=name)
axes[0].axhline(0.5, color="grey", linestyle=":", label="50 % error")
axes[0].set_xlabel("magnitude x (log scale)")
axes[0].set_ylabel("relative error of x after the cast (log scale; 1 = lost)")
axes[0].set_title("Range: bfloat16 keeps what float16 rounds to 0 or ∞")
axes[0].legend()
axes[1].loglog(deltas, np.maximum(after_bf16 - 1, 1e-7), color="C0", label="weight stored in bfloat16")
axes[1].loglog(deltas, after_f32 - 1, color="C2", linestyle="--", label="weight stored in float32")
axes[1].axvline(2.0 ** -8, color="grey", linestyle=":", label="2⁻⁸, half the bfloat16 gap at 1")
axes[1].set_xlabel("update δ added to a weight of 1.0 (log scale)")
axes[1].set_ylabel("change of the weight (log scale; 1e-7 = none)")
axes[1].set_title("Precision: bfloat16 loses updates below 2⁻⁸")
axes[1].legend(loc="upper left")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {
    "bf16_smallest_positive": bf16_smallest,
    "bf16_largest": bf16_largest,
    "bf16_significand_bits": bf16_bits + 1,
    "f16_smallest_positive": f16_smallest,
    "f16_largest": f16_largest,
    "bf16_spacing_above_one": spacing_above_one,
    "bf16_smallest_surviving_update": smallest_surviving,
    "bf16_largest_lost_update": largest_lost,
    "bf16_kept_min": float(magnitudes[kept["bfloat16"]].min()),
    "f16_kept_min": float(magnitudes[kept["float16"]].min()),
    "bf16_kept_max": float(magnitudes[kept["bfloat16"]].max()),
    "f16_kept_max": float(magnitudes[kept["float16"]].max()),
    "bf16_weight_after_steps": float(weight_bf16.numpy()),
    "f32_weight_after_steps": float(weight_f32.numpy()),
    "update_step": STEP,
    "update_steps": STEPS,
}
print(results)
