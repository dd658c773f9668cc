"""
Title: Backward signal against the time lag in a SimpleRNN, on the PyTorch backend
Description: Norm of the backward signal ∂L/∂h_t of a loss that reads the last state, relative to the last state's, at every lag, for a 32-unit SimpleRNN with recurrent kernel 1.2 times an orthogonal matrix drawn with NumPy, linear and tanh, against 1.2^lag, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The gradient-against-lag probe, small: one recurrent kernel U = 1.2·Q (Q orthogonal, so every
# singular value is 1.2), linear and tanh. The weights, inputs and readout are drawn with NumPy
# from `SEED`, so the TensorFlow, JAX and PyTorch versions measure the same network.

# %%
import os

os.environ["KERAS_BACKEND"] = "torch"  # before the first `import keras`

import keras
import matplotlib.pyplot as plt
import numpy as np
import torch

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS, BATCH, RHO = 32, 50, 16, 1.2
INPUT_GAIN = {"linear": 1.0, "tanh": 0.3}
REPORTED_LAGS = (10, 25, 49)

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, STEPS, UNITS)).astype("float32")
readout = rng.standard_normal(UNITS).astype("float32")


def random_orthogonal():
    q, r = np.linalg.qr(rng.standard_normal((UNITS, UNITS)))
    return (q * np.sign(np.diag(r))).astype("float32")


weights = {activation: [gain * random_orthogonal(), RHO * random_orthogonal(), np.zeros(UNITS, "float32")]
           for activation, gain in INPUT_GAIN.items()}

# %% [markdown]
# Step the layer's cell by hand so that every hidden state h_t is a tensor in autograd's graph,
# and ask `torch.autograd.grad` for ∂L/∂h_t, L = mean over the batch of r · h_T.

# %%
def backward_signal_by_lag(activation):
    rnn = keras.layers.SimpleRNN(UNITS, activation=activation)
    rnn.build((None, STEPS, UNITS))
    rnn.set_weights(weights[activation])
    # keras.ops puts the tensors on the device Keras computes on (a GPU if there is one).
    inputs, r = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(readout)
    states, state = [], keras.ops.zeros((BATCH, UNITS))
    for step in range(STEPS):
        state, _ = rnn.cell(inputs[:, step], [state])
        states.append(state)
    loss = torch.mean(state @ r)
    signals = torch.autograd.grad(loss, states)
    return np.array([np.linalg.norm(keras.ops.convert_to_numpy(s).astype("float64")) for s in signals])[::-1]  # index = lag


norms = {activation: backward_signal_by_lag(activation) for activation in INPUT_GAIN}
for activation, norm in norms.items():
    print(activation, " ".join(f"lag {lag}: {norm[lag] / norm[0]:.4e}" for lag in REPORTED_LAGS))

# %%
lags = np.arange(STEPS)
fig, ax = plt.subplots(figsize=(7, 4.2))
for activation, norm in norms.items():
    ax.semilogy(lags, norm / norm[0], label=f"{activation}, measured")
ax.semilogy(lags, RHO ** lags, "k:", label=f"{RHO}^lag (σ_max^lag)")
ax.set_xlabel("time lag T − t (steps back from the last state)")
ax.set_ylabel("‖∂L/∂h_t‖ / ‖∂L/∂h_T‖ (log scale)")
ax.set_title(f"Backward signal through time on {keras.backend.backend()}, U = {RHO}·Q")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {"backend": keras.backend.backend(), "rho": RHO, "signal_at_lag_0": float(norms["linear"][0])}
for lag in REPORTED_LAGS:
    results[f"bound_lag_{lag}"] = RHO**lag  # σ_max^lag: exact for linear, an upper bound for tanh
for activation, norm in norms.items():
    for lag in REPORTED_LAGS:
        results[f"{activation}_ratio_lag_{lag}"] = float(norm[lag] / norm[0])
    results[f"{activation}_signal_lag_{STEPS - 1}"] = float(norm[-1])
# pairs (lag ≥ 1) where tanh exceeds the bound ρ^lag by more than float32 rounding
results["tanh_lags_above_bound"] = int(np.sum(norms["tanh"][1:] / norms["tanh"][0] > 1.0001 * RHO ** lags[1:]))
results["lags"] = STEPS - 1
print(results)
