"""
Title: The top hidden layer of a sigmoid network early in training
Description: Mean activation of each of four sigmoid hidden layers over the first epochs of SGD training with the standard U[−1/√n, 1/√n] initialisation, with the training loss.
Accelerator: None
"""

# %% [markdown]
# Glorot & Bengio (2010, §3.1, Figure 2) trained sigmoid networks with four hidden layers of 1000
# units on Shapeset-3×2, from the "standard" initialisation W ~ U[−1/√n, 1/√n], and watched each
# layer's mean activation: the top hidden layer fell to about 0 within the first epochs, and only
# slowly came back. This snippet repeats the setting on a small scale: four sigmoid layers of 128,
# synthetic 10-class data, minibatches of 10, plain SGD, softmax output.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, DEPTH, CLASSES = 32, 128, 4, 10
EXAMPLES, BATCH, EPOCHS, LEARNING_RATE = 2000, 10, 10, 0.1

rng = np.random.default_rng(SEED)
x = rng.standard_normal((EXAMPLES, INPUTS)).astype("float32")
# Labels from a random two-layer teacher, so that the task needs the hidden layers.
teacher = np.tanh(x @ rng.standard_normal((INPUTS, 64)) / np.sqrt(INPUTS)) @ rng.standard_normal((64, CLASSES))
labels = teacher.argmax(axis=1)


def standard_uniform(fan_in):
    limit = 1 / np.sqrt(fan_in)
    return keras.initializers.RandomUniform(-limit, limit)


# Keras's default would be Glorot uniform; the paper's "standard" initialisation is set explicitly.
inputs = keras.Input((INPUTS,))
h, hidden = inputs, []
for l in range(DEPTH):
    h = keras.layers.Dense(WIDTH, activation="sigmoid", kernel_initializer=standard_uniform(INPUTS if l == 0 else WIDTH))(h)
    hidden.append(h)
logits = keras.layers.Dense(CLASSES, kernel_initializer=standard_uniform(WIDTH))(h)
model = keras.Model(inputs, logits)
tapped = keras.Model(inputs, hidden)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimiser = keras.optimizers.SGD(LEARNING_RATE)
optimiser.build(model.trainable_variables)
probe_x = x[:500]

# %% [markdown]
# One epoch is 200 minibatches; every 20 minibatches record each layer's mean activation on a
# fixed set of 500 training examples, and the loss on them.

# %%
@tf.function
def train_chunk(xs, ys):
    for i in tf.range(tf.shape(xs)[0]):
        with tf.GradientTape() as tape:
            loss = loss_fn(ys[i], model(xs[i]))
        optimiser.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)


@tf.function
def measure():
    return tf.stack([tf.reduce_mean(a) for a in tapped(probe_x)]), loss_fn(labels[:500], model(probe_x))


RECORD_EVERY = 20
batches_per_epoch = EXAMPLES // BATCH
means, losses, epochs = [], [], []
for epoch in range(EPOCHS):
    order = rng.permutation(EXAMPLES)
    xs = x[order].reshape(batches_per_epoch, BATCH, INPUTS)
    ys = labels[order].reshape(batches_per_epoch, BATCH)
    for start in range(0, batches_per_epoch, RECORD_EVERY):
        mean, loss = measure()
        means.append(mean.numpy())
        losses.append(float(loss))
        epochs.append(epoch + start / batches_per_epoch)
        train_chunk(xs[start : start + RECORD_EVERY], ys[start : start + RECORD_EVERY])
mean, loss = measure()
means, losses, epochs = np.array(means + [mean.numpy()]), np.array(losses + [float(loss)]), np.array(epochs + [EPOCHS])
print("mean activation per layer, start:", np.round(means[0], 3))
print("lowest mean of the top layer:", round(float(means[:, -1].min()), 3), "at epoch", round(float(epochs[means[:, -1].argmin()]), 2))
print("end:", np.round(means[-1], 3), "loss", round(losses[0], 3), "->", round(losses[-1], 3))

# %%
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.3))
for l in range(DEPTH):
    ax.plot(epochs, means[:, l], label=f"hidden layer {l + 1}" + (" (top)" if l == DEPTH - 1 else ""))
ax.set_title("Mean sigmoid activation per layer, U[−1/√n, 1/√n] init")
ax.set_xlabel("epoch (200 minibatches of 10)")
ax.set_ylabel("mean activation over 500 examples")
ax.set_ylim(0, 1)
ax.legend()
ax.grid(alpha=0.3)
ax_loss.plot(epochs, losses)
ax_loss.set_title("Training loss on the same 500 examples")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("cross-entropy (nats)")
ax_loss.grid(alpha=0.3)
fig.tight_layout()

# %%
results = {
    "top_mean_initial": float(means[0, -1]),
    "top_mean_lowest": float(means[:, -1].min()),
    "top_mean_final": float(means[-1, -1]),
    "epoch_of_lowest": float(epochs[means[:, -1].argmin()]),
    "lower_layers_mean_final": float(means[-1, :-1].mean()),
    "lower_layers_lowest": float(means[:, :-1].min()),
    "loss_initial": float(losses[0]),
    "loss_final": float(losses[-1]),
    "chance_loss": float(np.log(CLASSES)),
    # The loss of a model that predicts the class frequencies and ignores x: what the output biases alone reach.
    "prior_entropy": float(-np.sum(np.bincount(labels, minlength=CLASSES) / EXAMPLES
                                   * np.log(np.maximum(np.bincount(labels, minlength=CLASSES) / EXAMPLES, 1e-12)))),
    "epochs": EPOCHS,
}
print(results)
