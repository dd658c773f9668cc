"""
Title: The sigmoid and its derivative
Description: The logistic sigmoid and its derivative on one axis; the derivative never exceeds 0.25.
Accelerator: None
"""

# %% [markdown]
# The sigmoid squashes any input into (0, 1). Backpropagation multiplies by its derivative,
# σ′(x) = σ(x)(1 − σ(x)), so the size of that derivative decides how much gradient survives.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

# %% [markdown]
# Let Keras compute σ′ by automatic differentiation rather than by the formula,
# on a grid that contains x = 0 exactly.

# %%
x = tf.constant(np.linspace(-8.0, 8.0, 1601), dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = ops.sigmoid(x)
dy_dx = tape.gradient(y, x).numpy()
peak = int(np.argmax(dy_dx))
print(f"largest derivative {dy_dx[peak]:.6f} at x = {x.numpy()[peak]:+.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x, y, label="σ(x)", linewidth=2)
ax.plot(x, dy_dx, label="σ′(x)", linewidth=2)
ax.axhline(0.25, color="grey", linestyle=":", label="0.25, the largest σ′")
ax.set_xlabel("pre-activation x")
ax.set_ylabel("value")
ax.set_title("The sigmoid and its derivative")
ax.legend()
ax.grid(alpha=0.3)

# %% [markdown]
# Far from zero the sigmoid saturates: at |x| = 5 its derivative is already below 0.01.

# %%
at_five = float(dy_dx[np.argmin(np.abs(x.numpy() - 5.0))])
results = {
    "peak_derivative": float(dy_dx[peak]),
    "peak_location": float(x.numpy()[peak]),
    "derivative_at_5": at_five,
}
print(results)
