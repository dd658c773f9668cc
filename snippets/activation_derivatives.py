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
import inspect

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
# The slopes above are set explicitly. Keras's own defaults differ, and they differ between
# the layer and the function of the same name: read them from the installed Keras, and
# differentiate a `PReLU` layer built with its defaults on a Dense layer's 64 outputs.

# %%
def default(function, argument):
    return inspect.signature(function).parameters[argument].default


leaky_layer_default = default(keras.layers.LeakyReLU.__init__, "negative_slope")
leaky_function_default = default(keras.activations.leaky_relu, "negative_slope")
prelu_initializer_default = default(keras.layers.PReLU.__init__, "alpha_initializer")
elu_alpha_default = default(keras.activations.elu, "alpha")
gelu_approximate_default = default(keras.activations.gelu, "approximate")

default_prelu = keras.layers.PReLU()
default_prelu.build((None, 64))
units = tf.constant(np.tile([[-3.0], [3.0]], (1, 64)), dtype=tf.float32)  # every unit at −3, then at +3
with tf.GradientTape() as tape:
    tape.watch(units)
    out = default_prelu(units)
default_prelu_derivative = tape.gradient(out, units).numpy()
print(f"LeakyReLU layer: negative_slope={leaky_layer_default}; keras.activations.leaky_relu: "
      f"negative_slope={leaky_function_default}; PReLU: alpha_initializer={prelu_initializer_default!r}, "
      f"{default_prelu.alpha.shape} slopes on a (batch, 64) input; ELU alpha={elu_alpha_default}; "
      f"GELU approximate={gelu_approximate_default}")
print(f"default PReLU: f′(−3) = {default_prelu_derivative[0].max()}, f′(3) = {default_prelu_derivative[1].min()}")

# %% [markdown]
# Publish each activation's largest derivative and its derivative at x = −3, and the defaults.

# %%
KEYS = ["sigmoid", "relu", "leaky_relu", "prelu", "elu", "selu", "silu", "gelu"]
results = {}
for key, d in zip(KEYS, derivatives.values()):
    results[f"{key}_max"] = float(d.max())
    results[f"{key}_at_minus_3"] = float(d[at_minus_3])
results.update({
    "leaky_slope_set": LEAKY_SLOPE,
    "prelu_start_set": PRELU_START,
    "keras_leaky_layer_default_slope": float(leaky_layer_default),
    "keras_leaky_function_default_slope": float(leaky_function_default),
    "keras_prelu_default_initializer": str(prelu_initializer_default),
    "keras_prelu_default_slopes": int(np.prod(default_prelu.alpha.shape)),
    "keras_prelu_default_at_minus_3": float(np.abs(default_prelu_derivative[0]).max()),
    "keras_prelu_default_at_plus_3": float(default_prelu_derivative[1].min()),
    "keras_elu_default_alpha": float(elu_alpha_default),
    "keras_gelu_default_approximate": bool(gelu_approximate_default),
})
print(results)
