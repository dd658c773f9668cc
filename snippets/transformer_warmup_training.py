"""
Title: Post-LN needs warm-up, pre-LN does not, in a 6-block transformer
Description: Training loss against step for a 6-block post-LN transformer encoder trained with Adam at one learning rate, without and with a linear warm-up, and a pre-LN encoder without warm-up, on a sequence-reversal task; the dashed line is the loss of a uniform prediction, ln 16.
Accelerator: None
Timeout: 600
"""

# %% [markdown]
# Six transformer blocks of width 32 (four heads of `keras.layers.MultiHeadAttention`, a ReLU
# feed-forward network of width 128, `keras.layers.LayerNormalization`, Keras's default
# initialisers), trained to reverse a sequence of 8 tokens from a vocabulary of 16. Every step
# draws a fresh batch of 32 sequences. Adam with Keras's defaults (β₁ = 0.9, β₂ = 0.999,
# ε = 10⁻⁷) at a peak learning rate of 6 × 10⁻³, either from the first step or after a linear
# warm-up over the first 40 steps. Post-LN puts the LayerNormalization after each residual
# addition (Vaswani et al. 2017), pre-LN at the start of each branch (Xiong et al. 2020).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, HEADS, SEQ, VOCAB, BATCH = 6, 32, 4, 8, 16, 32
STEPS, WARMUP, PEAK_LR = 120, 40, 6e-3

rng = np.random.default_rng(SEED)
xs = rng.integers(0, VOCAB, (STEPS, BATCH, SEQ)).astype("int32")
ys = xs[:, :, ::-1].copy()  # the target: each sequence reversed
x_test = rng.integers(0, VOCAB, (256, SEQ)).astype("int32")
y_test = x_test[:, ::-1]


class AddPositions(keras.layers.Layer):
    """Adds a learned embedding of each position, initialised like keras.layers.Embedding."""

    def build(self, input_shape):
        self.positions = self.add_weight(shape=input_shape[1:], initializer="random_uniform")

    def call(self, h):
        return h + self.positions


def build(placement):
    tokens = keras.Input((SEQ,), dtype="int32")
    h = AddPositions()(keras.layers.Embedding(VOCAB, WIDTH)(tokens))
    for _ in range(BLOCKS):
        a = keras.layers.LayerNormalization()(h) if placement == "pre" else h
        h = keras.layers.Add()([h, keras.layers.MultiHeadAttention(HEADS, WIDTH // HEADS)(a, a)])
        if placement == "post":
            h = keras.layers.LayerNormalization()(h)
        f = keras.layers.LayerNormalization()(h) if placement == "pre" else h
        f = keras.layers.Dense(WIDTH)(keras.layers.Dense(4 * WIDTH, activation="relu")(f))
        h = keras.layers.Add()([h, f])
        if placement == "post":
            h = keras.layers.LayerNormalization()(h)
    if placement == "pre":
        h = keras.layers.LayerNormalization()(h)
    return keras.Model(tokens, keras.layers.Dense(VOCAB)(h))


# %% [markdown]
# A hand-written training loop with a `@tf.function` step. The learning rate is set before each
# step, so one traced step serves every schedule: the post-LN model is trained twice from the
# same initial weights, with its Adam state reset in between.

# %%
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def learning_rate(step, warmup):
    return PEAK_LR * min(1.0, (step + 1) / warmup) if warmup else PEAK_LR


def trainer(model):
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    initial = [v.numpy() for v in model.trainable_variables]

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    def train(warmup):
        for variable, value in zip(model.trainable_variables, initial):
            variable.assign(value)
        for variable in optimizer.variables:  # moments and step count back to zero
            variable.assign(tf.zeros_like(variable))
        losses = []
        for step in range(STEPS):
            optimizer.learning_rate.assign(learning_rate(step, warmup))
            losses.append(float(train_step(xs[step], ys[step])))
        accuracy = float(np.mean(np.argmax(model(x_test), axis=-1) == y_test))
        return np.array(losses), accuracy

    return train


post, pre = trainer(build("post")), trainer(build("pre"))
runs = {
    "post-LN, no warm-up": post(warmup=0),
    f"post-LN, {WARMUP}-step warm-up": post(warmup=WARMUP),
    "pre-LN, no warm-up": pre(warmup=0),
}
for name, (losses, accuracy) in runs.items():
    print(f"{name:28s} loss at steps 1-10 {losses[:10].mean():.3f}, 41-60 {losses[40:60].mean():.3f}, "
          f"last 10 {losses[-10:].mean():.3f}; test accuracy {accuracy:.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for (name, (losses, _)), colour in zip(runs.items(), ("tab:red", "tab:orange", "tab:blue")):
    ax.plot(range(1, STEPS + 1), losses, color=colour, label=name)
ax.axhline(np.log(VOCAB), color="grey", linestyle="--", label=f"uniform prediction, ln {VOCAB}")
ax.set_yscale("log")
ax.set_title(f"{BLOCKS}-block encoders, Adam at a peak learning rate of {PEAK_LR:g}")
ax.set_xlabel("training step")
ax.set_ylabel("training loss (cross-entropy, log scale)")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()

# %%
(post_cold, post_cold_acc), (post_warm, post_warm_acc), (pre_cold, pre_cold_acc) = runs.values()
results = {
    "chance_loss": float(np.log(VOCAB)),
    "post_no_warmup_final_loss": float(post_cold[-10:].mean()),
    "post_no_warmup_accuracy": post_cold_acc,
    "post_warmup_final_loss": float(post_warm[-10:].mean()),
    "post_warmup_accuracy": post_warm_acc,
    "pre_no_warmup_final_loss": float(pre_cold[-10:].mean()),
    "pre_no_warmup_accuracy": pre_cold_acc,
    "post_no_warmup_min_loss": float(post_cold[20:].min()),
    "peak_lr": PEAK_LR,
    "warmup_steps": WARMUP,
    "steps": STEPS,
}
print(results)
