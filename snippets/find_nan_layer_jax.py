"""
Title: Find the first layer with a non-finite activation or gradient, on the JAX backend
Description: For two models with a planted fault, whether each layer's output (forward) and the gradient of the loss with respect to it (backward) are finite, on JAX.
Accelerator: None
"""

# %% [markdown]
# Two models with a planted fault each. In the first, a layer takes the log of a linear layer's
# output, which is negative about half the time: NaN in the forward pass. In the second, a layer
# computes `where(x > 0, x ** 0.5, 0)`: every output is finite, but the gradient of the branch
# that `where` discards is still computed, and 0.5 · x^−0.5 is NaN for x < 0; 0 × NaN is NaN, so
# the backward pass is poisoned. (Written with `sqrt` instead of a power, the same layer gives a
# NaN gradient on JAX and PyTorch but a finite one on TensorFlow.) The weights and data are drawn with NumPy from `SEED`,
# so the TensorFlow, JAX and PyTorch versions start from the same numbers.

# %%
import os
import re
import traceback

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import keras
import numpy as np
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

FEATURES, WIDTH, BATCH = 8, 16, 64


class LogFeatures(keras.layers.Layer):
    """log(x): NaN for every negative input, in the forward pass."""

    def call(self, x):
        return ops.log(x)


class RootFeatures(keras.layers.Layer):
    """where(x > 0, x ** 0.5, 0): finite forward, NaN gradient wherever x < 0."""

    def call(self, x):
        return ops.where(x > 0, ops.power(x, 0.5), 0.0)


rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, FEATURES)).astype("float32")
y = rng.standard_normal((BATCH, 1)).astype("float32")
shapes = [(FEATURES, WIDTH), (WIDTH, WIDTH), (WIDTH, WIDTH), (WIDTH, 1)]
weights = []
for fan_in, fan_out in shapes:  # Glorot-uniform kernels, zero biases
    limit = np.sqrt(6 / (fan_in + fan_out))
    weights += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32"), np.zeros(fan_out, "float32")]


def build(planted):
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(WIDTH, activation="relu", name="dense_in"),
        keras.layers.Dense(WIDTH, name="projection"),
        planted,
        keras.layers.Dense(WIDTH, activation="relu", name="hidden"),
        keras.layers.Dense(1, name="output"),
    ])
    model.set_weights(weights)
    return model


# %% [markdown]
# The check, layer by layer. Forward: call each layer on the previous output and test it with
# `ops.isfinite`. Backward: the gradient of the loss with respect to each layer's output h,
# ∂L/∂h, taken by adding a zero `offset` to every output and differentiating with respect to the
# offsets (each layer called with `stateless_call`). Walking backward from the loss, the faulty
# layer is the first whose output gradient is finite but whose input gradient is not.

# %%
loss_fn = keras.losses.MeanSquaredError()


def outputs_and_loss(model, offsets, x, y):
    h, outputs = x + offsets[0], []
    for layer, offset in zip(model.layers, offsets[1:]):
        h, _ = layer.stateless_call([v.value for v in layer.trainable_variables], [], h)
        h = h + offset
        outputs.append(h)
    return loss_fn(y, h), outputs


def zero_offsets(model, x):
    h, offsets = x, [ops.zeros_like(x)]
    for layer in model.layers:
        h = layer(h)
        offsets.append(ops.zeros_like(h))
    return offsets


def first_nonfinite(model, x, y):
    offsets = zero_offsets(model, x)
    (loss, outputs), grads = jax.value_and_grad(outputs_and_loss, argnums=1, has_aux=True)(model, offsets, x, y)
    forward_finite = [bool(ops.all(ops.isfinite(h))) for h in outputs]
    backward_finite = [bool(ops.all(ops.isfinite(g))) for g in grads]  # grads[0]: the input
    names = [layer.name for layer in model.layers]
    forward = next((names[i] for i, ok in enumerate(forward_finite) if not ok), None)
    # Walking from the loss: layer i's output gradient is grads[i + 1], its input gradient grads[i].
    backward = next((names[i] for i in reversed(range(len(names)))
                     if backward_finite[i + 1] and not backward_finite[i]), None)
    return forward, backward, forward_finite, backward_finite


log_model = build(LogFeatures(name="log_features"))
root_model = build(RootFeatures(name="root_features"))
report = {}
for name, model in (("log", log_model), ("root", root_model)):
    report[name] = first_nonfinite(model, x, y)
    forward, backward, forward_finite, backward_finite = report[name]
    print(f"{name} model: first non-finite output: {forward}; first layer (from the loss) whose "
          f"input gradient is non-finite: {backward}")
    print("  output finite:", forward_finite, "\n  gradient finite (input, then each output):", backward_finite)

# %% [markdown]
# JAX's own check: with `jax_debug_nans` on, JAX checks every operation's output and raises
# `FloatingPointError` at the first NaN (a `jax.jit` function is checked on its output, and
# re-run un-compiled to find the operation). Run the root model's walk with it on, through the
# context manager `jax.debug_nans(True)`: it stops at an operation, named by its JAX primitive,
# and the traceback says where that operation was called. The same walk after
# `jax.config.update("jax_debug_nans", True)` is recorded too.

# %%
def run_with_nan_check(walk):
    try:
        walk()
        return "", []
    except FloatingPointError as error:
        return str(error), [frame.name for frame in traceback.extract_tb(error.__traceback__)]


with jax.debug_nans(True):
    debug_nans_error, debug_nans_frames = run_with_nan_check(lambda: first_nonfinite(root_model, x, y))
debug_nans_primitive = re.search(r"encountered in (\w+)", debug_nans_error).group(1) if debug_nans_error else ""
message = re.sub(r"\x1b\[[0-9;]*m", "", debug_nans_error)  # Keras's message carries terminal bold
print("jax.debug_nans(True):", " / ".join(line for line in message.splitlines()[:3] if line.strip()) or "no error")
print("raised under:", " -> ".join(name for name in debug_nans_frames if name != "<module>"))

jax.config.update("jax_debug_nans", True)
config_error, _ = run_with_nan_check(lambda: first_nonfinite(root_model, x, y))
jax.config.update("jax_debug_nans", False)
print('jax.config.update("jax_debug_nans", True):', config_error.strip() or "no error")

# %%
results = {
    "backend": keras.backend.backend(),
    "log_planted_index": [layer.name for layer in log_model.layers].index("log_features"),
    "log_forward_first_bad": report["log"][0] or "",
    "log_forward_first_bad_index": [layer.name for layer in log_model.layers].index(report["log"][0]) if report["log"][0] else -1,
    "log_layers_before_finite": all(report["log"][2][:2]),
    "log_loss_gradient_nonfinite": not report["log"][3][-1],
    "root_planted_index": [layer.name for layer in root_model.layers].index("root_features"),
    "root_forward_all_finite": all(report["root"][2]),
    "root_backward_first_bad": report["root"][1] or "",
    "root_backward_first_bad_index": [layer.name for layer in root_model.layers].index(report["root"][1]) if report["root"][1] else -1,
    "root_gradients_after_planted_finite": all(report["root"][3][3:]),
    "debug_nans_primitive": debug_nans_primitive,
    # Raised in the forward pass, inside the layer's call (Keras names the layer class in the message).
    "debug_nans_in_layer_call": "call" in debug_nans_frames,
    "debug_nans_names_layer_class": "RootFeatures.call()" in debug_nans_error,
    "debug_nans_config_update_raised": bool(config_error),
}
print(results)
