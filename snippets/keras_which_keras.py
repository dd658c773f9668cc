"""
Title: Which Keras am I running, and what does tf.keras.backend still export?
Description: Prints the installed Keras, TensorFlow and tf.keras versions, whether tf_keras is installed, which names keras.backend and tf.keras.backend export, which legacy backend functions fail in eager code, and which optimizer methods exist.
Accelerator: None
"""

# %% [markdown]
# Three different things answer to "Keras" in a TensorFlow program: the `keras` package,
# `tf.keras` (a lazy alias TensorFlow resolves on first use) and the separate `tf_keras` package
# (Keras 2, kept for old code). Print what this environment has.

# %%
import importlib.util

import keras
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)


def attempt(action):
    """The exception's type name, or "no error"."""
    try:
        action()
        return "no error"
    except Exception as error:  # the point is to report whichever exception is raised
        return type(error).__name__


tf_keras_installed = importlib.util.find_spec("tf_keras") is not None
print("keras.__version__      ", keras.__version__)
print("tf.__version__         ", tf.__version__)
print("tf.keras.__version__   ", tf.keras.__version__)
print("tf.keras resolves to   ", tf.keras.layers.Dense.__module__, "-> same class as keras.layers.Dense:",
      tf.keras.layers.Dense is keras.layers.Dense)
print("tf_keras installed     ", tf_keras_installed)

# %% [markdown]
# `keras.backend` and `tf.keras.backend` are different modules. Count what each exports and
# check the Keras 2 functions that gradient code used.

# %%
keras_backend_names = {name for name in dir(keras.backend) if not name.startswith("_")}
tf_keras_backend_names = {name for name in dir(tf.keras.backend) if not name.startswith("_")}
LEGACY_NAMES = ["gradients", "set_value", "get_value", "mean", "square", "function", "placeholder",
                "learning_phase", "set_learning_phase"]
for name in LEGACY_NAMES:
    print(f"{name:20s} keras.backend: {str(name in keras_backend_names):5s}  "
          f"tf.keras.backend: {name in tf_keras_backend_names}")
print(f"keras.backend exports {len(keras_backend_names)} names, tf.keras.backend {len(tf_keras_backend_names)}; "
      f"every keras.backend name is also in tf.keras.backend: {keras_backend_names <= tf_keras_backend_names}")

# %% [markdown]
# Call the legacy functions the way Keras 2 code did, in eager code (the default). `gradients` is
# `tf.compat.v1.gradients`, which only works while TensorFlow builds a graph: it fails eagerly and
# works inside a `tf.function`. `set_value` calls `value.astype(x.dtype.name)`: a `tf.Variable`'s
# dtype has a `.name`, a Keras 3 variable's dtype is the string "float32", which has not.

# %%
K = tf.keras.backend
x = tf.constant(np.random.default_rng(SEED).standard_normal((8, 3)).astype("float32"))
w = tf.Variable(tf.ones((3, 1)))


def legacy_gradient():
    return K.gradients(tf.reduce_mean(x @ w), [w])[0]


graph_gradient = tf.function(legacy_gradient)()  # ∂ mean(x·w) / ∂w = mean of x over the batch
optimizer = keras.optimizers.SGD(learning_rate=0.01)
plain_variable = tf.Variable(0.01)
checks = {
    "mean_eager": attempt(lambda: K.mean(x)),
    "gradients_eager": attempt(legacy_gradient),
    "gradients_in_tf_function": attempt(lambda: tf.function(legacy_gradient)()),
    "set_value_keras_variable": attempt(lambda: K.set_value(optimizer.learning_rate, 1e-3)),
    "set_value_tf_variable": attempt(lambda: K.set_value(plain_variable, 1e-3)),
    "get_value_keras_variable": attempt(lambda: K.get_value(optimizer.learning_rate)),
}
for name, outcome in checks.items():
    print(f"tf.keras.backend.{name:26s} {outcome}")
graph_gradient_correct = bool(np.allclose(graph_gradient.numpy().ravel(), x.numpy().mean(axis=0), atol=1e-6))
set_value_tf_variable_correct = bool(np.isclose(plain_variable.numpy(), 1e-3))
print("K.gradients inside tf.function equals the batch mean of x:", graph_gradient_correct)
print("optimizer.learning_rate is a", type(optimizer.learning_rate).__name__,
      "with dtype", repr(optimizer.learning_rate.dtype))

# %% [markdown]
# Keras 3 optimizers have `apply(grads, variables)`; Keras 2 optimizers only had
# `apply_gradients(zip(grads, variables))`, which Keras 3 keeps. So code written with
# `apply_gradients` runs on both, and an optimizer without `apply` is a Keras 2 one.

# %%
variable = keras.Variable(1.0)
sgd = keras.optimizers.SGD(learning_rate=0.5)
sgd.apply_gradients(zip([tf.constant(1.0)], [variable]))  # 1 − 0.5·1
sgd.apply([tf.constant(1.0)], [variable])  # 0.5 − 0.5·1
has_apply = hasattr(sgd, "apply")
both_forms_step = bool(np.isclose(float(variable.numpy()), 0.0))
print("optimizer has apply():", has_apply, "| apply_gradients then apply moved 1.0 to", float(variable.numpy()))
print("SGD(lr=0.01) in Keras 3:", attempt(lambda: keras.optimizers.SGD(lr=0.01)))

# %%
results = {
    "keras_version": keras.__version__,
    "tf_version": tf.__version__,
    "tf_keras_version": tf.keras.__version__,
    "tf_keras_is_keras": tf.keras.layers.Dense is keras.layers.Dense,
    "tf_keras_package_installed": tf_keras_installed,
    "keras_backend_count": len(keras_backend_names),
    "tf_keras_backend_count": len(tf_keras_backend_names),
    "keras_backend_subset": keras_backend_names <= tf_keras_backend_names,
    "graph_gradient_correct": graph_gradient_correct,
    "set_value_tf_variable_correct": set_value_tf_variable_correct,
    "optimizer_has_apply": has_apply,
    "both_apply_forms_step": both_forms_step,
    "lr_argument": attempt(lambda: keras.optimizers.SGD(lr=0.01)),
    "learning_rate_dtype": str(optimizer.learning_rate.dtype),
}
for name in LEGACY_NAMES:
    results[f"keras_backend_has_{name}"] = name in keras_backend_names
    results[f"tf_keras_backend_has_{name}"] = name in tf_keras_backend_names
results.update(checks)
print(results)
