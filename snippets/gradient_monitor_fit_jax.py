"""
Title: Per-layer gradient norms in fit's history, on the JAX backend
Description: Kernel gradient norm ‖∂loss/∂W‖ and backward signal ‖∂loss/∂h‖ of every hidden layer, logged by a custom stateless train_step at the first and last of 20 full-batch steps, for an 8-layer sigmoid MLP with Glorot uniform weights drawn with NumPy, on a log scale.
Accelerator: None
"""

# %% [markdown]
# On JAX, `fit` compiles `train_step(self, state, data)` with `jax.jit`: the step is a pure
# function that receives the weights, the optimizer's and the metrics' variables in `state` and
# returns `(logs, state)` with the new ones. Gradients come from `jax.value_and_grad` of a loss
# written as a function of the weights. JAX differentiates with respect to arguments, not
# intermediate tensors, so to get the backward signal ‖∂loss/∂h‖ the loss also takes one zero
# "nudge" per hidden layer, added to that layer's output: ∂loss/∂nudge = ∂loss/∂h.

# %%
import os

os.environ["KERAS_BACKEND"] = "jax"  # before the first `import keras`

import jax
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, SAMPLES, STEPS, LEARNING_RATE = 8, 32, 64, 20, 0.1


def norm(tensor):
    # float32 is enough here: the first layer's gradient elements (rms ≈ 1e-7) square to ≈ 1e-14, far above
    # float32's smallest normal number (1.2e-38).
    return keras.ops.sqrt(keras.ops.sum(keras.ops.square(tensor)))


class GradientNormLogging(keras.Sequential):
    def loss_with_nudges(self, trainable_variables, nudges, non_trainable_variables, metrics_variables, x, y, sample_weight):
        # The forward pass layer by layer with stateless_call (Dense has no non-trainable variables).
        h, remaining = x, list(trainable_variables)
        for layer, nudge in zip(self.layers, nudges):
            count = len(layer.trainable_variables)
            h, _ = layer.stateless_call(remaining[:count], [], h, training=True)
            h, remaining = h + nudge, remaining[count:]
        # stateless_compute_loss, as Keras's own JAX train_step: it evaluates any regularization
        # losses on these trainable_variables and returns the metrics variables it updated.
        loss, (_, _, metrics_variables) = self.stateless_compute_loss(
            trainable_variables, non_trainable_variables, metrics_variables,
            x=x, y=y, y_pred=h, sample_weight=sample_weight, training=True)
        return loss, metrics_variables

    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        nudges = [keras.ops.zeros((x.shape[0], layer.units)) for layer in self.layers]
        (loss, metrics_variables), (gradients, signals) = jax.value_and_grad(
            self.loss_with_nudges, argnums=(0, 1), has_aux=True)(
            trainable_variables, nudges, non_trainable_variables, metrics_variables, x, y, sample_weight)
        trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
            optimizer_variables, gradients, trainable_variables)
        logs = {"loss": loss, "grad_norm/global": norm(keras.ops.concatenate([keras.ops.ravel(g) for g in gradients]))}
        for variable, gradient in zip(self.trainable_variables, gradients):
            if variable.name == "kernel":  # variable.path is "<model>/<layer>/kernel"
                logs["grad_norm/" + variable.path.split("/")[-2]] = norm(gradient)
        for layer, signal in zip(self.layers[:-1], signals):
            logs["signal/" + layer.name] = norm(signal)
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)


# %% [markdown]
# Eight sigmoid layers with Glorot uniform kernels (Keras's default initialiser, limit
# √(6 / (fan_in + fan_out))) and zero biases, drawn with NumPy from `SEED` so that the TensorFlow,
# JAX and PyTorch versions start from the same numbers. One full batch per epoch: `fit`'s history
# then holds every step.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
model = GradientNormLogging(
    [keras.Input((WIDTH,))]
    + [keras.layers.Dense(WIDTH, activation="sigmoid", name=f"hidden_{i}") for i in range(1, DEPTH + 1)]
    + [keras.layers.Dense(1, activation="sigmoid", name="output")]
)


def glorot_uniform(fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32")


model.set_weights([glorot_uniform(*w.shape) if w.ndim == 2 else np.zeros(w.shape, "float32") for w in model.get_weights()])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="binary_crossentropy")
history = model.fit(x, y, batch_size=SAMPLES, epochs=STEPS, shuffle=False, verbose=0).history
print(" ".join(f"hidden_{i} {history[f'grad_norm/hidden_{i}'][0]:.3e}" for i in range(1, DEPTH + 1)))
print(f"global {history['grad_norm/global'][0]:.4e}; loss {history['loss'][0]:.5f} -> {history['loss'][-1]:.5f}")

# %%
layers = np.arange(1, DEPTH + 1)
fig, ax = plt.subplots(figsize=(7, 4.2))
for step, style in ((0, "-o"), (STEPS - 1, "--s")):
    ax.semilogy(layers, [history[f"grad_norm/hidden_{i}"][step] for i in layers], style, color="C0",
                label=f"kernel gradient ‖∂loss/∂W‖, step {step + 1}")
    ax.semilogy(layers, [history[f"signal/hidden_{i}"][step] for i in layers], style, color="C3",
                label=f"backward signal ‖∂loss/∂h‖, step {step + 1}")
ax.set_xlabel("hidden layer")
ax.set_ylabel("norm logged by train_step (log scale)")
ax.set_title(f"Logged in fit's history on {keras.backend.backend()}: sigmoid, depth {DEPTH}")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
results = {"backend": keras.backend.backend(), "steps": len(history["loss"])}
for i in range(1, DEPTH + 1):
    results[f"kernel_hidden_{i}"] = history[f"grad_norm/hidden_{i}"][0]
results["global_first_step"] = history["grad_norm/global"][0]
results["global_last_step"] = history["grad_norm/global"][-1]
results["kernel_hidden_1_last_step"] = history["grad_norm/hidden_1"][-1]
results[f"kernel_hidden_{DEPTH}_last_step"] = history[f"grad_norm/hidden_{DEPTH}"][-1]
results[f"signal_hidden_{DEPTH}_last_step"] = history[f"signal/hidden_{DEPTH}"][-1]
results["signal_hidden_1"] = history["signal/hidden_1"][0]
results[f"signal_hidden_{DEPTH}"] = history[f"signal/hidden_{DEPTH}"][0]
results["signal_ratio_max"] = max(first / last for first, last in zip(history["signal/hidden_1"], history[f"signal/hidden_{DEPTH}"]))
results["kernel_hidden_1_element_rms"] = results["kernel_hidden_1"] / WIDTH  # over 32 × 32 elements
results["first_loss"] = history["loss"][0]
results["last_loss"] = history["loss"][-1]
print(results)
