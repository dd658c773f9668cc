"""
Title: Gradient through time in a SimpleRNN with a scaled orthogonal recurrent kernel
Description: Norm of the gradient of the last step's output with respect to each earlier input, against the time lag, for recurrent spectral radius 0.8, 1 and 1.2, linear and tanh, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A `SimpleRNN` computes h_t = φ(x_t W + h_{t−1} U + b). Its recurrent kernel U is set to ρ·Q with
# Q a random orthogonal matrix, so every eigenvalue of U has modulus exactly ρ, and its input
# kernel W to another orthogonal matrix (times 0.3 for tanh, to start away from saturation).

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
# The loss reads only the last hidden state, L = mean over the batch of r · h_T. The tape watches
# the inputs, so ∂L/∂x_t says how much the input `lag = T − t` steps back still moves the loss.

# %%
def gradient_by_lag(activation, rho):
    rnn = keras.layers.SimpleRNN(UNITS, activation=activation)
    rnn.build((None, STEPS, UNITS))
    rnn.set_weights([INPUT_GAIN[activation] * random_orthogonal(), rho * random_orthogonal(), np.zeros(UNITS, "float32")])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(tf.linalg.matvec(rnn(x), readout))
    per_step = tf.norm(tape.gradient(loss, x), axis=(0, 2)).numpy()  # norm over batch and features
    return per_step[::-1]  # index = lag: 0 is the last step


lags = np.arange(STEPS)
norms = {(activation, rho): gradient_by_lag(activation, rho) for activation in INPUT_GAIN for rho in RHOS}
slopes = {key: float(np.polyfit(lags, np.log(norm), 1)[0]) for key, norm in norms.items()}
for (activation, rho), slope in slopes.items():
    print(f"{activation:6s} ρ = {rho}: log-slope {slope:+.4f} per step (log ρ = {np.log(rho):+.4f})")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (activation, rho), norm in norms.items():
    style = "-" if activation == "linear" else "--"
    colour = {0.8: "C0", 1.0: "C2", 1.2: "C3"}[rho]
    ax.semilogy(lags, norm / norm[0], style, color=colour, label=f"{activation}, ρ = {rho}")
ax.set_xlabel("time lag T − t (steps back from the last input)")
ax.set_ylabel("‖∂L/∂x_t‖ / ‖∂L/∂x_T‖ (log scale)")
ax.set_title(f"Gradient reaching earlier inputs, SimpleRNN with {UNITS} units")
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
    "linear_ratio_12": float(relative("linear", 1.2)[-1]),
    "tanh_ratio_08": float(relative("tanh", 0.8)[-1]),
    "tanh_ratio_12": float(relative("tanh", 1.2)[-1]),
    "tanh_pairs_above_bound": int(sum(np.sum(relative("tanh", rho)[1:] > 1.0001 * rho ** lags[1:]) for rho in RHOS)),
    "tanh_pairs": len(RHOS) * (STEPS - 1),
}
print(results)
