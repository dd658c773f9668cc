"""
Title: Log per-layer gradient norms during model.fit with a custom train_step
Description: First and last hidden layer kernel gradient norms logged at every training step by a custom train_step, for a 10-layer sigmoid MLP and a 10-layer ReLU MLP with He initialisation, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Keras 3's `TensorBoard` callback logs weights, not gradients (`write_grads` is gone). The
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


class GradientNormLogging(keras.Sequential):
    """A Sequential model whose train_step also returns ‖∂loss/∂kernel‖ for every layer."""

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        logs = {metric.name: metric.result() for metric in self.metrics}
        for variable, gradient in zip(self.trainable_variables, gradients):
            if variable.name == "kernel":  # variable.path is "<model>/<layer>/kernel"
                logs["grad_norm/" + variable.path.split("/")[-2]] = tf.norm(gradient)
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


def build(activation, initializer):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation=activation, kernel_initializer=initializer, name=f"hidden_{i}")
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
    print(f"{name}: first hidden layer {steps[0]['grad_norm/hidden_1']:.2e} at step 1, "
          f"{steps[-1]['grad_norm/hidden_1']:.2e} at step {len(steps)}")

# %% [markdown]
# Check the logging: compute the first-layer norm directly with a `GradientTape` on one batch,
# then run `train_on_batch` on the same batch (same weights, before its update) and compare.

# %%
agreement = {}
for name, model in models.items():
    with tf.GradientTape() as tape:
        loss = model.compute_loss(x=x[:BATCH], y=y[:BATCH], y_pred=model(x[:BATCH], training=True))
    direct = float(tf.norm(tape.gradient(loss, model.get_layer("hidden_1").kernel)))
    logged = model.train_on_batch(x[:BATCH], y[:BATCH], return_dict=True)["grad_norm/hidden_1"]
    agreement[name] = abs(logged - direct) / direct
    print(f"{name}: direct {direct:.6e}, logged {logged:.6e}, relative difference {agreement[name]:.1e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, steps), colour in zip(runs.items(), ("tab:green", "tab:red")):
    step = np.arange(1, len(steps) + 1)
    ax.semilogy(step, [s["grad_norm/hidden_1"] for s in steps], color=colour, label=f"{name}: hidden layer 1")
    ax.semilogy(step, [s[f"grad_norm/hidden_{DEPTH}"] for s in steps], color=colour, linestyle="--",
                label=f"{name}: hidden layer {DEPTH}")
ax.set_xlabel("training step")
ax.set_ylabel("‖∂loss/∂kernel‖ logged by train_step (log scale)")
ax.set_title("Gradient norms logged during fit: healthy vs vanishing")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

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
    "relu_logged_vs_direct": float(agreement["ReLU + He normal"]),
    "sigmoid_logged_vs_direct": float(agreement["sigmoid + Glorot uniform"]),
}
results["worst_case_ratio"] = results["relu_first_layer_min"] / results["sigmoid_first_layer_max"]
print(results)
