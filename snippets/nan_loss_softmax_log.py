"""
Title: Loss becomes inf: log of a softmax that underflowed to zero
Description: Histogram of how far the true class's logit lies below the largest logit, for raw inputs and standardised-but-large inputs, with the gaps beyond which float32 and float16 softmax probabilities round to exactly zero.
Accelerator: None
"""

# %% [markdown]
# A hand-written cross-entropy, `-log(softmax(z)[true class])`, is inf as soon as the softmax
# rounds the true class's probability to exactly 0. That happens when the true logit lies far
# below the largest one: a gap of about 87 in float32 on the CPU, but only about 17 in float16.
# The last cell measures both limits instead of deriving them.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

FEATURES, WIDTH, CLASSES, SAMPLES, BATCH, EPOCHS = 16, 32, 4, 256, 64, 2
RAW_SCALE, MIXED_SCALE = 100.0, 10.0  # unstandardised inputs; inputs of a scale float16 cannot take

rng = np.random.default_rng(SEED)
features = rng.standard_normal((SAMPLES, FEATURES)).astype("float32")
labels = rng.integers(0, CLASSES, SAMPLES)
one_hot = np.eye(CLASSES, dtype="float32")[labels]


def handwritten_crossentropy(y_true, probabilities):
    return -ops.mean(ops.sum(y_true * ops.log(probabilities), axis=-1))


def build(output_activation, output_dtype=None):
    return keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(WIDTH, activation="relu"),
        keras.layers.Dense(CLASSES, activation=output_activation, dtype=output_dtype),
    ])


def train(model, loss, x):
    """Adam for EPOCHS epochs; returns the loss after each step and the steps run."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
    losses = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: losses.append(float(logs["loss"])))
    model.fit(x, one_hot, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
              callbacks=[record, keras.callbacks.TerminateOnNaN()])
    return np.array(losses)


STEPS = EPOCHS * SAMPLES // BATCH

# %% [markdown]
# Confirm it (float32): inputs that were never standardised, in the hundreds. The softmax
# output layer plus the hand-written loss gives inf at the first step.

# %%
keras.utils.set_random_seed(SEED)
softmax_model = build("softmax")
raw_softmax = train(softmax_model, handwritten_crossentropy, RAW_SCALE * features)
print(f"softmax + log: {len(raw_softmax)} of {STEPS} steps, losses {raw_softmax}")

# %% [markdown]
# Fix 3: output logits and let the loss combine softmax and log (`from_logits=True`), which
# computes log-softmax as z − logsumexp(z) and never takes the log of a rounded zero.

# %%
keras.utils.set_random_seed(SEED)
logits_model = build(None)
raw_logits = train(logits_model, keras.losses.CategoricalCrossentropy(from_logits=True), RAW_SCALE * features)
print(f"from_logits=True: {len(raw_logits)} of {STEPS} steps, all finite: {bool(np.all(np.isfinite(raw_logits)))}")

# %% [markdown]
# Confirm it (mixed precision): with inputs ten times smaller, float32 is safe, but under the
# `mixed_float16` policy the output layer computes its softmax in float16. The policy is read
# when a layer is built, so set it, build, and put it back at once.

# %%
keras.mixed_precision.set_global_policy("mixed_float16")
keras.utils.set_random_seed(SEED)
float16_output = build("softmax")
keras.utils.set_random_seed(SEED)
float32_output = build("softmax", output_dtype="float32")  # Fix 4: the output layer in float32
keras.mixed_precision.set_global_policy("float32")
print("output dtypes:", float16_output.outputs[0].dtype, "vs", float32_output.outputs[0].dtype)

mixed_float16_losses = train(float16_output, handwritten_crossentropy, MIXED_SCALE * features)
mixed_float32_losses = train(float32_output, handwritten_crossentropy, MIXED_SCALE * features)
print(f"float16 softmax: {len(mixed_float16_losses)} of {STEPS} steps, losses {mixed_float16_losses}")
print(f"float32 softmax: {len(mixed_float32_losses)} of {STEPS} steps, all finite: "
      f"{bool(np.all(np.isfinite(mixed_float32_losses)))}")

# %% [markdown]
# Where exactly does a softmax give 0? IEEE 754 arithmetic would keep float32 results down to the
# smallest subnormal, 2⁻¹⁴⁹, and round to 0 only below half of it, at a gap of ln 2¹⁵⁰ ≈ 104. But
# TensorFlow's CPU kernels run with flush-to-zero: a result below the smallest *normal* float32,
# 2⁻¹²⁶ ≈ 1.18 × 10⁻³⁸, is replaced by 0. So measure it: bisect on the gap between two logits for
# the smallest one at which the smaller probability of `softmax([[gap, 0]])` (and `exp(−gap)`) is
# exactly 0. Another device or backend may give another answer; this cell tells you yours.

# %%
def smallest_zero_gap(function, dtype, high=200.0):
    """Smallest gap at which function(gap, dtype) is exactly 0, to within 1e-9 (it is monotone)."""
    low = 0.0
    while high - low > 1e-9:
        middle = (low + high) / 2
        low, high = (low, middle) if function(middle, dtype) == 0 else (middle, high)
    return high


def smaller_softmax_probability(gap, dtype):
    return float(ops.softmax(ops.convert_to_tensor([[gap, 0.0]], dtype=dtype))[0, 1])


def exp_of_minus(gap, dtype):
    return float(ops.exp(ops.convert_to_tensor(-gap, dtype=dtype)))


FLOAT32_GAP = smallest_zero_gap(smaller_softmax_probability, "float32")
FLOAT32_EXP_GAP = smallest_zero_gap(exp_of_minus, "float32")
FLOAT16_GAP = smallest_zero_gap(smaller_softmax_probability, "float16")
# e⁻⁸⁸ ≈ 6.1e-39 is a float32 subnormal: IEEE arithmetic keeps it, flush-to-zero does not.
float32_exp_minus_88 = exp_of_minus(88.0, "float32")
print(f"float32 exp(-88) = {float32_exp_minus_88}; softmax gives 0 beyond a gap of {FLOAT32_GAP:.3f} "
      f"(e^-gap = 2^-{FLOAT32_GAP / np.log(2):.2f}), exp beyond {FLOAT32_EXP_GAP:.3f} (2^-{FLOAT32_EXP_GAP / np.log(2):.2f})")
print(f"float16 softmax gives 0 beyond a gap of {FLOAT16_GAP:.3f} (2^-{FLOAT16_GAP / np.log(2):.2f})")
print(f"for comparison: ln 2^126 = {126 * np.log(2):.3f} (smallest normal float32), "
      f"ln 2^150 = {150 * np.log(2):.3f} (half the smallest subnormal), ln 2^25 = {25 * np.log(2):.3f} (float16's)")

# %% [markdown]
# Why it matters: the gap between the largest logit and the true class's logit at
# initialisation. The softmax probability of the true class is at most e^(−gap), so every
# example beyond the measured limit gives log(0).

# %%
def true_class_gaps(logits_model, x):
    logits = ops.convert_to_numpy(logits_model(x))
    return logits.max(axis=1) - logits[np.arange(SAMPLES), labels]


keras.utils.set_random_seed(SEED)
probe = build(None)  # the same initial weights as the models above, without the softmax
gaps = {scale: true_class_gaps(probe, scale * features) for scale in (RAW_SCALE, MIXED_SCALE)}
for scale, gap in gaps.items():
    print(f"inputs ×{scale:g}: largest gap {gap.max():.1f}; beyond float32's {FLOAT32_GAP:.1f}: "
          f"{np.mean(gap > FLOAT32_GAP):.1%}, beyond float16's {FLOAT16_GAP:.1f}: {np.mean(gap > FLOAT16_GAP):.1%}")

fig, ax = plt.subplots(figsize=(7, 4.5))
bins = np.linspace(0, max(g.max() for g in gaps.values()) * 1.05, 60)
ax.hist(gaps[RAW_SCALE], bins=bins, alpha=0.6, label=f"inputs ×{RAW_SCALE:g} (never standardised)")
ax.hist(gaps[MIXED_SCALE], bins=bins, alpha=0.6, label=f"inputs ×{MIXED_SCALE:g}")
ax.axvline(FLOAT16_GAP, color="tab:red", linestyle="--", label=f"float16 softmax gives 0 beyond {FLOAT16_GAP:.1f}")
ax.axvline(FLOAT32_GAP, color="black", linestyle=":", label=f"float32 softmax gives 0 beyond {FLOAT32_GAP:.1f}")
ax.set_xlabel("largest logit − true-class logit (nats)")
ax.set_ylabel("examples")
ax.set_title("Where softmax + log turns into log(0)")
ax.legend(fontsize="small")
ax.grid(alpha=0.3)

# %%
results = {
    "steps_planned": STEPS,
    "raw_scale": RAW_SCALE,
    "mixed_scale": MIXED_SCALE,
    "softmax_log_steps_run": len(raw_softmax),
    "softmax_log_all_finite": bool(np.all(np.isfinite(raw_softmax))),
    "from_logits_steps_run": len(raw_logits),
    "from_logits_all_finite": bool(np.all(np.isfinite(raw_logits))),
    "mixed_float16_output_steps_run": len(mixed_float16_losses),
    "mixed_float16_output_all_finite": bool(np.all(np.isfinite(mixed_float16_losses))),
    "mixed_float32_output_steps_run": len(mixed_float32_losses),
    "mixed_float32_output_all_finite": bool(np.all(np.isfinite(mixed_float32_losses))),
    "float16_output_dtype": str(float16_output.outputs[0].dtype),
    "float32_output_dtype": str(float32_output.outputs[0].dtype),
    "float32_zero_gap": float(FLOAT32_GAP),
    "float32_exp_zero_gap": float(FLOAT32_EXP_GAP),
    "float32_zero_gap_power_of_two": float(FLOAT32_GAP / np.log(2)),
    "float32_exp_minus_88": float32_exp_minus_88,
    "float32_subnormals_flushed": float32_exp_minus_88 == 0.0,
    "float32_ieee_zero_gap": float(150 * np.log(2)),
    "float32_smallest_normal_gap": float(126 * np.log(2)),
    "float16_zero_gap": float(FLOAT16_GAP),
    "float32_over_float16_gap": float(FLOAT32_GAP / FLOAT16_GAP),
    "raw_largest_gap": float(gaps[RAW_SCALE].max()),
    "raw_fraction_beyond_float32": float(np.mean(gaps[RAW_SCALE] > FLOAT32_GAP)),
    "mixed_largest_gap": float(gaps[MIXED_SCALE].max()),
    "mixed_fraction_beyond_float16": float(np.mean(gaps[MIXED_SCALE] > FLOAT16_GAP)),
    "mixed_fraction_beyond_float32": float(np.mean(gaps[MIXED_SCALE] > FLOAT32_GAP)),
}
keras.mixed_precision.set_global_policy("float32")
print(results)
