"""
Title: Backward signal through time in a SimpleRNN with a scaled orthogonal recurrent kernel
Description: Norm of the backward signal ∂L/∂h_t of a loss that reads the last state, relative to the last state's, against the time lag, for recurrent spectral radius 0.8, 1 and 1.2, linear and tanh, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A `SimpleRNN` computes h_t = φ(x_t W + h_{t−1} U + b). Its recurrent kernel U is set to ρ·Q with
# Q a random orthogonal matrix, so every eigenvalue of U has modulus ρ *and* every singular value
# equals ρ: for this normal matrix the spectral radius and the largest singular value σ_max, which
# Pascanu et al.'s conditions use, coincide. The input kernel W is another orthogonal matrix
# (times 0.3 for tanh, to start away from saturation).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS, BATCH = 32, 50, 16
RHOS = (0.8, 1.0, 1.2)
INPUT_GAIN = {"linear": 1.0, "tanh": 0.3}

rng = np.random.default_rng(SEED)
x = tf.constant(rng.standard_normal((BATCH, STEPS, UNITS)).astype("float32"))
readout = tf.constant(rng.standard_normal(UNITS).astype("float32"))


def random_orthogonal():
    q, r = np.linalg.qr(rng.standard_normal((UNITS, UNITS)))
    return (q * np.sign(np.diag(r))).astype("float32")


# %% [markdown]
# The loss reads only the last hidden state, L = mean over the batch of r · h_T. To measure the
# backward signal ‖∂L/∂h_t‖ itself (not a kernel's gradient), the layer's cell is stepped by hand,
# so that every hidden state h_t is a tensor the tape can differentiate against; `lag = T − t`.

# %%
def backward_signal_by_lag(activation, rho):
    rnn = keras.layers.SimpleRNN(UNITS, activation=activation)
    rnn.build((None, STEPS, UNITS))
    rnn.set_weights([INPUT_GAIN[activation] * random_orthogonal(), rho * random_orthogonal(), np.zeros(UNITS, "float32")])
    with tf.GradientTape() as tape:
        states, state = [], tf.zeros((BATCH, UNITS))
        for step in range(STEPS):
            state, _ = rnn.cell(x[:, step], [state])
            states.append(state)
        loss = tf.reduce_mean(tf.linalg.matvec(state, readout))
    per_step = np.array([np.linalg.norm(g.numpy().astype("float64")) for g in tape.gradient(loss, states)])  # over batch and units
    # φ′ over the second half of the sequence: 1 for linear, 1 − h² for tanh
    late_derivative = float(np.mean(1 - np.square(np.stack(states[STEPS // 2 :])))) if activation == "tanh" else 1.0
    return per_step[::-1], late_derivative  # index = lag: 0 is the last step


lags = np.arange(STEPS)
runs = {(activation, rho): backward_signal_by_lag(activation, rho) for activation in INPUT_GAIN for rho in RHOS}
norms = {key: norm for key, (norm, _) in runs.items()}
slopes = {key: float(np.polyfit(lags, np.log(norm), 1)[0]) for key, norm in norms.items()}
for (activation, rho), slope in slopes.items():
    print(f"{activation:6s} ρ = {rho}: log-slope {slope:+.4f} per step (log ρ = {np.log(rho):+.4f})")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (activation, rho), norm in norms.items():
    style = "-" if activation == "linear" else "--"
    colour = {0.8: "C0", 1.0: "C2", 1.2: "C3"}[rho]
    ax.semilogy(lags, norm / norm[0], style, color=colour, label=f"{activation}, ρ = {rho}")
ax.set_xlabel("time lag T − t (steps back from the last state)")
ax.set_ylabel("backward signal ‖∂L/∂h_t‖ / ‖∂L/∂h_T‖ (log scale)")
ax.set_title(f"Backward signal through time, SimpleRNN with {UNITS} units, U = ρQ")
ax.legend(ncol=2)
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# For the linear network the norm should follow ρ^lag exactly; tanh can only shrink it further.
# `tanh_pairs_above_bound` counts the (ρ, lag ≥ 1) pairs where tanh exceeds ρ^lag by more than
# float32 rounding.

# %%
def relative(activation, rho):
    return norms[(activation, rho)] / norms[(activation, rho)][0]


results = {
    "steps": STEPS,
    "linear_slope_08": slopes[("linear", 0.8)],
    "linear_slope_10": slopes[("linear", 1.0)],
    "linear_slope_12": slopes[("linear", 1.2)],
    "linear_ratio_08": float(relative("linear", 0.8)[-1]),
    "linear_ratio_10": float(relative("linear", 1.0)[-1]),
    "linear_ratio_12": float(relative("linear", 1.2)[-1]),
    "tanh_ratio_08": float(relative("tanh", 0.8)[-1]),
    "tanh_ratio_12": float(relative("tanh", 1.2)[-1]),
    # geometric mean of the per-step factor over the 49 steps back
    "tanh_per_step_factor_12": float(relative("tanh", 1.2)[-1] ** (1 / (STEPS - 1))),
    "tanh_late_mean_derivative_08": runs[("tanh", 0.8)][1],
    "tanh_late_mean_derivative_12": runs[("tanh", 1.2)][1],
    "tanh_pairs_above_bound": int(sum(np.sum(relative("tanh", rho)[1:] > 1.0001 * rho ** lags[1:]) for rho in RHOS)),
    "tanh_pairs": len(RHOS) * (STEPS - 1),
}
print(results)
