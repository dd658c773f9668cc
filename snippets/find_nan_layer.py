"""
Title: Find the layer that first produces NaN
Description: Fraction of non-finite values in the output of each layer of a small model with a planted log-of-a-negative layer; everything after that layer is NaN too.
Accelerator: None
"""

# %% [markdown]
# A model with a planted fault: a custom layer takes the log of its input, and the layer before
# it is linear, so about half of its inputs are negative. One NaN then spreads to every layer
# after it, so the loss alone cannot tell you where it started.

# %%
import re

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

FEATURES, WIDTH, BATCH = 8, 16, 64
PLANTED = "log_features"


class LogFeatures(keras.layers.Layer):
    """log(x): NaN for every negative input. The bug we are looking for."""

    def call(self, x):
        return ops.log(x)


def build():
    return keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(WIDTH, activation="relu", name="dense_in"),
        keras.layers.Dense(WIDTH, name="projection"),
        LogFeatures(name=PLANTED),
        keras.layers.Dense(WIDTH, activation="relu", name="hidden"),
        keras.layers.Dense(1, name="output"),
    ])


rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, FEATURES)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
model = build()

# %% [markdown]
# Method 1: run the layers one by one, eagerly, and stop at the first output that is not
# finite. This works for any `Sequential` model; for a functional model, walk
# `model.layers` in the same way or build a model that returns every intermediate output.

# %%
nonfinite_fraction, first_bad_layer = {}, None
h = x
for layer in model.layers:
    h = layer(h)
    bad = ~tf.math.is_finite(h)
    nonfinite_fraction[layer.name] = float(tf.reduce_mean(tf.cast(bad, tf.float32)))
    if first_bad_layer is None and bool(tf.reduce_any(bad)):
        first_bad_layer = layer.name
print("first layer with a non-finite output:", first_bad_layer)
print({name: round(fraction, 3) for name, fraction in nonfinite_fraction.items()})

# %% [markdown]
# Method 2: `tf.debugging.check_numerics` raises at the first tensor with a NaN or inf and puts
# your message (here the layer's name) in the error.

# %%
h, check_numerics_layer = x, None
try:
    for layer in model.layers:
        h = tf.debugging.check_numerics(layer(h), message=layer.name)
except tf.errors.InvalidArgumentError as error:
    check_numerics_layer = re.search(r"(\S+) : Tensor had", error.message).group(1)
print("check_numerics stopped at:", check_numerics_layer)

# %% [markdown]
# Method 3: `tf.debugging.enable_check_numerics()` instruments every TensorFlow op, in eager
# code and inside `model.fit`'s compiled graph, and names the op and the Keras layer. It slows
# everything down and stays on for the whole process, so turn it off again in a `finally`.
# Under XLA (`jit_compile=True`) the instrumented graph cannot even be compiled.

# %%
def first_line_with(text, message):
    return next((line.strip() for line in message.splitlines() if text in line), "")


tf.debugging.enable_check_numerics()
try:
    try:
        model(x)
        eager_error = ""
    except tf.errors.InvalidArgumentError as error:
        eager_error = str(error)
    model.compile(optimizer="sgd", loss="mse", jit_compile=False)
    try:
        model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
        fit_error = ""
    except tf.errors.InvalidArgumentError as error:
        fit_error = str(error)
    # XLA-compile the forward pass directly: model.compile(jit_compile=True) does the same to the
    # train step, except that Keras quietly drops XLA when op determinism is on (as in our build).
    xla_forward = tf.function(model, jit_compile=True)
    try:
        xla_forward(x)
        jit_error = ""
    except tf.errors.InvalidArgumentError as error:
        jit_error = str(error)
finally:
    tf.debugging.disable_check_numerics()

eager_op = re.search(r'op "(\w+)"', eager_error).group(1)
eager_layer_class = re.search(r"calling (\w+)\.call", eager_error).group(1)
fit_node = first_line_with("CheckNumerics", fit_error)
print("eager:", first_line_with("Detected", eager_error), "| layer class:", eager_layer_class)
print("fit, jit_compile=False:", fit_node)
print("XLA (jit_compile=True):", first_line_with("unsupported", jit_error)[:160])

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
names = list(nonfinite_fraction)
colours = ["tab:red" if name == first_bad_layer else "tab:grey" for name in names]
ax.bar(range(len(names)), [nonfinite_fraction[name] for name in names], color=colours)
ax.set_xticks(range(len(names)), names)
ax.set_xlabel("layer, in forward order (red: the first with a non-finite output)")
ax.set_ylabel("fraction of output values that are NaN or inf")
ax.set_ylim(0, 1.05)
ax.set_title("One bad layer, and every layer after it")
ax.grid(alpha=0.3, axis="y")

# %%
results = {
    "planted_layer": PLANTED,
    "first_bad_layer": first_bad_layer,
    "check_numerics_layer": check_numerics_layer,
    "layers_before_planted_finite": bool(all(nonfinite_fraction[name] == 0 for name in names[: names.index(PLANTED)])),
    "planted_nonfinite_fraction": nonfinite_fraction[PLANTED],
    "output_nonfinite_fraction": nonfinite_fraction["output"],
    "enable_check_numerics_op": eager_op,
    "enable_check_numerics_layer_class": eager_layer_class,
    "fit_error_names_planted_layer": PLANTED in fit_node,
    "jit_error_raised": bool(jit_error),
    "jit_error_names_planted_layer": PLANTED in jit_error,
    "jit_error_unsupported_op": "unsupported operations" in jit_error,
}
print(results)
