"""
Title: Derivatives of the common activation functions
Description: The derivative of ReLU, Leaky ReLU, PReLU, ELU, SELU, Swish/SiLU and GELU, computed by automatic differentiation, against the sigmoid's.
Accelerator: None
"""

# %% [markdown]
# Backpropagation multiplies the gradient by the activation's derivative once per layer, so
# the shape of that derivative decides how much gradient survives depth. We let TensorFlow
# differentiate each activation Keras ships, on one grid of inputs.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

LEAKY_SLOPE = 0.01  # Maas, Hannun & Ng (2013)
PRELU_START = 0.25  # He et al. (2015) initialise PReLU's learned slope at 0.25

# %% [markdown]
# PReLU is a layer with a learned negative slope; we differentiate the layer itself,
# with the slope at its initial value.

# %%
prelu = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(PRELU_START))
ACTIVATIONS = {
    "sigmoid": keras.activations.sigmoid,
    "ReLU": keras.activations.relu,
    f"Leaky ReLU (slope {LEAKY_SLOPE})": lambda x: keras.activations.leaky_relu(x, negative_slope=LEAKY_SLOPE),
    f"PReLU (slope {PRELU_START} at start)": prelu,
    "ELU (α = 1)": keras.activations.elu,
    "SELU": keras.activations.selu,
    "Swish / SiLU": keras.activations.silu,
    "GELU": keras.activations.gelu,
}

# %% [markdown]
# A grid with a step of 0.005 that holds x = −3 exactly.

# %%
x = tf.constant(np.linspace(-6.0, 6.0, 2401), dtype=tf.float32)
derivatives = {}
for name, activation in ACTIVATIONS.items():
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = activation(x)
    derivatives[name] = tape.gradient(y, x).numpy()
at_minus_3 = int(np.argmin(np.abs(x.numpy() + 3.0)))
for name, d in derivatives.items():
    print(f"{name:28s} max f′ {d.max():.4f}   f′(−3) {d[at_minus_3]:.4f}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, d in derivatives.items():
    style = {"sigmoid": {"color": "black", "linestyle": "--"}, "ReLU": {"linewidth": 4, "alpha": 0.5}}
    ax.plot(x, d, label=name, **style.get(name, {"linewidth": 1.8}))
ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
ax.set_xlabel("pre-activation x")
ax.set_ylabel("derivative f′(x)")
ax.set_title("Activation derivatives, by automatic differentiation")
ax.legend(fontsize=8, loc="upper left")
ax.grid(alpha=0.3)

# %% [markdown]
# Publish each activation's largest derivative and its derivative at x = −3.

# %%
KEYS = ["sigmoid", "relu", "leaky_relu", "prelu", "elu", "selu", "silu", "gelu"]
results = {}
for key, d in zip(KEYS, derivatives.values()):
    results[f"{key}_max"] = float(d.max())
    results[f"{key}_at_minus_3"] = float(d[at_minus_3])
print(results)
