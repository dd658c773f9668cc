"""
Title: Mixed precision: loss scaling in fit and in a custom train step
Description: Histogram of the per-example gradients reaching the first hidden layer of an 8-layer sigmoid MLP, unscaled and multiplied by the loss scale 32768, against float16's smallest subnormal and smallest normal number, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Under the `mixed_float16` policy, layers compute in float16 but keep float32 weights. float16's
# smallest positive number is 2⁻²⁴ ≈ 5.96 × 10⁻⁸ (a subnormal; the smallest normal one is
# 2⁻¹⁴ ≈ 6.1 × 10⁻⁵), and small gradients fall below it and become exactly 0. Loss scaling
# multiplies the loss by a large factor before the backward pass and divides the gradients by
# it afterwards, so they cross the float16 part of the network at a size float16 can hold.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, SAMPLES, BATCH, EPOCHS = 8, 32, 256, 64, 2
SMALLEST_SUBNORMAL, SMALLEST_NORMAL = 2.0**-24, 2.0**-14

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


class ScaledTrainStep(keras.Sequential):
    """A custom train_step that is safe under mixed precision: scale, differentiate, apply."""

    scale = True

    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
            # LossScaleOptimizer.scale_loss multiplies by the current scale; other optimizers return loss.
            scaled_loss = self.optimizer.scale_loss(loss) if self.scale else loss
        gradients = tape.gradient(scaled_loss, self.trainable_variables)
        # LossScaleOptimizer.apply divides by the scale, and skips the step if anything is inf or NaN.
        self.optimizer.apply(gradients, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
        logs = {metric.name: metric.result() for metric in self.metrics}
        logs["first_kernel_zero_fraction"] = tf.reduce_mean(tf.cast(gradients[0] == 0, tf.float32))
        return logs


class ForgetsToScale(ScaledTrainStep):
    scale = False


def layers(output_dtype="float32"):
    stack = [keras.Input((WIDTH,))]
    stack += [keras.layers.Dense(WIDTH, activation="sigmoid") for _ in range(DEPTH)]
    stack.append(keras.layers.Dense(1, activation="sigmoid", dtype=output_dtype))  # output in float32
    return stack


# %% [markdown]
# The policy is read when a layer is built: set it, build, and put it back to float32 at once,
# so nothing built later (in this script or in the same Python process) inherits it.

# %%
keras.mixed_precision.set_global_policy("mixed_float16")
keras.utils.set_random_seed(SEED)
mixed = keras.Sequential(layers())
scaled_model, forgetful_model = ScaledTrainStep(layers()), ForgetsToScale(layers())
keras.mixed_precision.set_global_policy("float32")
keras.utils.set_random_seed(SEED)
reference = keras.Sequential(layers())
for model in (scaled_model, forgetful_model, reference):
    model.set_weights(mixed.get_weights())
first = mixed.layers[0]
print(f"hidden layers compute in {first.compute_dtype}, store weights in {first.kernel.dtype}; "
      f"output layer computes in {mixed.layers[-1].compute_dtype}")

# %% [markdown]
# In `fit()`: `compile` wraps the optimizer in a `LossScaleOptimizer` by itself when the model's
# policy is `mixed_float16`, and the default `train_step` scales the loss. Nothing to do.

# %%
mixed.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
print(f"optimizer after compile: {type(mixed.optimizer).__name__}, "
      f"initial loss scale {float(mixed.optimizer.scale_loss(1.0)):g}")

# %% [markdown]
# In a custom `train_step` the scaling is yours to do (see `ScaledTrainStep` above). Train one
# model that scales and one that forgets, and log the fraction of exactly-zero entries in the
# first layer's kernel gradient at every step.

# %%
zero_fraction = {}
for name, model in (("scale_loss", scaled_model), ("forgot scale_loss", forgetful_model)):
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    fractions = []
    keep = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: fractions.append(float(logs["first_kernel_zero_fraction"])))
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, callbacks=[keep])
    zero_fraction[name] = float(np.mean(fractions))
    print(f"{name}: optimizer {type(model.optimizer).__name__}, mean fraction of zero entries in the "
          f"first kernel's gradient {zero_fraction[name]:.3f}")

# %% [markdown]
# Where the zeros come from: the gradient of the loss with respect to the first hidden layer's
# output, one entry per example and unit. Taken in float32 it tells us how many entries lie
# below 2⁻²⁵, half the smallest subnormal, where float16 rounds to 0.

# %%
SCALE = float(mixed.optimizer.scale_loss(1.0))


def first_layer_signal(model, scale):
    with tf.GradientTape() as tape:
        h1 = model.layers[0](x)
        tape.watch(h1)
        out = h1
        for layer in model.layers[1:]:
            out = layer(out)
        loss = keras.losses.BinaryCrossentropy()(y, out) * scale
    return tape.gradient(loss, h1).numpy().astype("float64")


signal_float32 = first_layer_signal(reference, 1.0)
signal_unscaled = first_layer_signal(mixed, 1.0)
signal_scaled = first_layer_signal(mixed, SCALE)
predicted_zero = float(np.mean(np.abs(signal_float32) < SMALLEST_SUBNORMAL / 2))
predicted_zero_scaled = float(np.mean(np.abs(signal_float32) * SCALE < SMALLEST_SUBNORMAL / 2))
print(f"entries below 2⁻²⁵ in float32: {predicted_zero:.3f}; exactly zero in float16: unscaled "
      f"{np.mean(signal_unscaled == 0):.3f}, scaled by {SCALE:g}: {np.mean(signal_scaled == 0):.3f}")

# %% [markdown]
# Keep the output layer in float32. A softmax computed in float16 rounds every probability
# below 2⁻²⁵ to 0: a logit 20 below the largest one gives e⁻²⁰ ≈ 2 × 10⁻⁹.

# %%
logits = tf.constant([[20.0, 0.0, 0.0, 0.0]])
keras.mixed_precision.set_global_policy("mixed_float16")
softmax_float16 = keras.layers.Activation("softmax")
softmax_float32 = keras.layers.Activation("softmax", dtype="float32")
keras.mixed_precision.set_global_policy("float32")
p16 = float(tf.reduce_min(softmax_float16(logits)))
p32 = float(tf.reduce_min(softmax_float32(logits)))
print(f"smallest probability: float16 softmax {p16:g}, float32 softmax {p32:.3e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
magnitudes = np.abs(signal_float32[signal_float32 != 0])
bins = np.logspace(np.log10(magnitudes.min()), np.log10(magnitudes.max() * SCALE), 80)
ax.hist(magnitudes, bins=bins, alpha=0.6, label="float32 reference, unscaled")
ax.hist(magnitudes * SCALE, bins=bins, alpha=0.6, label=f"the same × loss scale {SCALE:g}")
ax.axvline(SMALLEST_SUBNORMAL, color="tab:red", linestyle="--", label="float16 smallest subnormal 2⁻²⁴")
ax.axvline(SMALLEST_NORMAL, color="black", linestyle=":", label="float16 smallest normal 2⁻¹⁴")
ax.set_xscale("log")
ax.set_xlabel("|∂loss/∂(first hidden layer output)| per example and unit")
ax.set_ylabel("entries")
ax.set_title("Loss scaling lifts the backward signal into float16's range")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
keras.mixed_precision.set_global_policy("float32")  # leave nothing behind
results = {
    "hidden_compute_dtype": first.compute_dtype,
    "hidden_variable_dtype": str(first.kernel.dtype),
    "output_compute_dtype": mixed.layers[-1].compute_dtype,
    "fit_optimizer": type(mixed.optimizer).__name__,
    "initial_loss_scale": SCALE,
    "custom_step_zero_fraction_scaled": zero_fraction["scale_loss"],
    "custom_step_zero_fraction_forgotten": zero_fraction["forgot scale_loss"],
    "signal_predicted_zero_fraction": predicted_zero,
    "signal_predicted_zero_fraction_scaled": predicted_zero_scaled,
    "signal_zero_fraction_unscaled": float(np.mean(signal_unscaled == 0)),
    "signal_zero_fraction_scaled": float(np.mean(signal_scaled == 0)),
    "signal_median": float(np.median(np.abs(signal_float32))),
    "signal_scaled_fraction_normal": float(np.mean(np.abs(signal_float32) * SCALE >= SMALLEST_NORMAL)),
    "softmax_float16_smallest_probability": p16,
    "softmax_float32_smallest_probability": p32,
    "policy_after": keras.mixed_precision.global_policy().name,
}
print(results)
