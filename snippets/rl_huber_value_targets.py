"""
Title: Value regression on large heavy-tailed returns: MSE, Huber and scaled targets
Description: Left: the largest per-sample gradient of the loss with respect to a prediction at initialisation, for MSE and Huber (delta 1) on raw returns and for MSE on returns divided by their standard deviation, on a log scale. Right: error of the learned value against the true value during 300 SGD steps at learning rates 0.001 and 0.01, relative to the true value's spread, on a log scale.
Accelerator: None
Timeout: 300
"""

# %% [markdown]
# Synthetic value targets: states s ∈ ℝ⁸, a true value v(s) = 100 · sin(s·w) (rewards scaled ×100),
# and observed returns G = v(s) + 30 · t₂, with t₂ Student-t noise of two degrees of freedom
# (heavy-tailed: occasional returns hundreds off). A value network 8 → 64 → 64 → 1 (ReLU, Keras's
# default glorot_uniform kernels) is fitted to G by full-batch SGD (learning rates 10⁻³ and 10⁻², 300 steps)
# with three losses:
#
# - **MSE on raw returns**: ∂L/∂ŷᵢ = 2(ŷᵢ − Gᵢ)/N grows with the error;
# - **Huber on raw returns**: `keras.losses.Huber()`, delta 1.0 by default, so ∂L/∂ŷᵢ = clip(ŷᵢ − Gᵢ, −1, 1)/N;
# - **MSE on scaled returns**: G divided by its standard deviation, the prediction multiplied back.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

SAMPLES, STEPS, REWARD_SCALE = 512, 300, 100.0
LEARNING_RATES = (1e-3, 1e-2)
rng = np.random.default_rng(SEED)
direction = rng.standard_normal((8, 1)) / np.sqrt(8)


def true_value(states):
    return REWARD_SCALE * np.sin(2 * states @ direction)


states = rng.standard_normal((SAMPLES, 8)).astype("float32")
returns = (true_value(states) + 0.3 * REWARD_SCALE * rng.standard_t(2, (SAMPLES, 1))).astype("float32")
test_states = rng.standard_normal((1024, 8)).astype("float32")
test_values = true_value(test_states)
return_std = float(returns.std())

model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(64, activation="relu"),
                          keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
initial_weights = model.get_weights()
mse, huber = keras.losses.MeanSquaredError(), keras.losses.Huber()
huber_delta = float(huber._fn_kwargs["delta"])  # the default the class sets: 1.0
print(f"Huber delta {huber_delta}; return std {return_std:.3g}, largest |return| {np.abs(returns).max():.3g}")

# %% [markdown]
# At initialisation: the gradient of each loss with respect to each prediction (times N, so it
# reads per sample), and the norm of the gradient with respect to all weights.

# %%
VARIANTS = {"MSE, raw returns": (mse, 1.0), "Huber δ=1, raw returns": (huber, 1.0),
            "MSE, returns / std": (mse, return_std)}
per_sample, weight_norm = {}, {}
for name, (loss_fn, scale) in VARIANTS.items():
    with tf.GradientTape(persistent=True) as tape:
        prediction = model(states)
        tape.watch(prediction)
        loss = loss_fn(returns / scale, prediction)
    per_sample[name] = np.abs(tape.gradient(loss, prediction).numpy()).ravel() * SAMPLES
    weight_norm[name] = float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_variables)))
    print(f"{name:24s} largest |∂L/∂ŷᵢ|·N {per_sample[name].max():.3g}; ‖∂L/∂θ‖ {weight_norm[name]:.3g}")

# %% [markdown]
# Training: the same initial weights for all three. The error is measured on fresh states against
# the true value v(s), in reward units, relative to v's own spread: 1 is no better than predicting 0.

# %%
optimizer = keras.optimizers.SGD(LEARNING_RATES[0])
optimizer.build(model.trainable_variables)
curves = {}
for rate, (name, (loss_fn, scale)) in [(r, v) for r in LEARNING_RATES for v in VARIANTS.items()]:
    model.set_weights(initial_weights)
    optimizer.learning_rate.assign(rate)

    @tf.function
    def train_step(loss_fn=loss_fn, scale=scale):
        with tf.GradientTape() as tape:
            loss = loss_fn(returns / scale, model(states))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)

    errors = []
    for step in range(STEPS + 1):
        if step % 10 == 0:
            predicted = model(test_states).numpy() * scale
            errors.append(float(np.sqrt(np.mean((predicted - test_values) ** 2)) / test_values.std()))
            if not np.isfinite(errors[-1]):
                break
        if step < STEPS:
            train_step()
    curves[(name, rate)] = np.array(errors)
    print(f"lr {rate:g} {name:24s} relative value error {errors[0]:.3g} → {errors[-1]:.3g}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
names = list(VARIANTS)
axes[0].bar(range(3), [per_sample[n].max() for n in names], color=["tab:blue", "tab:orange", "tab:green"])
axes[0].set_yscale("log")
axes[0].set_xticks(range(3), names, fontsize=9)
axes[0].set_ylabel("largest per-sample |∂loss/∂ŷᵢ| · N (log scale)")
axes[0].set_title("Gradient with respect to the prediction, at initialisation")
colours = dict(zip(names, ["tab:blue", "tab:orange", "tab:green"]))
for (name, rate), errors in curves.items():
    shown = errors[np.isfinite(errors)]
    axes[1].semilogy(10 * np.arange(len(shown)), shown, color=colours[name], linewidth=2,
                     linestyle="-" if rate == LEARNING_RATES[0] else "--", label=f"{name}, lr {rate:g}")
axes[1].axhline(1.0, color="grey", linewidth=1, label="predicting 0")
axes[1].set_title("SGD: error of the learned value against the true value")
axes[1].set_xlabel("step")
axes[1].set_ylabel("rms(v̂ − v) / std(v) on test states (log scale)")
axes[1].set_ylim(0.3, 3)  # a diverging run leaves through the top
axes[1].legend(fontsize=8)
for ax in axes:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()


# %%
def final(name, rate):
    errors = curves[(name, rate)]
    return float(errors[-1]) if len(errors) == STEPS // 10 + 1 and np.isfinite(errors[-1]) else "diverged"


results = {
    "huber_delta": huber_delta,
    "return_std": return_std,
    "largest_return": float(np.abs(returns).max()),
    "mse_raw_max_prediction_gradient": float(per_sample["MSE, raw returns"].max()),
    "huber_raw_max_prediction_gradient": float(per_sample["Huber δ=1, raw returns"].max()),
    "mse_scaled_max_prediction_gradient": float(per_sample["MSE, returns / std"].max()),
    "mse_raw_weight_gradient": weight_norm["MSE, raw returns"],
    "huber_raw_weight_gradient": weight_norm["Huber δ=1, raw returns"],
    "mse_scaled_weight_gradient": weight_norm["MSE, returns / std"],
    "initial_error": float(curves[("MSE, raw returns", LEARNING_RATES[0])][0]),
}
for rate, tag in zip(LEARNING_RATES, ("0_001", "0_01")):
    results[f"mse_raw_final_error_lr_{tag}"] = final("MSE, raw returns", rate)
    results[f"huber_raw_final_error_lr_{tag}"] = final("Huber δ=1, raw returns", rate)
    results[f"mse_scaled_final_error_lr_{tag}"] = final("MSE, returns / std", rate)
    results[f"mse_raw_steps_lr_{tag}"] = 10 * (len(curves[("MSE, raw returns", rate)]) - 1)
results["huber_stayed_finite"] = all(final("Huber δ=1, raw returns", r) != "diverged" for r in LEARNING_RATES)
results["scaled_stayed_finite"] = all(final("MSE, returns / std", r) != "diverged" for r in LEARNING_RATES)
print(results)
