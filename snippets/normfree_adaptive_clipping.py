"""
Title: Adaptive gradient clipping against global-norm clipping at a large learning rate
Description: Training loss on a log scale of an 8-block residual MLP without normalisation trained with SGD and momentum at learning rate 0.1: without clipping, with global_clipnorm=1, and with unit-wise adaptive gradient clipping (AGC) at λ = 0.01, 0.04 and 0.16 on every layer and at λ = 0.04 with the output layer left unclipped.
Accelerator: None
Timeout: 300
"""

# %% [markdown]
# Adaptive gradient clipping (AGC, Brock et al. 2021) clips each unit's gradient relative to the
# size of that unit's weights: for unit i with incoming weights W_i and gradient G_i,
#
#     G_i ← λ · max(‖W_i‖, ε) / ‖G_i‖ · G_i    whenever ‖G_i‖ / max(‖W_i‖, ε) > λ,
#
# so no step can change a unit's weights by more than about (learning rate) × λ of their norm.
# A Keras `Dense` kernel has shape (inputs, units): unit i's weights are column i, and the norm
# runs over axis 0. Biases are clipped as one vector, as in the NFNets code. ε = 10⁻³.
#
# The network: 8 residual blocks h ← h + Dense(relu, He-normal)(h) / √8 of width 32 and a
# Dense(1) readout (Keras defaults, glorot_uniform), no normalisation. Full-batch SGD with
# momentum 0.9 at learning rate 0.1, 80 steps, on a unit-variance regression target.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from keras import ops

SEED = 0
keras.utils.set_random_seed(SEED)

BLOCKS, WIDTH, SAMPLES, STEPS, LEARNING_RATE, EPSILON = 8, 32, 256, 80, 0.1, 1e-3

rng = np.random.default_rng(SEED)
x = rng.standard_normal((SAMPLES, WIDTH)).astype("float32")
teacher = rng.standard_normal((WIDTH, 1)) / np.sqrt(WIDTH)
y = np.sin(2 * x @ teacher)
y = ((y - y.mean()) / y.std()).astype("float32")  # predicting the mean gives loss 1

inputs = keras.Input((WIDTH,))
h = inputs
for _ in range(BLOCKS):
    branch = keras.layers.Dense(WIDTH, activation="relu", kernel_initializer="he_normal")(h)
    h = keras.layers.Add()([h, keras.layers.Rescaling(BLOCKS ** -0.5)(branch)])
model = keras.Model(inputs, keras.layers.Dense(1)(h))
initial_weights = model.get_weights()
head_ids = {id(v) for v in model.layers[-1].trainable_variables}


# %% [markdown]
# The clipping rule and a custom train step. `body_clip` and `head_clip` hold λ for the hidden
# layers and for the readout; an infinite λ turns clipping off, so one compiled step serves every
# AGC variant. (The same lines go into a `keras.Model.train_step` override to use AGC with `fit`.)

# %%
def unitwise_norm(tensor):
    """Norm of each unit's weights: over axis 0 for a (inputs, units) kernel; the whole vector for a bias."""
    if len(tensor.shape) <= 1:
        return ops.sqrt(ops.sum(ops.square(tensor)))
    return ops.sqrt(ops.sum(ops.square(tensor), axis=0, keepdims=True))


def adaptive_clip(grad, weight, clip):
    max_norm = clip * ops.maximum(unitwise_norm(weight), EPSILON)
    grad_norm = unitwise_norm(grad)
    clipped = grad * (max_norm / ops.maximum(grad_norm, 1e-6))
    return ops.where(grad_norm > max_norm, clipped, grad), ops.mean(ops.cast(grad_norm > max_norm, "float32"))


body_clip = tf.Variable(np.inf, trainable=False)
head_clip = tf.Variable(np.inf, trainable=False)


def make_train_step(optimizer):
    optimizer.build(model.trainable_variables)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        raw_norm = tf.linalg.global_norm(grads)
        clipped, fractions = [], []
        for grad, weight in zip(grads, model.trainable_variables):
            grad, fraction = adaptive_clip(grad, weight, head_clip if id(weight) in head_ids else body_clip)
            clipped.append(grad)
            fractions.append(fraction)
        optimizer.apply(clipped, model.trainable_variables)
        return loss, raw_norm, tf.add_n(fractions) / len(fractions)

    return optimizer, train_step


plain = make_train_step(keras.optimizers.SGD(LEARNING_RATE, momentum=0.9))
global_clip = make_train_step(keras.optimizers.SGD(LEARNING_RATE, momentum=0.9, global_clipnorm=1.0))

RUNS = {  # name: (optimizer and step, λ hidden layers, λ readout)
    "no clipping": (plain, np.inf, np.inf),
    "global_clipnorm=1": (global_clip, np.inf, np.inf),
    "AGC λ=0.01": (plain, 0.01, 0.01),
    "AGC λ=0.04": (plain, 0.04, 0.04),
    "AGC λ=0.16": (plain, 0.16, 0.16),
    "AGC λ=0.04, readout unclipped": (plain, 0.04, np.inf),
}

# %%
curves, raw_norms, clipped_fraction = {}, {}, {}
for name, ((optimizer, train_step), body, head) in RUNS.items():
    model.set_weights(initial_weights)
    for variable in optimizer.variables:  # momentum and step count
        variable.assign(tf.zeros_like(variable))
    optimizer.learning_rate.assign(LEARNING_RATE)
    body_clip.assign(body)
    head_clip.assign(head)
    losses, norms, fractions = [], [], []
    for _ in range(STEPS):
        loss, norm, fraction = train_step()
        losses.append(float(loss))
        norms.append(float(norm))
        fractions.append(float(fraction))
        if not np.isfinite(losses[-1]):
            break
    curves[name], raw_norms[name], clipped_fraction[name] = np.array(losses), norms, float(np.mean(fractions))
    print(f"{name:30s} loss {losses[0]:.3g} → {losses[-1]:.3g} after {len(losses)} steps; "
          f"gradient norm at step 1 {norms[0]:.3g}; fraction of units clipped {clipped_fraction[name]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.8))
for (name, losses), style in zip(curves.items(), ["-", "--", ":", "-", "-.", "--"]):
    shown = losses[np.isfinite(losses)]
    ax.semilogy(range(1, len(shown) + 1), shown, linestyle=style, linewidth=2, label=name)
ax.axhline(1.0, color="grey", linewidth=1, label="predicting the mean")
ax.set_title(f"SGD + momentum at lr {LEARNING_RATE}, {BLOCKS}-block residual MLP, no normalisation")
ax.set_xlabel("step")
ax.set_ylabel("training loss, mean squared error (log scale)")
ax.set_ylim(top=1e4)
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
fig.tight_layout()


# %%
def final(name):
    losses = curves[name]
    return float(losses[-1]) if len(losses) == STEPS and np.isfinite(losses[-1]) else "diverged"


results = {
    "steps": STEPS,
    "learning_rate": LEARNING_RATE,
    "initial_loss": float(curves["no clipping"][0]),
    "initial_gradient_norm": raw_norms["no clipping"][0],
    "no_clip_steps_to_nonfinite": len(curves["no clipping"]),
    "no_clip_diverged": final("no clipping") == "diverged",
    "global_final_loss": final("global_clipnorm=1"),
    "agc_0_01_final_loss": final("AGC λ=0.01"),
    "agc_0_04_final_loss": final("AGC λ=0.04"),
    "agc_0_16_final_loss": final("AGC λ=0.16"),
    "agc_0_04_clipped_fraction": clipped_fraction["AGC λ=0.04"],
    "agc_unclipped_readout_diverged": final("AGC λ=0.04, readout unclipped") == "diverged",
    "agc_unclipped_readout_steps": len(curves["AGC λ=0.04, readout unclipped"]),
}
print(results)
