"""
Title: Warm-up, Adam's beta_2, gradient clipping and epsilon in a tiny pre-LN transformer
Description: Training loss of a 2-block pre-LN transformer of width 32 at peak learning rate 0.3 with and without warm-up, with Adam beta_2 0.999 and 0.95, with and without global-norm clipping at 1, and the largest Adam step relative to the learning rate; a last run multiplies the loss by 1e-6 so the gradients are tiny beside epsilon.
Accelerator: None
"""

# %% [markdown]
# The model and data of the QK-layernorm page (`transformer_qk_norm_lr_sweep.py`): two pre-LN
# blocks of width 32 with QK-layernorm, next-token prediction on sequences whose tokens come from
# one of four hidden topics. Seven runs train side by side (every weight has a leading axis of
# seven, one slice per run); they share the data and the initial weights and differ only in the
# optimiser settings below. The peak learning rate, 0.3, is at the upper end of where that page's
# QK-norm model still trained.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

VOCAB, LENGTH, WIDTH, HEADS, MLP, BLOCKS = 16, 16, 32, 2, 64, 2
HEAD_DIM = WIDTH // HEADS
BATCH, STEPS, WARMUP, PEAK_LR = 16, 120, 12, 0.3
# (label, warm-up steps, beta_2, global clipnorm, loss scale, epsilon)
RUNS = [
    ("no warm-up, β₂ 0.999", 0, 0.999, 1.0, 1.0, 1e-7),
    ("no warm-up, β₂ 0.95", 0, 0.95, 1.0, 1.0, 1e-7),
    ("warm-up, β₂ 0.999", WARMUP, 0.999, 1.0, 1.0, 1e-7),
    ("warm-up, β₂ 0.95", WARMUP, 0.95, 1.0, 1.0, 1e-7),
    ("warm-up, β₂ 0.95, no clipping", WARMUP, 0.95, None, 1.0, 1e-7),
    ("warm-up, β₂ 0.95, loss × 1e-6", WARMUP, 0.95, 1.0, 1e-6, 1e-7),
    ("warm-up, β₂ 0.95, loss × 1e-6, ε 1e-15", WARMUP, 0.95, 1.0, 1e-6, 1e-15),
]
E = len(RUNS)

# %%
rng = np.random.default_rng(SEED)
TOPICS = 4
topic_tokens = rng.dirichlet(0.3 * np.ones(VOCAB), TOPICS)
topics = rng.integers(0, TOPICS, BATCH * STEPS)
uniforms = rng.random((BATCH * STEPS, LENGTH + 1, 1))
tokens = np.minimum((uniforms > np.cumsum(topic_tokens[topics], axis=1)[:, None, :]).sum(-1), VOCAB - 1)
x_all = tokens[:, :-1].reshape(STEPS, BATCH, LENGTH)
y_all = tokens[:, 1:].reshape(STEPS, BATCH, LENGTH)

# %% [markdown]
# The model, one slice of every weight per run; all runs use QK-layernorm and start from the same
# weights.

# %%
glorot, zeros, ones = keras.initializers.GlorotUniform(), keras.initializers.Zeros(), keras.initializers.Ones()
embedding = keras.initializers.RandomUniform(-0.05, 0.05)


def weight(shape, initializer):
    return keras.Variable(np.repeat(keras.ops.convert_to_numpy(initializer(shape))[None], E, axis=0))


W = {"tokens": weight((VOCAB, WIDTH), embedding), "positions": weight((LENGTH, WIDTH), embedding),
     "ln_g": weight((WIDTH,), ones), "ln_b": weight((WIDTH,), zeros),
     "readout": weight((WIDTH, VOCAB), glorot), "readout_b": weight((VOCAB,), zeros)}
for b in range(BLOCKS):
    W.update({f"{b}ln1_g": weight((WIDTH,), ones), f"{b}ln1_b": weight((WIDTH,), zeros),
              f"{b}qkv": weight((WIDTH, 3 * WIDTH), glorot), f"{b}out": weight((WIDTH, WIDTH), glorot),
              f"{b}qn_g": weight((HEAD_DIM,), ones), f"{b}qn_b": weight((HEAD_DIM,), zeros),
              f"{b}kn_g": weight((HEAD_DIM,), ones), f"{b}kn_b": weight((HEAD_DIM,), zeros),
              f"{b}ln2_g": weight((WIDTH,), ones), f"{b}ln2_b": weight((WIDTH,), zeros),
              f"{b}mlp1": weight((WIDTH, MLP), glorot), f"{b}mlp1_b": weight((MLP,), zeros),
              f"{b}mlp2": weight((MLP, WIDTH), glorot), f"{b}mlp2_b": weight((WIDTH,), zeros)})
NAMES = list(W)
USE_QK_NORM = tf.ones((E, 1, 1, 1, 1))
CAUSAL = tf.linalg.band_part(tf.ones((LENGTH, LENGTH)), -1, 0)


def layer_norm(x, gamma, beta):
    """keras.layers.LayerNormalization over the last axis (epsilon 1e-3), with per-run γ and β."""
    shape = (E,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
    mean, variance = tf.nn.moments(x, -1, keepdims=True)
    return (x - mean) * tf.math.rsqrt(variance + 1e-3) * tf.reshape(gamma, shape) + tf.reshape(beta, shape)


def forward(x):
    """Logits (run, batch, position, vocab), each run's largest |attention logit| and mean attention entropy."""
    h = tf.gather(W["tokens"], x, axis=1) + W["positions"][:, None]
    largest, entropy = [], []
    for b in range(BLOCKS):
        a = layer_norm(h, W[f"{b}ln1_g"], W[f"{b}ln1_b"])
        qkv = tf.reshape(tf.einsum("ebtd,edf->ebtf", a, W[f"{b}qkv"]), (E, -1, LENGTH, 3, HEADS, HEAD_DIM))
        q, k, v = tf.unstack(qkv, axis=3)
        q = USE_QK_NORM * layer_norm(q, W[f"{b}qn_g"], W[f"{b}qn_b"]) + (1 - USE_QK_NORM) * q
        k = USE_QK_NORM * layer_norm(k, W[f"{b}kn_g"], W[f"{b}kn_b"]) + (1 - USE_QK_NORM) * k
        logits = tf.einsum("ebqhd,ebkhd->ebhqk", q, k) / HEAD_DIM ** 0.5
        weights = tf.nn.softmax(logits - 1e9 * (1 - CAUSAL), axis=-1)
        largest.append(tf.reduce_max(tf.abs(logits) * CAUSAL, axis=[1, 2, 3, 4]))
        # Entropy of the attention rows of the second half of the sequence (8 to 16 keys each).
        row_entropy = -tf.reduce_sum(weights * tf.math.log(weights + 1e-30), axis=-1)
        entropy.append(tf.reduce_mean(row_entropy[..., LENGTH // 2:], axis=[1, 2, 3]))
        attended = tf.reshape(tf.einsum("ebhqk,ebkhd->ebqhd", weights, v), (E, -1, LENGTH, WIDTH))
        h = h + tf.einsum("ebtd,edf->ebtf", attended, W[f"{b}out"])
        a = layer_norm(h, W[f"{b}ln2_g"], W[f"{b}ln2_b"])
        m = tf.nn.gelu(tf.einsum("ebtd,edf->ebtf", a, W[f"{b}mlp1"]) + W[f"{b}mlp1_b"][:, None, None])
        h = h + tf.einsum("ebtf,efd->ebtd", m, W[f"{b}mlp2"]) + W[f"{b}mlp2_b"][:, None, None]
    h = layer_norm(h, W["ln_g"], W["ln_b"])
    logits = tf.einsum("ebtd,edv->ebtv", h, W["readout"]) + W["readout_b"][:, None, None]
    return logits, tf.reduce_max(tf.stack(largest), 0), tf.reduce_mean(tf.stack(entropy), 0)


# %% [markdown]
# Adam exactly as Keras's `Adam.update_step` computes it (keras/src/optimizers/adam.py), vectorised
# over the runs, each with its own β₂, ε and warm-up; clipping by each run's global norm as
# `global_clipnorm` does. A check against `keras.optimizers.Adam` follows the training.

# %%
BETA_1 = 0.9
BETA_2 = tf.constant([r[2] for r in RUNS])
EPSILON = tf.constant([r[5] for r in RUNS])
WARMUP_STEPS = tf.constant([float(max(r[1], 1)) for r in RUNS])
CLIP = tf.constant([r[3] if r[3] is not None else np.inf for r in RUNS])
LOSS_SCALE = tf.constant([r[4] for r in RUNS])
moments = {n: tf.Variable(tf.zeros(W[n].shape)) for n in NAMES}
velocities = {n: tf.Variable(tf.zeros(W[n].shape)) for n in NAMES}


def per_run(values, name):
    return tf.reshape(values, (E,) + (1,) * (len(W[name].shape) - 1))


def adam_step(gradient, variable, moment, velocity, t, rate, beta_2, epsilon):
    """Keras's Adam.update_step; returns the change it made to `variable`."""
    step_size = rate * tf.sqrt(1 - beta_2**t) / (1 - BETA_1**t)
    moment.assign_add((gradient - moment) * (1 - BETA_1))
    velocity.assign_add((gradient * gradient - velocity) * (1 - beta_2))
    change = -step_size * moment / (tf.sqrt(velocity) + epsilon)
    variable.assign_add(change)
    return change


@tf.function(autograph=False)
def train_step(step, x, y):
    t = tf.cast(step, tf.float32) + 1
    rate = PEAK_LR * tf.minimum(1.0, t / WARMUP_STEPS)  # linear warm-up, then constant
    with tf.GradientTape() as tape:
        logits, _, _ = forward(x)
        labels = tf.broadcast_to(y, (E,) + y.shape)
        losses = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits), axis=[1, 2])
        total = tf.reduce_sum(LOSS_SCALE * losses)  # runs are independent: each gets its own gradient
    grads = tape.gradient(total, [W[n].value for n in NAMES])
    norm = tf.sqrt(tf.add_n([tf.reduce_sum(g**2, axis=list(range(1, len(g.shape)))) for g in grads]))
    clip = tf.minimum(1.0, CLIP / norm)
    largest, squares, count = tf.zeros(E), tf.zeros(E), 0
    for n, g in zip(NAMES, grads):
        change = adam_step(g * per_run(clip, n), W[n], moments[n], velocities[n], t,
                           per_run(rate, n), per_run(BETA_2, n), per_run(EPSILON, n))
        axes = list(range(1, len(g.shape)))
        largest = tf.maximum(largest, tf.reduce_max(tf.abs(change), axis=axes))
        squares += tf.reduce_sum(change**2, axis=axes)
        count += int(np.prod(W[n].shape[1:]))
    update_rms = tf.sqrt(squares / count)
    return tf.stack([losses, norm, largest / rate, update_rms / rate], axis=1)


history = np.stack([train_step(tf.constant(s), tf.constant(x_all[s]), tf.constant(y_all[s])).numpy()
                    for s in range(STEPS)])  # (step, run, [loss, gradient norm, max |Δθ|/lr, rms Δθ / lr])
loss, grad_norm, largest_step, update_rms = (history[..., i] for i in range(4))

# %% [markdown]
# Check that the update above is Keras's: one step of `keras.optimizers.Adam` (default ε = 1e-7,
# β₂ = 0.95 here) on a fresh variable, against `adam_step`.

# %%
probe_gradient = tf.constant(rng.standard_normal(64).astype("float32") * 1e-3)
keras_variable = keras.Variable(tf.zeros(64))
keras_adam = keras.optimizers.Adam(learning_rate=0.3, beta_2=0.95)
print(f"keras.optimizers.Adam defaults used: epsilon={keras_adam.epsilon}, beta_1={keras_adam.beta_1}")
ours = tf.Variable(tf.zeros(64))
m, v = tf.Variable(tf.zeros(64)), tf.Variable(tf.zeros(64))
for t in (1.0, 2.0, 3.0):
    keras_adam.apply([probe_gradient], [keras_variable])
    adam_step(probe_gradient, ours, m, v, t, 0.3, 0.95, 1e-7)
keras_mismatch = float(tf.reduce_max(tf.abs(keras_variable.value - ours)) / tf.reduce_max(tf.abs(ours)))
print(f"largest difference from keras.optimizers.Adam after 3 steps: {keras_mismatch:.2g} of the update")

# %% [markdown]
# Loss spikes: a step whose loss exceeds the median of the previous ten by more than 0.3 nats.

# %%
def spikes(curve, window=10, jump=0.3):
    return int(sum(curve[s] > np.median(curve[s - window:s]) + jump for s in range(window, len(curve))))


label = {r[0]: i for i, r in enumerate(RUNS)}
early = loss[3:12].mean(0)  # steps 4 to 12, while the warm-up runs are still ramping
final = loss[-24:].mean(0)
for name, r in label.items():
    print(f"{name:40s} loss steps 4-12 {early[r]:.3f}, final {final[r]:.3f}, spikes {spikes(loss[:, r])}, "
          f"largest |Δθ|/lr {largest_step[:, r].max():.2f}, clipped steps {np.mean(grad_norm[:, r] > 1):.0%}, "
          f"rms Δθ/lr late {update_rms[-24:, r].mean():.3g}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
for name, r in label.items():
    if "loss ×" not in name:
        axes[0].plot(np.arange(1, STEPS + 1), loss[:, r], label=name, linewidth=1.2)
axes[0].set_xlabel("training step")
axes[0].set_ylabel("training loss (nats)")
axes[0].set_title(f"Loss at peak learning rate {PEAK_LR}")
axes[0].legend(fontsize="small")
for name, r in label.items():
    if "loss ×" not in name:
        axes[1].semilogy(np.arange(1, STEPS + 1), largest_step[:, r], label=name, linewidth=1)
axes[1].axhline(1.0, color="grey", linestyle=":", label="Kingma & Ba: about 1 for β₂ 0.95")
axes[1].axhline(0.1 / np.sqrt(0.001), color="black", linestyle=":", label="Kingma & Ba: 3.16 for β₂ 0.999")
axes[1].set_xlabel("training step")
axes[1].set_ylabel("largest |Δθ| / learning rate, any weight (log)")
axes[1].set_title("Adam's largest single-weight step")
axes[1].legend(fontsize="x-small")
for name, r in label.items():
    if "warm-up, β₂ 0.95" in name and "no clipping" not in name:
        axes[2].semilogy(np.arange(1, STEPS + 1), update_rms[:, r], label=name)
axes[2].set_xlabel("training step")
axes[2].set_ylabel("rms of Adam's update / learning rate (log)")
axes[2].set_title("Gradients tiny beside ε shrink the update")
axes[2].legend(fontsize="x-small")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {"peak_lr": PEAK_LR, "warmup_steps": WARMUP, "keras_mismatch": keras_mismatch,
           "initial_loss": float(loss[0, 0])}
keys = {"no warm-up, β₂ 0.999": "nowarm_b999", "no warm-up, β₂ 0.95": "nowarm_b95", "warm-up, β₂ 0.999": "warm_b999",
        "warm-up, β₂ 0.95": "warm_b95", "warm-up, β₂ 0.95, no clipping": "noclip",
        "warm-up, β₂ 0.95, loss × 1e-6": "tiny", "warm-up, β₂ 0.95, loss × 1e-6, ε 1e-15": "tiny_eps"}
for name, key in keys.items():
    r = label[name]
    results[f"early_loss_{key}"] = float(early[r])
    results[f"final_loss_{key}"] = float(final[r])
    results[f"spikes_{key}"] = spikes(loss[:, r])
    results[f"largest_step_{key}"] = float(largest_step[:, r].max())
    results[f"clipped_fraction_{key}"] = float(np.mean(grad_norm[:, r] > 1))
    results[f"update_rms_{key}"] = float(update_rms[-24:, r].mean())
    results[f"grad_norm_late_{key}"] = float(np.median(grad_norm[-24:, r]))
results["first_grad_norm"] = float(grad_norm[0, label["warm-up, β₂ 0.95"]])
print(results)
