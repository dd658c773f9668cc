"""
Title: LSTM gradients over long lags: the forget-gate bias, and ReLU inside the cell
Description: Gradient of an LSTM's last output with respect to the input a given number of steps earlier, with unit_forget_bias True and False, and the hidden-state size over time of a tanh and a ReLU LSTM with large recurrent weights, on log scales.
Accelerator: None
"""

# %% [markdown]
# An LSTM's cell state is carried forward as c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t, so the gradient
# that flows back along it over k steps is multiplied by k forget gates. Keras initialises the
# forget-gate bias to 1 (`unit_forget_bias=True`): the gates start near σ(1) ≈ 0.73 instead of
# σ(0) = 0.5, and 0.73ᵏ shrinks far more slowly than 0.5ᵏ — but it still shrinks.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

TIMESTEPS, UNITS, FEATURES, BATCH, LAG = 40, 16, 8, 32, 30

rng = np.random.default_rng(SEED)
x = tf.constant(rng.standard_normal((BATCH, TIMESTEPS, FEATURES)).astype("float32"))


def gradient_by_lag(lstm):
    """‖∂ sum(h_T) / ∂x_{T−k}‖ for every lag k (the backward signal at each input), and the hidden states."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        states = lstm(x)
        loss = tf.reduce_sum(states[:, -1])
    per_step = np.linalg.norm(tape.gradient(loss, x).numpy().astype("float64"), axis=(0, 2))
    return per_step[::-1], states.numpy()  # index k = lag k


# %% [markdown]
# Same weights and data; only the forget-gate bias initialisation differs.

# %%
by_lag = {}
for forget_bias in (True, False):
    keras.utils.set_random_seed(SEED)
    by_lag[forget_bias], _ = gradient_by_lag(keras.layers.LSTM(UNITS, unit_forget_bias=forget_bias, return_sequences=True))
ratio_at_lag = by_lag[True][LAG] / by_lag[False][LAG]
print(f"lag {LAG}: unit_forget_bias=True keeps {by_lag[True][LAG] / by_lag[True][0]:.1e} of its lag-0 gradient, "
      f"False keeps {by_lag[False][LAG] / by_lag[False][0]:.1e}; ratio True/False {ratio_at_lag:.3g}")

# %%
sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731 - the gate activation, for the reference lines
lags = np.arange(TIMESTEPS)
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.semilogy(lags, by_lag[True], marker="o", markersize=3, label="unit_forget_bias=True (bias 1)")
ax.semilogy(lags, by_lag[False], marker="s", markersize=3, label="unit_forget_bias=False (bias 0)")
ax.semilogy(lags, by_lag[True][0] * sigmoid(1.0) ** lags, color="tab:blue", linestyle=":", label="σ(1)ᵏ reference")
ax.semilogy(lags, by_lag[False][0] * sigmoid(0.0) ** lags, color="tab:orange", linestyle=":", label="σ(0)ᵏ = 0.5ᵏ reference")
ax.axvline(LAG, color="grey", linestyle="--", linewidth=1)
ax.set_xlabel("lag k (steps between the input and the last output)")
ax.set_ylabel("‖∂ output_T / ∂ input_{T−k}‖ (log scale)")
ax.set_title("LSTM gradient over the lag, freshly initialised")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# ReLU inside the cell: with `activation="relu"` neither the candidate g_t nor the output
# o_t ⊙ act(c_t) is bounded, and with large recurrent weights the state grows step after step.
# tanh bounds |h_t| below 1 whatever the weights.

# %%
large_recurrent = keras.initializers.RandomNormal(stddev=2.0)  # each gate's 16 × 16 block: ρ ≈ 2·√16 = 8, σ_max ≈ 16
state_size = {}
for activation in ("tanh", "relu"):
    keras.utils.set_random_seed(SEED)
    lstm = keras.layers.LSTM(UNITS, activation=activation, recurrent_initializer=large_recurrent, return_sequences=True)
    gradients, states = gradient_by_lag(lstm)
    state_size[activation] = {
        "largest_state": np.abs(states).max(axis=(0, 2)),
        "gradient_at_lag": gradients[LAG],
        "growth_to_lag": gradients[LAG] / gradients[0],
    }
    print(f"{activation}: largest |h_t| at the last step {state_size[activation]['largest_state'][-1]:.3g}, "
          f"gradient at lag {LAG} {gradients[LAG]:.3g}")

fig2, ax2 = plt.subplots(figsize=(7, 4.5))
steps = np.arange(1, TIMESTEPS + 1)
ax2.semilogy(steps, state_size["tanh"]["largest_state"], marker="o", markersize=3, label='activation="tanh"')
ax2.semilogy(steps, state_size["relu"]["largest_state"], marker="s", markersize=3, label='activation="relu"')
ax2.axhline(1.0, color="grey", linestyle=":", label="|h| = 1, tanh's bound")
ax2.set_xlabel("time step t")
ax2.set_ylabel("largest |h_t| over batch and units (log scale)")
ax2.set_title("Large recurrent weights: ReLU LSTM state explodes, tanh stays bounded")
ax2.legend(fontsize="small")
ax2.grid(alpha=0.3, which="both")

# %%
results = {
    "lag": LAG,
    "forget_bias_true_at_lag": float(by_lag[True][LAG]),
    "forget_bias_false_at_lag": float(by_lag[False][LAG]),
    "forget_bias_ratio_at_lag": float(ratio_at_lag),
    "forget_bias_true_kept_at_lag": float(by_lag[True][LAG] / by_lag[True][0]),
    "forget_bias_false_kept_at_lag": float(by_lag[False][LAG] / by_lag[False][0]),
    "predicted_ratio_cell_path": float((sigmoid(1.0) / sigmoid(0.0)) ** LAG),
    # mean factor per step of lag: the LAG-th root of what reaches lag LAG relative to lag 0
    "forget_bias_true_per_step": float((by_lag[True][LAG] / by_lag[True][0]) ** (1 / LAG)),
    "forget_bias_false_per_step": float((by_lag[False][LAG] / by_lag[False][0]) ** (1 / LAG)),
    "tanh_largest_state": float(state_size["tanh"]["largest_state"].max()),
    "relu_largest_state": float(state_size["relu"]["largest_state"].max()),
    "tanh_gradient_at_lag": float(state_size["tanh"]["gradient_at_lag"]),
    "tanh_gradient_growth_to_lag": float(state_size["tanh"]["growth_to_lag"]),
    "relu_gradient_at_lag": float(min(state_size["relu"]["gradient_at_lag"], np.finfo("float64").max)),
}
print(results)
