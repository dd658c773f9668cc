"""
Title: Gradient through time at initialisation: SimpleRNN, GRU and LSTM
Description: Norm of the gradient of the last output with respect to each earlier input, relative to the last input's, against the time lag, for SimpleRNN, GRU and LSTM cells at initialisation, with default and raised gate biases, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The input is the recall task's: a sign (±1) at the first step, then standard-normal noise.
# Each cell has 16 units and Keras's default initialisers (Glorot uniform input kernel,
# orthogonal recurrent kernel, and for the LSTM `unit_forget_bias=True`, forget-gate bias 1).
# Two variants raise the bias of the gate that keeps the state: the LSTM's forget gate and the
# GRU's update gate z (Keras's GRU computes h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃_t).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS, BATCH, LAG, RAISED_BIAS = 16, 50, 64, 40, 4.0

rng = np.random.default_rng(SEED)
sequences = rng.standard_normal((BATCH, STEPS, 1)).astype("float32")
sequences[:, 0, 0] = rng.choice([-1.0, 1.0], BATCH)
x = tf.constant(sequences)


def lstm(forget_bias):
    layer = keras.layers.LSTM(UNITS)
    layer.build((None, STEPS, 1))
    kernel, recurrent, bias = layer.get_weights()
    bias[UNITS : 2 * UNITS] = forget_bias  # Keras orders the LSTM gates i, f, c, o
    layer.set_weights([kernel, recurrent, bias])
    return layer


def gru(update_bias):
    layer = keras.layers.GRU(UNITS)
    layer.build((None, STEPS, 1))
    kernel, recurrent, bias = layer.get_weights()
    bias[0, :UNITS] = update_bias  # row 0 is the input bias; Keras orders the GRU gates z, r, h
    layer.set_weights([kernel, recurrent, bias])
    return layer


CELLS = {
    "SimpleRNN (tanh)": lambda: keras.layers.SimpleRNN(UNITS),
    "GRU, default (z bias 0)": lambda: gru(0.0),
    "LSTM, default (forget bias 1)": lambda: lstm(1.0),
    f"GRU, z bias {RAISED_BIAS:g}": lambda: gru(RAISED_BIAS),
    f"LSTM, forget bias {RAISED_BIAS:g}": lambda: lstm(RAISED_BIAS),
}

# %% [markdown]
# A linear read-out of the last hidden state is the loss; the tape watches the inputs.

# %%
def gradient_by_lag(recurrent_layer):
    readout = keras.layers.Dense(1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(readout(recurrent_layer(x)))
    per_step = tf.norm(tape.gradient(loss, x), axis=(0, 2)).numpy()[::-1]  # index = lag
    return per_step / per_step[0]


relative = {name: gradient_by_lag(make()) for name, make in CELLS.items()}
for name, ratio in relative.items():
    print(f"{name:30s} gradient at lag {LAG} / at lag 0: {ratio[LAG]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, ratio), colour, style in zip(relative.items(), ("C0", "C1", "C2", "C1", "C2"), ("-", "-", "-", "--", "--")):
    ax.semilogy(np.arange(STEPS), ratio, style, color=colour, label=name)
ax.axvline(LAG, color="grey", linestyle=":")
ax.set_xlabel("time lag T − t (steps back from the last input)")
ax.set_ylabel("‖∂L/∂x_t‖ / ‖∂L/∂x_T‖ (log scale)")
ax.set_title(f"Backward signal reaching earlier inputs at initialisation, {UNITS} units")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %% [markdown]
# The gate values the biases alone would give, σ(bias), for comparison with the measured decay.

# %%
names = list(CELLS)
results = {
    "lag": LAG,
    "raised_bias": RAISED_BIAS,
    "simple_rnn_ratio": float(relative[names[0]][LAG]),
    "gru_ratio": float(relative[names[1]][LAG]),
    "lstm_ratio": float(relative[names[2]][LAG]),
    "gru_raised_ratio": float(relative[names[3]][LAG]),
    "lstm_raised_ratio": float(relative[names[4]][LAG]),
    "sigmoid_of_1": float(ops.sigmoid(1.0)),
    "sigmoid_of_raised": float(ops.sigmoid(RAISED_BIAS)),
}
results["lstm_over_simple_rnn"] = results["lstm_ratio"] / results["simple_rnn_ratio"]
results["lstm_raised_over_simple_rnn"] = results["lstm_raised_ratio"] / results["simple_rnn_ratio"]
results["gru_raised_over_simple_rnn"] = results["gru_raised_ratio"] / results["simple_rnn_ratio"]
print(results)
