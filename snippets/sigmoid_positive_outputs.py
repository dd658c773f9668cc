"""
Title: What the sigmoid's positive outputs do to the next layer's gradient
Description: Training loss of a linear readout trained by gradient descent on sigmoid features and on the same features shifted to zero mean, each at the largest stable learning rate, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A sigmoid's output lies in (0, 1), so its mean is far from zero. LeCun et al. (1998, §4.3 and
# §4.4) point out two consequences for the layer that reads it. For one example, the gradient of
# the loss with respect to unit j's incoming weights is h·δ_j: a positive vector h times one
# number, so every one of those weights is pushed the same way, and reaching a target that needs
# some up and some down takes a zig-zag. Averaged over examples, a non-zero input mean puts one
# large eigenvalue into the Hessian, and gradient descent slows down. This snippet measures both.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, BATCH = 16, 32, 256

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, INPUTS)).astype("float32")
y = np.tanh(x @ rng.standard_normal((INPUTS, 1)) / np.sqrt(INPUTS)).astype("float32")

# %% [markdown]
# Two hidden layers of 32 units, Glorot uniform kernels (the Keras default); the per-example
# gradient of the second layer's kernel comes from `tape.jacobian` of the per-example losses.
# A unit's incoming weights are "one-signed" for an example when all 32 entries of its column of
# that gradient have the same sign.

# %%
def one_signed_fractions(activation):
    model = keras.Sequential(
        [keras.Input((INPUTS,))]
        + [keras.layers.Dense(WIDTH, activation=activation) for _ in range(2)]
        + [keras.layers.Dense(1)]
    )
    second_kernel = model.layers[1].kernel
    with tf.GradientTape(persistent=True) as tape:
        per_example = keras.ops.mean((model(x) - y) ** 2, axis=1)
        mean_loss = keras.ops.mean(per_example)
    per_example_grad = tape.jacobian(per_example, second_kernel).numpy()  # (BATCH, WIDTH in, WIDTH out)
    batch_grad = tape.gradient(mean_loss, second_kernel).numpy()

    def one_signed(grad):  # grad[..., in, out]: is each unit's column all ≥ 0 or all ≤ 0?
        return np.all(grad >= 0, axis=-2) | np.all(grad <= 0, axis=-2)

    # The batch mean Σₙ hₙ·δₙⱼ mixes examples whose δₙⱼ differ in sign: it is printed, not a guarantee.
    return float(one_signed(per_example_grad).mean()), float(one_signed(batch_grad).mean())


fractions = {activation: one_signed_fractions(activation) for activation in ("sigmoid", "tanh")}
for activation, (per_example, batch) in fractions.items():
    print(f"{activation:7s}: one-signed columns per example {per_example:.3f}, in the batch-mean gradient {batch:.3f}")

# %% [markdown]
# The second effect, on training. A fixed random sigmoid layer makes features h; a linear readout
# (kernel and bias) is trained on them by full-batch gradient descent, once on h and once on
# h − ½, the same features without their offset. With the bias, both readouts can represent the
# same functions and have the same best loss. The MSE's Hessian is 2·E[[h, 1][h, 1]ᵀ]; each run
# uses the learning rate 1/λ_max, just inside gradient descent's stability limit 2/λ_max.

# %%
features = keras.activations.sigmoid(x @ rng.uniform(-1, 1, (INPUTS, WIDTH)).astype("float32")).numpy()
features = features.astype(np.float64)
target = y.astype(np.float64)
STEPS = 300


def readout_run(h):
    design = np.hstack([h, np.ones((BATCH, 1))])
    hessian = 2 * design.T @ design / BATCH
    eigenvalues = np.linalg.eigvalsh(hessian)
    best = np.linalg.lstsq(design, target, rcond=None)[0]
    best_loss = float(np.mean((design @ best - target) ** 2))
    weights, lr, excess = np.zeros((WIDTH + 1, 1)), 1 / eigenvalues[-1], []
    for _ in range(STEPS):
        residual = design @ weights - target
        excess.append(float(np.mean(residual**2)) - best_loss)
        weights -= lr * 2 * design.T @ residual / BATCH
    return {"lambda_max": eigenvalues[-1], "condition": eigenvalues[-1] / eigenvalues[0],
            "excess": np.array(excess), "best_loss": best_loss, "mean": float(h.mean())}


readouts = {"sigmoid features h": readout_run(features), "centred features h − ½": readout_run(features - 0.5)}
for name, run in readouts.items():
    print(f"{name:24s} mean {run['mean']:.3f}, λ_max {run['lambda_max']:.2f}, condition number {run['condition']:.0f}, "
          f"excess loss after {STEPS} steps {run['excess'][-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, run), style in zip(readouts.items(), ["-", "--"]):
    ax.semilogy(run["excess"], style, label=f"{name} (λ_max {run['lambda_max']:.1f}, condition {run['condition']:.0f})")
ax.set_title("Linear readout on 32 sigmoid features, gradient descent at lr = 1/λ_max")
ax.set_xlabel("step")
ax.set_ylabel("loss − best loss (MSE, log scale)")
ax.legend()
ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
raw, centred = readouts["sigmoid features h"], readouts["centred features h − ½"]
results = {
    "sigmoid_one_signed_per_example": fractions["sigmoid"][0],
    "tanh_one_signed_per_example": fractions["tanh"][0],
    "feature_mean": raw["mean"],
    "raw_lambda_max": float(raw["lambda_max"]),
    "centred_lambda_max": float(centred["lambda_max"]),
    "raw_condition": float(raw["condition"]),
    "centred_condition": float(centred["condition"]),
    "raw_excess_final": float(raw["excess"][-1]),
    "centred_excess_final": float(centred["excess"][-1]),
    "excess_initial": float(raw["excess"][0]),
    "raw_over_centred_excess": float(raw["excess"][-1] / centred["excess"][-1]),
    # Centring changes λ_max, and so the step size, by this factor: the centred run after STEPS/factor
    # steps has had as much "learning rate × steps" as the raw run after STEPS.
    "centred_excess_at_matched_steps": float(
        centred["excess"][int(round(STEPS * centred["lambda_max"] / raw["lambda_max"]))]
    ),
    "width": WIDTH,
    "steps": STEPS,
}
print(results)
