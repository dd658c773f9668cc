"""
Title: Finite-difference gradient checks in float32 and float64
Description: Relative error between the backpropagated gradient and central finite differences of a small tanh network, against the step h, in float32 and float64, on log-log axes: a V with its bottom near h ≈ eps^(1/3).
Accelerator: None
"""

# %% [markdown]
# A gradient check compares the gradient backpropagation returns with central differences
#
#     n_i = (L(θ + h·e_i) − L(θ − h·e_i)) / (2h)
#
# for every parameter θ_i, using the relative error |a − n| / max(|a|, |n|) per entry. Two errors
# compete. Taylor's theorem leaves a truncation error h²·L‴/6, which falls with h. Each loss is
# computed with a relative rounding error of about eps (the machine epsilon: 2.2e-16 in float64,
# 1.2e-7 in float32), and dividing the difference by 2h turns it into an error of about eps·|L|/h,
# which grows as h falls. Their sum is smallest near h ≈ eps^(1/3), where both are ≈ eps^(2/3).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, BATCH = 4, 8, 16
STEPS_H = np.logspace(-12, -1, 23)

rng = np.random.default_rng(SEED)
x64 = rng.standard_normal((BATCH, INPUTS))
y64 = np.sin(x64[:, :1]) + 0.5 * x64[:, 1:2]


def build(dtype, hidden_layer):
    # dtype="float64" on every layer runs the whole network, forward and backward, in float64.
    return keras.Sequential(
        [keras.Input((INPUTS,), dtype=dtype), keras.layers.Dense(WIDTH, dtype=dtype), hidden_layer,
         keras.layers.Dense(1, dtype=dtype)]
    )


def relative_errors(model, steps):
    """Per-entry relative error of the backpropagated gradient against central differences, one row per h."""
    dtype = model.layers[0].kernel.dtype
    x, y = tf.constant(x64, dtype), tf.constant(y64, dtype)
    variables = model.trainable_variables
    shapes, sizes = [v.shape for v in variables], [int(np.prod(v.shape)) for v in variables]

    @tf.function
    def losses_at(thetas):
        """The loss at each row of `thetas` (flat parameter vectors), with the model's own layers."""

        def loss(theta):
            weights = [tf.reshape(part, shape) for part, shape in zip(tf.split(theta, sizes), shapes)]
            prediction, _ = model.stateless_call(weights, [], x)
            return tf.reduce_mean((prediction - y) ** 2)

        return tf.map_fn(loss, thetas)

    with tf.GradientTape() as tape:
        value = tf.reduce_mean((model(x) - y) ** 2)
    analytic = np.concatenate([g.numpy().ravel() for g in tape.gradient(value, variables)])
    theta = np.concatenate([v.numpy().ravel() for v in variables])  # already in the model's dtype
    rows = []
    for h in steps:
        # θ ± h·e_i is computed in the model's dtype, as a gradient checker working in that dtype would.
        step = np.eye(theta.size, dtype=theta.dtype) * theta.dtype.type(h)
        plus, minus = losses_at(theta + step).numpy(), losses_at(theta - step).numpy()
        numeric = (plus.astype(np.float64) - minus.astype(np.float64)) / (2 * h)
        rows.append(np.abs(analytic - numeric) / np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), 1e-30))
    return np.array(rows), analytic


# %% [markdown]
# The same network, with the same weights, in float64 and in float32: Dense(8), tanh, Dense(1),
# MSE on 16 synthetic points, 49 parameters.

# %%
reference = build("float64", keras.layers.Activation("tanh", dtype="float64"))
errors = {}
for dtype in ("float64", "float32"):
    model = build(dtype, keras.layers.Activation("tanh", dtype=dtype))
    model.set_weights([w.astype(dtype) for w in reference.get_weights()])
    errors[dtype], _ = relative_errors(model, STEPS_H)
    worst = errors[dtype].max(axis=1)
    print(f"{dtype}: smallest worst-entry relative error {worst.min():.1e} at h = {STEPS_H[worst.argmin()]:.0e}; "
          f"at h = 1e-5: {worst[np.argmin(abs(STEPS_H - 1e-5))]:.1e}")


# %% [markdown]
# Slopes of the V on log-log axes, fitted to the median entry's error: +2 on the truncation side,
# −1 on the rounding side.

# %%
def slope(dtype, low, high):
    keep = (STEPS_H >= low * 0.99) & (STEPS_H <= high * 1.01)
    return float(np.polyfit(np.log10(STEPS_H[keep]), np.log10(np.median(errors[dtype][keep], axis=1)), 1)[0])


slopes = {
    "float64_truncation": slope("float64", 1e-3, 1e-1),
    "float64_rounding": slope("float64", 1e-11, 1e-8),
    "float32_rounding": slope("float32", 1e-6, 1e-3),
}
print({k: round(v, 2) for k, v in slopes.items()})

# %% [markdown]
# A planted bug. A custom activation layer computes swish, x·σ(x), with a hand-written gradient
# through `tf.custom_gradient`. The correct derivative is σ(x)·(1 + x·(1 − σ(x))); the buggy one
# returns σ(x) alone, forgetting the product rule's second term. Check both in float64 at h = 1e-5.

# %%
class HandWrittenSwish(keras.layers.Layer):
    def __init__(self, buggy=False, **kwargs):
        super().__init__(**kwargs)
        self.buggy = buggy

    def call(self, inputs):
        @tf.custom_gradient
        def swish(z):
            s = tf.sigmoid(z)

            def grad(upstream):
                derivative = s if self.buggy else s * (1 + z * (1 - s))
                return upstream * derivative

            return z * s, grad

        return swish(inputs)


bug_check = {}
for buggy in (False, True):
    model = build("float64", HandWrittenSwish(buggy=buggy, dtype="float64"))
    model.set_weights(reference.get_weights())
    rel, _ = relative_errors(model, [1e-5])
    sizes = [v.numpy().size for v in model.trainable_variables]
    per_variable = [float(part.max()) for part in np.split(rel[0], np.cumsum(sizes)[:-1])]
    bug_check["buggy" if buggy else "correct"] = per_variable
    print(("buggy  " if buggy else "correct"), "worst relative error per variable "
          "(first kernel, first bias, output kernel, output bias):", [f"{e:.1e}" for e in per_variable])

# %%
fig, ax = plt.subplots(figsize=(7.5, 5))
for dtype, marker in (("float64", "o"), ("float32", "s")):
    ax.loglog(STEPS_H, errors[dtype].max(axis=1), marker=marker, label=f"{dtype}, worst of 49 entries")
    ax.loglog(STEPS_H, np.median(errors[dtype], axis=1), marker=marker, ls=":", alpha=0.6, label=f"{dtype}, median entry")
    ax.axvline(np.finfo(dtype).eps ** (1 / 3), color="gray", ls="--", lw=0.8)
ax.axhline(1e-7, color="green", lw=0.8)
ax.axhline(1e-2, color="red", lw=0.8)
ax.text(2e-12, 1.6e-7, "1e-7: CS231n's 'good'", color="green", fontsize=8)
ax.text(2e-12, 1.6e-2, "1e-2: 'probably wrong'", color="red", fontsize=8)
ax.set_ylim(1e-12, 3)
ax.set_title("Gradient check of a tanh MLP: relative error vs step h\n(dashed verticals: h = eps^(1/3) for each dtype)")
ax.set_xlabel("finite-difference step h")
ax.set_ylabel("relative error |a − n| / max(|a|, |n|)")
ax.legend(loc="lower left", fontsize=8)
ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
worst = {dtype: errors[dtype].max(axis=1) for dtype in errors}
at = lambda h: int(np.argmin(abs(STEPS_H - h)))  # noqa: E731 - index of the grid step nearest h
results = {
    "float64_best_error": float(worst["float64"].min()),
    "float64_best_h": float(STEPS_H[worst["float64"].argmin()]),
    "float32_best_error": float(worst["float32"].min()),
    "float32_best_h": float(STEPS_H[worst["float32"].argmin()]),
    "float64_error_at_h_1e_5": float(worst["float64"][at(1e-5)]),
    "float32_error_at_h_1e_5": float(worst["float32"][at(1e-5)]),
    "float32_error_at_h_1e_3": float(worst["float32"][at(1e-3)]),
    "float64_truncation_slope": slopes["float64_truncation"],
    "float64_rounding_slope": slopes["float64_rounding"],
    "float32_rounding_slope": slopes["float32_rounding"],
    "correct_swish_worst_error": max(bug_check["correct"]),
    "buggy_first_kernel_error": bug_check["buggy"][0],
    "buggy_first_bias_error": bug_check["buggy"][1],
    "buggy_output_kernel_error": bug_check["buggy"][2],
    "buggy_output_bias_error": bug_check["buggy"][3],
    "float64_eps_cube_root": float(np.finfo("float64").eps ** (1 / 3)),
    "float32_eps_cube_root": float(np.finfo("float32").eps ** (1 / 3)),
}
print(results)
