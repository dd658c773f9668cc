"""
Title: Log per-layer gradient norms during model.fit with a custom train_step
Description: First and last hidden layer kernel gradient norms and backward signal logged at every training step by a custom train_step, for a 10-layer sigmoid MLP and a 10-layer ReLU MLP with He initialisation, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Keras 3's `TensorBoard` callback logs weights, not gradients (it has no `write_grads`). The
# gradients exist only inside `train_step`, so log them there: subclass the model, override
# `train_step`, and return the norms with the loss. Everything `train_step` returns reaches
# callbacks, `History` and TensorBoard.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, SAMPLES, BATCH, EPOCHS = 10, 32, 512, 64, 3


def norm64(tensor, scale):
    # In float64: the squares of gradients below ≈ 1e-19 underflow float32. Dividing by the loss
    # scale gives the norm of the true (unscaled) gradient.
    return tf.norm(tf.cast(tensor, tf.float64)) / scale


class GradientNormLogging(keras.Sequential):
    """A Sequential model whose train_step also returns, per layer, ‖∂loss/∂kernel‖ and ‖∂loss/∂h‖."""

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            # Call the layers one by one to keep each output h: the backward signal is ∂loss/∂h.
            outputs, h = [], x
            for layer in self.layers:
                h = layer(h, training=True)
                outputs.append(h)
            y_pred = h
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            # Under mixed_float16 the optimizer is a LossScaleOptimizer: scale the loss so small
            # float16 gradients do not underflow. Without loss scaling this returns the loss as is.
            scaled_loss = self.optimizer.scale_loss(loss)
        scale = tf.cast(self.optimizer.scale_loss(1.0), tf.float64)  # read before apply() updates it
        variables = self.trainable_variables
        gradients, signals = tape.gradient(scaled_loss, (variables, outputs[:-1]))
        self.optimizer.apply(gradients, variables)  # divides by the loss scale itself
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        logs = {metric.name: metric.result() for metric in self.metrics}
        for variable, gradient in zip(variables, gradients):
            if variable.name == "kernel":  # variable.path is "<model>/<layer>/kernel"
                logs["grad_norm/" + variable.path.split("/")[-2]] = norm64(gradient, scale)
        for layer, signal in zip(self.layers, signals):
            logs["signal/" + layer.name] = norm64(signal, scale)
        return logs


# %% [markdown]
# Two networks of ten hidden layers: the healthy set-up (ReLU with He normal initialisation) and
# the vanishing one (sigmoid with Keras's default Glorot uniform). A callback keeps every
# step's logs; `History` would keep only the last step of each epoch.

# %%
rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]
CONFIGS = {"ReLU + He normal": ("relu", "he_normal"), "sigmoid + Glorot uniform": ("sigmoid", "glorot_uniform")}


def build(activation, initializer, hidden_dtype=None):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer, name=f"hidden_{i}",
                                  dtype=hidden_dtype)
               for i in range(1, DEPTH + 1)]
    layers.append(keras.layers.Dense(1, activation="sigmoid", name="output"))
    return GradientNormLogging(layers)


runs, models = {}, {}
for name, config in CONFIGS.items():
    model = build(*config)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    steps = []
    keep = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(dict(logs)))
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, callbacks=[keep])
    runs[name], models[name] = steps, model
    print(f"{name}: first hidden layer kernel {steps[0]['grad_norm/hidden_1']:.2e}, signal "
          f"{steps[0]['signal/hidden_1']:.2e} at step 1; kernel {steps[-1]['grad_norm/hidden_1']:.2e}, "
          f"signal {steps[-1]['signal/hidden_1']:.2e} at step {len(steps)}")

# %% [markdown]
# Check the logging: compute the first layer's kernel gradient and backward signal directly with
# a `GradientTape` on one batch, then run `train_on_batch` on the same batch (same weights, before
# its update) and compare.

# %%
def direct_norms(model, x_batch, y_batch):
    """‖∂loss/∂W₁‖ and ‖∂loss/∂h₁‖ in float32, with the loss Keras computes."""
    with tf.GradientTape() as tape:
        h1 = model.get_layer("hidden_1")(x_batch, training=True)
        h = h1
        for layer in model.layers[1:]:
            h = layer(h, training=True)
        loss = model.compute_loss(x=x_batch, y=y_batch, y_pred=h)
    kernel_gradient, signal = tape.gradient(loss, (model.get_layer("hidden_1").kernel, h1))
    return float(norm64(kernel_gradient, 1.0)), float(norm64(signal, 1.0))


agreement = {}
for name, model in models.items():
    direct_kernel, direct_signal = direct_norms(model, x[:BATCH], y[:BATCH])
    logged = model.train_on_batch(x[:BATCH], y[:BATCH], return_dict=True)
    agreement[name] = max(abs(logged["grad_norm/hidden_1"] - direct_kernel) / direct_kernel,
                          abs(logged["signal/hidden_1"] - direct_signal) / direct_signal)
    print(f"{name}: direct {direct_kernel:.6e} / {direct_signal:.6e}, logged {logged['grad_norm/hidden_1']:.6e}"
          f" / {logged['signal/hidden_1']:.6e}, largest relative difference {agreement[name]:.1e}")

# %% [markdown]
# The same recipe under mixed precision: hidden layers computing in float16, the output layer in
# float32 (as the Keras mixed-precision guide advises), and a `LossScaleOptimizer` (initial scale
# 2¹⁵). The sigmoid network's first-layer gradient elements are far below float16's smallest
# subnormal, 2⁻²⁴ ≈ 6e-8: without the loss scale they would flush to zero.

# %%
sigmoid_model = models["sigmoid + Glorot uniform"]
mixed = build("sigmoid", "glorot_uniform", hidden_dtype="mixed_float16")
mixed.compile(optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1)),
              loss="binary_crossentropy")
mixed.set_weights(sigmoid_model.get_weights())
float32_kernel, _ = direct_norms(sigmoid_model, x[:BATCH], y[:BATCH])
with tf.GradientTape() as tape:  # what a train_step without scale_loss would see
    loss = mixed.compute_loss(x=x[:BATCH], y=y[:BATCH], y_pred=mixed(x[:BATCH], training=True))
unscaled_kernel = float(norm64(tape.gradient(loss, mixed.get_layer("hidden_1").kernel), 1.0))
mixed_logged = mixed.train_on_batch(x[:BATCH], y[:BATCH], return_dict=True)["grad_norm/hidden_1"]
first_layer_rms = float32_kernel / WIDTH  # root mean square over the 32 × 32 elements
print(f"float32 {float32_kernel:.4e}; mixed_float16 with scale_loss {mixed_logged:.4e}; "
      f"without {unscaled_kernel:.4e}; per-element rms {first_layer_rms:.1e}")

# %%
fig, (kernel_ax, signal_ax) = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
for (name, steps), colour in zip(runs.items(), ("tab:green", "tab:red")):
    step = np.arange(1, len(steps) + 1)
    for ax, key in ((kernel_ax, "grad_norm"), (signal_ax, "signal")):
        ax.semilogy(step, [s[f"{key}/hidden_1"] for s in steps], color=colour, label=f"{name}: hidden layer 1")
        ax.semilogy(step, [s[f"{key}/hidden_{DEPTH}"] for s in steps], color=colour, linestyle="--",
                    label=f"{name}: hidden layer {DEPTH}")
for ax in (kernel_ax, signal_ax):
    ax.set_xlabel("training step")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3, which="both")
kernel_ax.set_ylabel("norm logged by train_step (log scale)")
kernel_ax.set_title("Kernel gradients ‖∂loss/∂W‖")
signal_ax.set_title("Backward signal ‖∂loss/∂h‖")
fig.suptitle("Logged during fit: healthy (ReLU + He) vs vanishing (sigmoid + Glorot)")
fig.tight_layout()

# %%
relu, sigmoid = runs["ReLU + He normal"], runs["sigmoid + Glorot uniform"]
results = {
    "steps": len(relu),
    "relu_first_layer_median": float(np.median([s["grad_norm/hidden_1"] for s in relu])),
    "sigmoid_first_layer_median": float(np.median([s["grad_norm/hidden_1"] for s in sigmoid])),
    "relu_first_layer_min": float(min(s["grad_norm/hidden_1"] for s in relu)),
    "sigmoid_first_layer_max": float(max(s["grad_norm/hidden_1"] for s in sigmoid)),
    "sigmoid_last_hidden_median": float(np.median([s[f"grad_norm/hidden_{DEPTH}"] for s in sigmoid])),
    "relu_last_hidden_median": float(np.median([s[f"grad_norm/hidden_{DEPTH}"] for s in relu])),
    "sigmoid_signal_ratio_max": float(max(s["signal/hidden_1"] / s[f"signal/hidden_{DEPTH}"] for s in sigmoid)),
    "relu_signal_ratio_min": float(min(s["signal/hidden_1"] / s[f"signal/hidden_{DEPTH}"] for s in relu)),
    "relu_logged_vs_direct": float(agreement["ReLU + He normal"]),
    "sigmoid_logged_vs_direct": float(agreement["sigmoid + Glorot uniform"]),
    "float32_first_kernel": float32_kernel,
    "mixed_first_kernel": float(mixed_logged),
    "unscaled_float16_first_kernel": unscaled_kernel,
    "first_kernel_element_rms": first_layer_rms,
}
results["worst_case_ratio"] = results["relu_first_layer_min"] / results["sigmoid_first_layer_max"]
results["mixed_vs_float32"] = abs(results["mixed_first_kernel"] - float32_kernel) / float32_kernel
print(results)
