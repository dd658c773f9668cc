"""
Title: Adam in pure float16: the second moment underflows and epsilon sets the step
Description: Training loss of a 4-layer tanh MLP trained with Adam in float32, in pure float16 with the default epsilon 1e-7, and in pure float16 with epsilon 1e-4, on a log scale; and the size of the first Adam step of each float16 weight whose second moment v rounded to 0.
Accelerator: None
"""

# %% [markdown]
# Adam's step is m · α / (√v + ε), with v the running mean of g², α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ),
# and ε = 1e-7 by default (`keras/src/optimizers/adam.py`). Keras computes it in the variable's
# dtype. First the float16 numbers that matter, exactly.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

f16 = np.float16
epsilon_default = keras.optimizers.Adam().epsilon
epsilon_in_float16 = float(f16(epsilon_default))
smallest_subnormal = float(np.finfo(f16).smallest_subnormal)
smallest_normal = float(np.finfo(f16).smallest_normal)
# v's first update is (g² − 0)·(1 − β₂), rounded to float16: 0 below half the smallest subnormal.
one_minus_beta_2 = f16(1) - f16(0.999)
v_underflow_gradient = float(np.sqrt(smallest_subnormal / 2 / np.float64(one_minus_beta_2)))
g_squared_overflow_gradient = float(np.sqrt(np.float64(np.finfo(f16).max)))
print(f"Adam's default epsilon {epsilon_default:g} is {epsilon_in_float16:.6g} in float16 (= 2^{np.log2(epsilon_in_float16):.0f})")
print(f"float16 smallest subnormal {smallest_subnormal:.6g}, smallest normal {smallest_normal:.6g}")
print(f"v = (1 − β₂)·g² rounds to 0 for |g| < {v_underflow_gradient:.3g}; g² overflows for |g| > {g_squared_overflow_gradient:.4g}")

# %% [markdown]
# A 4-layer tanh MLP of width 64 fits a smooth regression target. The same loop runs it with
# float32 layers, with float16 layers (`dtype="float16"`: weights, gradients, and therefore Adam's
# m and v, all float16), and with float16 layers and `epsilon=1e-4`, which is above float16's
# smallest normal number.

# %%
SAMPLES, INPUTS, WIDTH, LAYERS, STEPS, LEARNING_RATE = 256, 16, 64, 4, 200, 1e-3
rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, INPUTS)).astype("float32")
y = np.sin(x @ rng.standard_normal((INPUTS, 1)) / 2).astype("float32")


def build(dtype):
    keras.utils.set_random_seed(SEED)
    return keras.Sequential([keras.Input((INPUTS,))]
                            + [keras.layers.Dense(WIDTH, activation="tanh", dtype=dtype) for _ in range(LAYERS)]
                            + [keras.layers.Dense(1, dtype=dtype)])


def train(dtype, epsilon):
    model = build(dtype)
    optimizer = keras.optimizers.Adam(learning_rate=LEARNING_RATE, epsilon=epsilon)
    optimizer.build(model.trainable_variables)
    xs, ys = tf.constant(x, dtype), tf.constant(y, dtype)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(xs) - ys))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(gradients, model.trainable_variables)
        return loss, gradients

    before = [w.numpy().astype(np.float64) for w in model.trainable_variables]
    losses = [float(step()[0])]
    first = {"step": np.concatenate([np.abs(w.numpy() - b).ravel() for w, b in zip(model.trainable_variables, before)]),
             "v": np.concatenate([v.numpy().ravel() for v in optimizer._velocities]),
             "m": np.concatenate([m.numpy().ravel() for m in optimizer._momentums]),
             "slot_dtype": optimizer._velocities[0].dtype}
    losses += [float(step()[0]) for _ in range(STEPS - 1)]
    return np.array(losses), first


runs = {"float32, ε = 1e-7": train("float32", 1e-7),
        "float16, ε = 1e-7 (default)": train("float16", 1e-7),
        "float16, ε = 1e-4": train("float16", 1e-4)}
for name, (losses, first) in runs.items():
    print(f"{name:28s} loss at step 1 {losses[0]:.4f}, peak {np.nanmax(losses):.3g}, "
          f"after {STEPS} steps {losses[-1]:.4g}; largest first step {first['step'].max():.3g}")

# %% [markdown]
# Look inside the first float16 step. With v = 0 the step is m · α / ε and ε is 2⁻²³ in float16,
# while m · α is a float16 number near 2⁻²⁴: the step is a whole number of halves — 0, 0.5, 1, 1.5 —
# instead of about lr = 0.001.

# %%
_, first16 = runs["float16, ε = 1e-7 (default)"]
zero_v = (first16["v"] == 0) & (first16["m"] != 0)
zero_v_steps = first16["step"][zero_v]
moved = zero_v_steps > 0
print(f"{zero_v.mean():.1%} of the float16 weights have v = 0 but m ≠ 0 after the first step")
# (measured as w_after − w_before, so up to float16's spacing at |w| ≈ 1, 2⁻¹⁰, off a half)
print("their first steps, to the nearest half:", np.unique(np.round(zero_v_steps * 2) / 2))
print(f"{moved.mean():.1%} of them moved, by {zero_v_steps[moved].min():.2g} to {zero_v_steps.max():.2g}; the rest did not move")

fig, (ax_loss, ax_step) = plt.subplots(1, 2, figsize=(10, 4))
for name, (losses, _) in runs.items():
    ax_loss.plot(np.arange(1, STEPS + 1), losses, label=name)
ax_loss.set_yscale("log")
ax_loss.set_xlabel("training step")
ax_loss.set_ylabel("training loss (mean squared error)")
ax_loss.set_title("Adam: float32 vs pure float16")
ax_loss.legend(fontsize=8)
ax_step.hist(first16["step"][~zero_v], bins=np.linspace(0, 1.6, 33), alpha=0.7, label="v > 0 (or m = 0)")
ax_step.hist(zero_v_steps, bins=np.linspace(0, 1.6, 33), alpha=0.7, label="v rounded to 0")
ax_step.axvline(LEARNING_RATE, color="black", linestyle=":", label="learning rate")
ax_step.set_yscale("log")
ax_step.set_xlabel("|first Adam step| of a weight")
ax_step.set_ylabel("number of float16 weights")
ax_step.set_title("First step, float16, ε = 1e-7")
ax_step.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Under `mixed_float16` the layers keep float32 variables, and Adam creates m and v with each
# variable's dtype (`add_variable_from_reference` in `keras/src/optimizers/base_optimizer.py`):
# the optimizer state is float32 and none of this happens.

# %%
keras.mixed_precision.set_global_policy("mixed_float16")
mixed = build(None)
keras.mixed_precision.set_global_policy("float32")
mixed_optimizer = keras.optimizers.Adam()
mixed_optimizer.build(mixed.trainable_variables)
mixed_slot_dtype = mixed_optimizer._velocities[0].dtype
print(f"mixed_float16: layers compute in {mixed.layers[0].compute_dtype}, variables {mixed.layers[0].kernel.dtype}, "
      f"Adam's v {mixed_slot_dtype}")

# %%
float32_losses, float32_first = runs["float32, ε = 1e-7"]
float16_losses, _ = runs["float16, ε = 1e-7 (default)"]
float16_fixed_losses, float16_fixed_first = runs["float16, ε = 1e-4"]
results = {
    "epsilon_default": float(epsilon_default),
    "epsilon_in_float16": epsilon_in_float16,
    "smallest_subnormal": smallest_subnormal,
    "smallest_normal": smallest_normal,
    "v_underflow_gradient": v_underflow_gradient,
    "g_squared_overflow_gradient": g_squared_overflow_gradient,
    "float16_slot_dtype": str(first16["slot_dtype"]),
    "mixed_slot_dtype": str(mixed_slot_dtype),
    "mixed_variable_dtype": str(mixed.layers[0].kernel.dtype),
    "zero_v_fraction": float(zero_v.mean()),
    "zero_v_moved_fraction": float(moved.mean()),
    "zero_v_steps_are_halves": bool(np.all(np.isclose(zero_v_steps * 2, np.round(zero_v_steps * 2), atol=1e-3))),
    "float16_largest_first_step": float(first16["step"].max()),
    "float32_largest_first_step": float(float32_first["step"].max()),
    "float16_fixed_largest_first_step": float(float16_fixed_first["step"].max()),
    "float32_first_loss": float(float32_losses[0]),
    "float16_first_loss": float(float16_losses[0]),
    "float16_peak_loss": float(np.nanmax(float16_losses)),
    "float32_final_loss": float(float32_losses[-1]),
    "float16_final_loss": float(float16_losses[-1]),
    "float16_fixed_final_loss": float(float16_fixed_losses[-1]),
    "float16_fixed_peak_loss": float(np.nanmax(float16_fixed_losses)),
    "float16_any_nan": bool(np.isnan(float16_losses).any()),
    "steps": STEPS,
}
print(results)
