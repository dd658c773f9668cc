"""
Title: Why mixed precision keeps float32 weights: float16 weights lose small updates
Description: Fraction of each layer's weights left unchanged by one SGD step when the weights are stored in float16 and when they are stored in float32 (mixed_float16), measured and predicted from the spacing of each format.
Accelerator: None
"""

# %% [markdown]
# A "pure" float16 model stores its weights in float16. A weight w changes only if the update
# is at least half the gap between w and the next float16 number, about |w| · 2⁻¹¹; smaller
# updates round away. The `mixed_float16` policy keeps the weights in float32, whose gap is
# 2¹³ times finer, and computes in float16.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH, LEARNING_RATE = 8, 32, 256, 0.1

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build(dtype=None):
    return keras.Sequential(
        [keras.Input((WIDTH,))]
        + [keras.layers.Dense(WIDTH, activation="sigmoid", dtype=dtype) for _ in range(DEPTH)]
        + [keras.layers.Dense(1, activation="sigmoid", dtype="float32")]
    )


keras.utils.set_random_seed(SEED)
reference = build()  # float32 throughout: gives the gradient both models receive
mixed = build(dtype="mixed_float16")  # float16 compute, float32 weights
pure = build(dtype="float16")  # float16 compute and float16 weights
for model in (mixed, pure):
    model.set_weights(reference.get_weights())
print("kernel dtypes:", mixed.layers[0].kernel.dtype, "(mixed) vs", pure.layers[0].kernel.dtype, "(pure float16)")

# %% [markdown]
# Give both models the same float32 gradient and take one SGD step; count the kernel entries
# that did not move, layer by layer, and predict the count from each format's spacing.

# %%
with tf.GradientTape() as tape:
    loss = keras.losses.BinaryCrossentropy()(y, reference(x))
gradients = tape.gradient(loss, reference.trainable_variables)


def unchanged_per_layer(model):
    before = [layer.kernel.numpy() for layer in model.layers]
    keras.optimizers.SGD(learning_rate=LEARNING_RATE).apply(
        [tf.cast(g, v.dtype) for g, v in zip(gradients, model.trainable_variables)], model.trainable_variables)
    return np.array([np.mean(b == layer.kernel.numpy()) for b, layer in zip(before, model.layers)])


def predicted_unchanged(dtype):
    kernel_gradients = gradients[::2]  # kernel, bias, kernel, bias, ...
    return np.array([
        np.mean(np.abs(LEARNING_RATE * g.numpy().astype("float64"))
                < np.spacing(np.abs(layer.kernel.numpy().astype(dtype))).astype("float64") / 2)
        for g, layer in zip(kernel_gradients, reference.layers)
    ])


measured = {"pure float16": unchanged_per_layer(pure), "mixed_float16": unchanged_per_layer(mixed)}
predicted = {"pure float16": predicted_unchanged("float16"), "mixed_float16": predicted_unchanged("float32")}
for name in measured:
    print(f"{name:13s} unchanged per layer: {measured[name].round(3)}")
    print(f"{'':13s} predicted:           {predicted[name].round(3)}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
layer_index = np.arange(1, DEPTH + 2)
for (name, values), colour in zip(measured.items(), ("tab:red", "tab:blue")):
    ax.plot(layer_index, values, marker="o", color=colour, label=f"{name}, measured")
    ax.plot(layer_index, predicted[name], marker="x", linestyle=":", color=colour, label=f"{name}, predicted from spacing")
ax.set_xlabel(f"layer (1 = next to the input, {DEPTH + 1} = output)")
ax.set_ylabel("fraction of kernel entries unchanged by the step")
ax.set_xticks(layer_index)
ax.set_ylim(-0.02, 1.02)
ax.set_title("One SGD step: float16 weights round most small updates away")
ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(0.1, 0.55))
ax.grid(alpha=0.3)

# %%
hidden = slice(0, DEPTH)  # the output layer is float32 in both models
results = {
    "pure_float16_unchanged": float(measured["pure float16"][hidden].mean()),
    "pure_float16_predicted": float(predicted["pure float16"][hidden].mean()),
    "mixed_unchanged": float(measured["mixed_float16"][hidden].mean()),
    "mixed_predicted": float(predicted["mixed_float16"][hidden].mean()),
    "pure_float16_last_hidden_unchanged": float(measured["pure float16"][DEPTH - 1]),
    "mixed_last_hidden_unchanged": float(measured["mixed_float16"][DEPTH - 1]),
    "largest_prediction_error": float(max(np.abs(measured[n] - predicted[n]).max() for n in measured)),
}
print(results)
