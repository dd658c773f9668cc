"""
Title: Small batches make BatchNormalization noisy; GroupNorm, LayerNorm and RMSNorm do not depend on the batch
Description: For a 4-layer CNN, the relative difference between training-mode and inference-mode outputs, and the relative spread of one example's gradient over different batch-mates, against batch size, for BatchNormalization, GroupNormalization, LayerNormalization and RMSNormalization, on log scales.
Accelerator: None
"""

# %% [markdown]
# A small CNN: four `Conv2D(16, 3×3)` layers, each followed by a normalisation layer and a ReLU,
# then global average pooling and a logistic unit, on 16×16×3 images. The images differ from one
# another the way photographs do, in brightness and contrast per image and channel, so a batch's
# statistics depend on which images it holds. Four normalisations, each with Keras's defaults
# except where noted:
#
# * `BatchNormalization()`: per channel, over the batch and the pixels;
# * `GroupNormalization(groups=4)`: per example, over the pixels and each group of 4 channels (the
#   default `groups=32` needs at least 32 channels, and Keras raises an error with 16);
# * `LayerNormalization()`: per example and pixel, over the channels (`axis=-1`, the default);
# * `RMSNormalization()`: per example and pixel, divides by the root mean square over the channels,
#   no mean subtraction (`LayerNormalization(rms_scaling=True)` is deprecated in Keras 3 and warns
#   that it scales by the variance, not the rms).
#
# Two measurements, no training: (1) how far the training-mode output (statistics of the current
# batch) is from the inference-mode output, and (2) how much one example's gradient depends on the
# other examples in its batch.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

CHANNELS, SIZE, LAYERS = 16, 16, 4
BATCH_SIZES = (2, 4, 8, 16)
PARTNER_DRAWS = 8  # batches drawn per batch size around one fixed example

rng = np.random.default_rng(SEED)


def images(count):
    """Smooth random images with a brightness and a contrast of their own per image and channel."""
    noise = rng.standard_normal((count, SIZE + 2, SIZE + 2, 3))
    smooth = sum(noise[:, i : i + SIZE, j : j + SIZE] for i in range(3) for j in range(3)) / 3
    contrast = np.exp(0.5 * rng.standard_normal((count, 1, 1, 3)))
    brightness = rng.standard_normal((count, 1, 1, 3))
    return (contrast * smooth + brightness).astype("float32")


NORMS = {
    "BatchNormalization": lambda: keras.layers.BatchNormalization(momentum=0.0),
    "GroupNormalization(4)": lambda: keras.layers.GroupNormalization(groups=4),
    "LayerNormalization": lambda: keras.layers.LayerNormalization(),
    "RMSNormalization": lambda: keras.layers.RMSNormalization(),
}


def build(norm):
    layers = [keras.Input((SIZE, SIZE, 3))]
    for _ in range(LAYERS):
        layers += [keras.layers.Conv2D(CHANNELS, 3, padding="same", use_bias=False), NORMS[norm](), keras.layers.ReLU()]
    layers += [keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)]
    return keras.Sequential(layers)


# %% [markdown]
# **Training mode against inference mode.** At inference BatchNormalization uses its moving averages.
# To take their estimation error out of the comparison, one training-mode call on 512 images with
# `momentum=0.0` sets them to that large batch's statistics, i.e. to (nearly) the population's: the
# best moving averages any training run could reach. Then 16 test images go through the network in
# training mode in batches of B and once in inference mode (the other three layers, which have no
# batch statistics, only at B = 2); the page reports the rms difference of
# the last layer's feature maps relative to their rms. (The `momentum=0.0` is only for this calibration; Keras's
# default is 0.99.)

# %%
calibration, test = images(512), images(16)
models = {norm: build(norm) for norm in NORMS}
models["BatchNormalization"](calibration, training=True)  # moving statistics := the large batch's


def mismatch(model, batch):
    # The last ReLU's feature maps (16 images × 16×16 pixels × 16 channels), not the 16 logits: a
    # difference over 65 536 numbers is a stable measurement.
    features = keras.Model(model.inputs, model.layers[-3].output)
    inference = features(test, training=False).numpy()
    training = np.concatenate([features(test[i : i + batch], training=True).numpy() for i in range(0, len(test), batch)])
    return float(np.sqrt(np.mean((training - inference) ** 2) / np.mean(inference**2)))


def sizes(norm, batch_sizes):
    """BatchNormalization at every batch size; the others, whose output cannot depend on it, at the smallest."""
    return batch_sizes if norm == "BatchNormalization" else batch_sizes[:1]


mismatches = {norm: [mismatch(model, b) for b in sizes(norm, BATCH_SIZES)] for norm, model in models.items()}
for norm, values in mismatches.items():
    print(f"{norm:22s} train/inference mismatch at batch {sizes(norm, BATCH_SIZES)}: {np.array2string(np.array(values), precision=3)}")

# %% [markdown]
# **One example's gradient, with different batch-mates.** Fix one image A. Draw batches of B images
# that hold A and B − 1 others, and take the gradient of A's loss alone with respect to every weight.
# Without batch statistics that gradient cannot depend on the others; with BatchNormalization it
# does, because A's output depends on the batch's mean and variance. The spread is the rms distance
# of the drawn gradients from their mean, relative to the mean's norm.

# %%
example, pool = images(1), images(256)
label = np.ones((1, 1), "float32")
loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)


def example_gradient(model, partners):
    batch = np.concatenate([example, partners])
    with tf.GradientTape() as tape:
        loss = loss_fn(label, model(batch, training=True)[:1])
    return np.concatenate([np.ravel(g) for g in tape.gradient(loss, model.trainable_variables)])


def gradient_spread(model, batch, draws):
    grads = np.array([example_gradient(model, pool[rng.choice(len(pool), batch - 1, replace=False)])
                      for _ in range(draws)])
    mean = grads.mean(axis=0)
    return float(np.sqrt(np.mean(np.sum((grads - mean) ** 2, axis=1))) / np.linalg.norm(mean))


SPREAD_BATCHES = (2, 16)
# Two draws are enough to show that a gradient does not change; BatchNormalization gets PARTNER_DRAWS.
spreads = {
    norm: [gradient_spread(model, b, PARTNER_DRAWS if norm == "BatchNormalization" else 2) for b in sizes(norm, SPREAD_BATCHES)]
    for norm, model in models.items()
}
for norm, values in spreads.items():
    print(f"{norm:22s} gradient spread over batch-mates at batch {sizes(norm, SPREAD_BATCHES)}: {np.array2string(np.array(values), precision=3)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
for (norm, values), marker in zip(mismatches.items(), "os^v"):
    # The batch-independent layers give exactly 0: drawn at the bottom of the log axis.
    label = norm if norm == "BatchNormalization" else f"{norm} (0, drawn at 10⁻⁷)"
    axes[0].loglog(sizes(norm, BATCH_SIZES), np.maximum(values, 1e-7), marker=marker, label=label)
    axes[1].loglog(sizes(norm, SPREAD_BATCHES), np.maximum(spreads[norm], 1e-7), marker=marker, label=label)
axes[0].set_title("Training-mode vs inference-mode features")
axes[0].set_ylabel("rms(h_train − h_infer) / rms(h_infer), last layer")
axes[1].set_title("One example's gradient, different batch-mates")
axes[1].set_ylabel("relative spread of ∂loss_A/∂θ over batch-mates")
for ax, ticks in zip(axes, (BATCH_SIZES, SPREAD_BATCHES)):
    ax.set_xticks(ticks, [str(b) for b in ticks])
    ax.minorticks_off()
    ax.set_xlabel("batch size B (log scale)")
    ax.set_ylim(1e-7 / 2, 10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()

# %%
bn = "BatchNormalization"
results = {
    "partner_draws": PARTNER_DRAWS,
    "bn_mismatch_batch2": mismatches[bn][0],
    "bn_mismatch_batch4": mismatches[bn][1],
    "bn_mismatch_batch16": mismatches[bn][-1],
    "bn_spread_batch2": spreads[bn][0],
    "bn_spread_batch16": spreads[bn][-1],
    "other_mismatch_max": float(max(max(v) for n, v in mismatches.items() if n != bn)),
    "other_spread_max": float(max(max(v) for n, v in spreads.items() if n != bn)),
}
print(results)
