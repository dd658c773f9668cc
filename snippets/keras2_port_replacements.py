"""
Title: Porting gradient code from Keras 2 to Keras 3: what breaks and what replaces it
Description: Runs each Keras 2 spelling that gradient-debugging code relies on, records the exception Keras 3 raises, then runs the Keras 3 replacement and checks that it works.
Accelerator: None
"""

# %% [markdown]
# Each row tries the Keras 2 spelling, records the name of the exception Keras 3 raises (or the
# warning it gives), then runs the replacement and checks its result. `attempt` returns the
# exception's type name, or "no error".

# %%
import warnings

import keras
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)


def attempt(action):
    try:
        action()
        return "no error"
    except Exception as error:  # the point is to report whichever exception Keras 3 raises
        return type(error).__name__


rows = {}

# %% [markdown]
# `lr` is now `learning_rate`, both as an argument and as an attribute; `K.set_value` is gone
# and the attribute can be assigned directly.

# %%
optimizer = keras.optimizers.SGD(learning_rate=0.01)
rows["lr_argument"] = (attempt(lambda: keras.optimizers.SGD(lr=0.01)), np.isclose(float(optimizer.learning_rate), 0.01))
rows["lr_attribute"] = (attempt(lambda: optimizer.lr), np.isclose(float(optimizer.learning_rate), 0.01))
old_set_value = attempt(lambda: keras.backend.set_value(optimizer.learning_rate, 0.001))
optimizer.learning_rate = 0.001
rows["set_value"] = (old_set_value, np.isclose(float(optimizer.learning_rate), 0.001))

# %% [markdown]
# `optimizer.get_gradients` and `K.gradients` are gone: take gradients with `tf.GradientTape`.
# Check on a linear model, where ∂ mean(x·w) / ∂w = mean of x over the batch.

# %%
x = np.random.default_rng(SEED).standard_normal((8, 3)).astype("float32")
linear = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
with tf.GradientTape() as tape:
    loss = keras.ops.mean(linear(x))
(kernel_gradient,) = tape.gradient(loss, linear.trainable_variables)
tape_works = bool(np.allclose(kernel_gradient.numpy().ravel(), x.mean(axis=0), atol=1e-6))
rows["get_gradients"] = (attempt(lambda: optimizer.get_gradients(loss, linear.trainable_variables)), tape_works)
rows["K_gradients"] = (attempt(lambda: keras.backend.gradients(loss, linear.trainable_variables)), tape_works)

# %% [markdown]
# Backend maths (`K.mean`, `K.square`, …) moved to `keras.ops`.

# %%
rows["K_mean"] = (attempt(lambda: keras.backend.mean(x)), np.isclose(float(keras.ops.mean(x)), float(x.mean())))

# %% [markdown]
# `TensorBoard(write_grads=True)` wrote gradient histograms only in TensorFlow 1-era Keras;
# `tf.keras` in TensorFlow 2.0–2.15 accepted it and ignored it with a warning, and Keras 3
# rejects it. Return gradient norms from a custom `train_step` instead.
# Whatever `train_step` returns goes to every callback — `History`, and `TensorBoard`, which
# writes it as the scalar `epoch_grad_norm` (TensorBoard itself is not installed here).

# %%
class GradNormModel(keras.Sequential):
    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            loss = self.compute_loss(x=x, y=y, y_pred=self(x, training=True))
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        return {"loss": loss, "grad_norm": tf.linalg.global_norm(gradients)}


old_write_grads = attempt(lambda: keras.callbacks.TensorBoard(write_grads=True))
try:
    keras.callbacks.TensorBoard(write_grads=True)
except TypeError as error:
    write_grads_message = str(error)
model = GradNormModel([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
y = x.sum(axis=1, keepdims=True)
history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
rows["write_grads"] = (old_write_grads, bool(np.all(np.isfinite(history.history["grad_norm"]))))
print("logged per epoch:", {name: np.round(values, 4).tolist() for name, values in history.history.items()})

# %% [markdown]
# `fit_generator` is gone: `fit` takes a generator (give it `steps_per_epoch`).

# %%
def batches():
    while True:
        yield x[:4], y[:4]


old_fit_generator = attempt(lambda: model.fit_generator(batches(), steps_per_epoch=2))
history = model.fit(batches(), steps_per_epoch=2, epochs=1, verbose=0)
rows["fit_generator"] = (old_fit_generator, bool(np.isfinite(history.history["loss"][-1])))

# %% [markdown]
# Leaky ReLU's `alpha` is `negative_slope`. The function refuses `alpha`; the layer still
# accepts it with a deprecation warning.

# %%
rows["leaky_relu_alpha_function"] = (
    attempt(lambda: keras.activations.leaky_relu(x, alpha=0.1)),
    np.isclose(float(keras.activations.leaky_relu(np.array([-1.0], "float32"), negative_slope=0.1)[0]), -0.1),
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old_layer = keras.layers.LeakyReLU(alpha=0.1)
layer_warning = next((type(w.message).__name__ for w in caught if "alpha" in str(w.message)), "no warning")
rows["leaky_relu_alpha_layer"] = (
    layer_warning,
    np.isclose(float(keras.layers.LeakyReLU(negative_slope=0.1)(np.array([-1.0], "float32"))[0]), -0.1)
    and np.isclose(old_layer.negative_slope, 0.1),
)

# %% [markdown]
# `LossScaleOptimizer.get_scaled_loss` / `get_unscaled_gradients` are gone: call
# `scale_loss(loss)` before the gradient, and `apply` divides by the scale itself.

# %%
loss_scaler = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=1.0))
scale = float(loss_scaler.scale_loss(1.0))
rows["get_scaled_loss"] = (attempt(lambda: loss_scaler.get_scaled_loss(1.0)), scale > 1)
# A loss with true gradient 1 has scaled gradient `scale`; apply unscales it: w = 0 − 1.0 × 1.
weight = keras.Variable(0.0)
loss_scaler.apply([tf.constant(scale)], [weight])
rows["get_unscaled_gradients"] = (attempt(lambda: loss_scaler.get_unscaled_gradients([1.0])),
                                  np.isclose(float(weight.numpy()), -1.0))
print(f"scale_loss multiplies by {scale:g}; after apply the weight moved by {float(weight.numpy()):g}")

# %% [markdown]
# `keras.optimizers.legacy` is gone; the optimizers in `keras.optimizers` are the only ones.

# %%
rows["legacy_optimizers"] = (attempt(lambda: keras.optimizers.legacy.SGD(learning_rate=0.01)),
                             isinstance(keras.optimizers.SGD(learning_rate=0.01), keras.optimizers.Optimizer))

# %% [markdown]
# `tf.keras` is Keras 3 too when Keras 3 is installed (TensorFlow ≥ 2.16): old imports run, but
# against the new API. Keras 2 survives only as the separate `tf_keras` package.

# %%
rows["tf_keras"] = ("is Keras " + tf.keras.__version__.split(".")[0], tf.keras.layers.Dense is keras.layers.Dense)

# %% [markdown]
# One difference: `tf.keras.backend` is not `keras.backend`. It still carries the Keras 2 backend
# functions (from `keras.src.legacy.backend`), so `K.mean` runs there, while `K.gradients` is the
# graph-mode `tf.gradients` and fails in eager code.

# %%
legacy_backend = tf.keras.backend
tf_keras_backend_mean_old = attempt(lambda: legacy_backend.mean(tf.constant(x)))
tf_keras_backend_mean_works = bool(np.isclose(float(legacy_backend.mean(tf.constant(x))), float(x.mean())))
tf_keras_backend_gradients_old = attempt(lambda: legacy_backend.gradients(loss, linear.trainable_variables))
print(f"tf.keras.backend.mean: {tf_keras_backend_mean_old}; tf.keras.backend.gradients: {tf_keras_backend_gradients_old}")

# %%
for name, (old, new) in rows.items():
    print(f"{name:24s} Keras 2 spelling: {old:20s} replacement works: {bool(new)}")

results = {}
for name, (old, new) in rows.items():
    results[f"{name}_old"] = old
    results[f"{name}_new_works"] = bool(new)
results["loss_scale"] = scale
results["tf_keras_version"] = tf.keras.__version__
results["write_grads_message"] = write_grads_message
results["tf_keras_backend_mean_old"] = tf_keras_backend_mean_old
results["tf_keras_backend_mean_works"] = tf_keras_backend_mean_works
results["tf_keras_backend_gradients_old"] = tf_keras_backend_gradients_old
print(results)
