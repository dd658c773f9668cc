"""
Title: LSTM backward signal against the lag, unit_forget_bias True and False, on the JAX backend
Description: Norm of the gradient of the sum of a 16-unit LSTM's last output with respect to the input k steps earlier, relative to the last input's, at every lag k, with the forget-gate bias 1 (unit_forget_bias=True) and 0, weights drawn with NumPy, against σ(1)^k and 0.5^k, on a log scale.
Accelerator: None
"""

# %% [markdown]
# The LSTM gradient-against-lag probe with every weight set by hand: the kernel, the recurrent
# kernel and the inputs are drawn with NumPy from `SEED` the way Keras's defaults draw them
# (Glorot-uniform kernel, orthogonal recurrent kernel), so the TensorFlow, JAX and PyTorch versions
# measure the same network. The two runs differ only in the forget gate's bias: 1 (what
# `unit_forget_bias=True`, Keras's default, sets) or 0.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

UNITS, STEPS, FEATURES, BATCH = 16, 40, 8, 32
REPORTED_LAGS, LAG = (10, 20, 30), 30
FORGET_BIASES = (1.0, 0.0)

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
# Keras's defaults, drawn with NumPy: glorot_uniform kernel, orthogonal recurrent kernel (orthonormal rows).
limit = np.sqrt(6 / (FEATURES + 4 * UNITS))
kernel = rng.uniform(-limit, limit, (FEATURES, 4 * UNITS)).astype("float32")
q, r = np.linalg.qr(rng.standard_normal((4 * UNITS, UNITS)))
recurrent_kernel = (q * np.sign(np.diag(r))).T.astype("float32")

lstm = keras.layers.LSTM(UNITS)
lstm.build((None, STEPS, FEATURES))  # one layer; its weights are passed in below


def weights_with_forget_bias(forget_bias):
    """The drawn weights in the order of lstm.trainable_variables; the bias is zero except the forget gate's."""
    bias = np.zeros(4 * UNITS, "float32")
    bias[UNITS : 2 * UNITS] = forget_bias  # Keras's gate order in the bias and kernels: i, f, c, o
    return [kernel, recurrent_kernel, bias]


# %% [markdown]
# L is the sum of the last output h_T over units and examples. JAX differentiates a pure function
# with respect to its arguments: `stateless_call` runs the layer on the weights it is given, and
# `jax.grad(..., argnums=1)` differentiates L with respect to the input, returning ∂L/∂x for every
# step at once; its norm over the batch and the features at step T − k is the backward signal that
# reaches k steps back. `jax.jit` compiles the gradient once, for both biases.

# %%
def loss(weights, inputs):
    outputs, _ = lstm.stateless_call(weights, [v.value for v in lstm.non_trainable_variables], inputs)
    return keras.ops.sum(outputs)


input_gradient = jax.jit(jax.grad(loss, argnums=1))


def backward_signal_by_lag(forget_bias):
    signal = input_gradient(weights_with_forget_bias(forget_bias), x)
    return np.linalg.norm(np.asarray(signal, "float64"), axis=(0, 2))[::-1]  # index = lag k


norms = {forget_bias: backward_signal_by_lag(forget_bias) for forget_bias in FORGET_BIASES}
for forget_bias, norm in norms.items():
    print(f"forget bias {forget_bias:g}:", " ".join(f"lag {lag}: {norm[lag] / norm[0]:.4e}" for lag in REPORTED_LAGS))

# %%
sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731 - the gate activation, for the reference lines
lags = np.arange(STEPS)
fig, ax = plt.subplots(figsize=(7, 4.2))
for (forget_bias, norm), color in zip(norms.items(), ("tab:blue", "tab:orange")):
    ax.semilogy(lags, norm / norm[0], color=color, label=f"forget-gate bias {forget_bias:g}, measured")
    ax.semilogy(lags, sigmoid(forget_bias) ** lags, color=color, linestyle=":", label=f"σ({forget_bias:g})^k, cell path alone")
ax.set_xlabel("lag k (steps between the input and the last output)")
ax.set_ylabel("‖∂L/∂x_{T−k}‖ / ‖∂L/∂x_T‖ (log scale)")
ax.set_title(f"LSTM backward signal against the lag on {keras.backend.backend()}")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
results = {"backend": keras.backend.backend(), "lag": LAG}
for forget_bias, norm in norms.items():
    name = f"bias_{forget_bias:g}"
    results[f"{name}_signal_lag_0"] = float(norm[0])
    for lag in REPORTED_LAGS:
        results[f"{name}_ratio_lag_{lag}"] = float(norm[lag] / norm[0])
    # mean factor kept per step of lag: the LAG-th root of the lag-LAG ratio
    results[f"{name}_per_step"] = float((norm[LAG] / norm[0]) ** (1 / LAG))
results["bias_1_over_bias_0_at_lag"] = results[f"bias_1_ratio_lag_{LAG}"] / results[f"bias_0_ratio_lag_{LAG}"]
print(results)
