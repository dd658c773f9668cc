"""
Title: Attention-logit growth and QK-layernorm in a tiny pre-LN transformer, across learning rates
Description: Four panels for a 2-block pre-LN transformer of width 32 trained at four peak learning rates with and without LayerNormalization on queries and keys: the largest attention logit during training (log scale), the attention entropy during training, the final loss against the learning rate (log axis), and the largest attention logit reached against the learning rate (log-log).
Accelerator: None
"""

# %% [markdown]
# A small proxy for a large-scale instability, after Wortsman et al. (2023): without
# normalisation of queries and keys, high learning rates let the attention logits q·k/√d_h grow
# until the softmax is one-hot (entropy collapse) and the loss stalls; LayerNormalization on q
# and k ("QK-layernorm", Dehghani et al. 2023) bounds them.
#
# The task is in-context inference. Each sequence draws one of four hidden "topics", each a
# distribution over 16 tokens, and its 17 tokens i.i.d. from it. Predicting the next token well
# means inferring the topic from *all* earlier tokens: the ideal attention is spread out. The
# Bayes-optimal loss is computed exactly, so "how good" has a floor.
#
# The model: token and position embeddings (Keras's `Embedding` default, uniform ±0.05), two
# pre-LN blocks h ← h + Attn(LN(h)), h ← h + MLP(LN(h)) with 2 heads of 16 and a GELU MLP of
# width 64, a final LN and a readout; Dense kernels Glorot-uniform and LN epsilon 1e-3, as Keras's
# `Dense` and `LayerNormalization` default. To fit the time budget, the eight runs (four learning rates
# × with/without QK-norm) are trained *at once*: every weight has a leading axis of eight, one per run,
# and the layers are written as `einsum`s over it. Runs do not interact: each has its own weights,
# its own gradient-norm clipping and its own Adam state.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

VOCAB, LENGTH, WIDTH, HEADS, MLP, BLOCKS = 16, 16, 32, 2, 64, 2
HEAD_DIM = WIDTH // HEADS
BATCH, STEPS, WARMUP = 16, 120, 12
LEARNING_RATES = [1e-2, 1e-1, 3e-1, 1.0]
RUNS = [(lr, qk_norm) for qk_norm in (False, True) for lr in LEARNING_RATES]
E = len(RUNS)

# %% [markdown]
# Synthetic data, and the Bayes-optimal loss on it (the posterior over topics after each token).

# %%
rng = np.random.default_rng(SEED)
TOPICS = 4
topic_tokens = rng.dirichlet(0.3 * np.ones(VOCAB), TOPICS)
topics = rng.integers(0, TOPICS, BATCH * STEPS)
uniforms = rng.random((BATCH * STEPS, LENGTH + 1, 1))
tokens = np.minimum((uniforms > np.cumsum(topic_tokens[topics], axis=1)[:, None, :]).sum(-1), VOCAB - 1)
x_all = tokens[:, :-1].reshape(STEPS, BATCH, LENGTH)
y_all = tokens[:, 1:].reshape(STEPS, BATCH, LENGTH)

log_posterior = np.full((BATCH * STEPS, TOPICS), -np.log(TOPICS))
bayes_nll = []
for i in range(LENGTH):
    log_posterior += np.log(topic_tokens[:, tokens[:, i]].T)
    posterior = np.exp(log_posterior - log_posterior.max(1, keepdims=True))
    posterior /= posterior.sum(1, keepdims=True)
    bayes_nll.append(-np.log(np.sum(posterior * topic_tokens[:, tokens[:, i + 1]].T, axis=1)))
bayes_loss = float(np.mean(bayes_nll))
print(f"Bayes-optimal loss {bayes_loss:.3f}; uniform guess {np.log(VOCAB):.3f}")

# %% [markdown]
# The weights, one slice per run. Runs without QK-norm multiply the normalised q and k by 0 and
# add back the raw ones, so their QK-norm weights get no gradient and stay at γ = 1, β = 0.

# %%
glorot, zeros, ones = keras.initializers.GlorotUniform(), keras.initializers.Zeros(), keras.initializers.Ones()
embedding = keras.initializers.RandomUniform(-0.05, 0.05)


def weight(shape, initializer):
    return keras.Variable(np.stack([keras.ops.convert_to_numpy(initializer(shape)) for _ in range(E)]))


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
USE_QK_NORM = tf.constant([float(qk) for _, qk in RUNS])[:, None, None, None, None]
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
        # Entropy of the attention rows of the second half of the sequence (9 to 16 keys each).
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
# Training: Adam with β₂ = 0.95 (the usual choice for transformers; Keras's default is 0.999),
# global-norm clipping at 1 per run (what `global_clipnorm=1.0` does), linear warm-up over the
# first 12 steps to the peak rate, then cosine decay to 0. Adam's update is written out as Keras's
# `Adam.update_step` computes it (keras/src/optimizers/adam.py: ε = 1e-7 added to √v of the
# uncorrected v, bias correction folded into the step size), vectorised over the runs.

# %%
PEAK = tf.constant([lr for lr, _ in RUNS])
BETA_1, BETA_2, EPSILON = 0.9, 0.95, 1e-7
moments = {n: tf.Variable(tf.zeros(W[n].shape)) for n in NAMES}
velocities = {n: tf.Variable(tf.zeros(W[n].shape)) for n in NAMES}


def per_run(values, name):
    return tf.reshape(values, (E,) + (1,) * (len(W[name].shape) - 1))


@tf.function(autograph=False)
def train_step(step, x, y):
    t = tf.cast(step, tf.float32) + 1
    schedule = tf.where(t <= WARMUP, t / WARMUP, 0.5 * (1 + tf.cos(np.pi * (t - WARMUP) / (STEPS - WARMUP))))
    with tf.GradientTape() as tape:
        logits, largest_logit, entropy = forward(x)
        labels = tf.broadcast_to(y, (E,) + y.shape)
        losses = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits), axis=[1, 2])
        total = tf.reduce_sum(losses)  # runs are independent: the sum's gradient is each run's own
    grads = tape.gradient(total, [W[n].value for n in NAMES])
    norm = tf.sqrt(tf.add_n([tf.reduce_sum(g**2, axis=list(range(1, len(g.shape)))) for g in grads]))
    clip = tf.minimum(1.0, 1.0 / norm)
    step_size = PEAK * schedule * tf.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)
    for n, g in zip(NAMES, grads):
        g = g * per_run(clip, n)
        moments[n].assign_add((g - moments[n]) * (1 - BETA_1))
        velocities[n].assign_add((g * g - velocities[n]) * (1 - BETA_2))
        W[n].assign_sub(per_run(step_size, n) * moments[n] / (tf.sqrt(velocities[n]) + EPSILON))
    return tf.stack([losses, largest_logit, entropy], axis=1)


history = np.stack([train_step(tf.constant(s), tf.constant(x_all[s]), tf.constant(y_all[s])).numpy()
                    for s in range(STEPS)])  # (step, run, [loss, largest logit, entropy])
loss, largest, entropy = history[..., 0], history[..., 1], history[..., 2]
final_loss = loss[-STEPS // 5:].mean(0)  # mean over the last 24 steps: 384 sequences
initial_loss = float(loss[0].mean())
for r, (lr, qk) in enumerate(RUNS):
    print(f"lr {lr:<5g} QK-norm {qk!s:5}: final loss {final_loss[r]:.3f}, largest attention logit "
          f"{largest[:, r].max():.3g}, final entropy {entropy[-1, r]:.2f}")

# %% [markdown]
# Learning-rate sensitivity as Wortsman et al. (2023) define it: the mean over the swept rates of
# min(final loss, initial loss) − the best final loss, here over four rates.

# %%
index = {(lr, qk): r for r, (lr, qk) in enumerate(RUNS)}
best = final_loss.min()
sensitivity = {qk: float(np.mean([min(final_loss[index[lr, qk]], initial_loss) - best for lr in LEARNING_RATES]))
               for qk in (False, True)}
print(f"LR sensitivity: without QK-norm {sensitivity[False]:.3f}, with {sensitivity[True]:.3f}")

# %%
fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
colours = plt.cm.viridis(np.linspace(0, 0.9, len(LEARNING_RATES)))
for (lr, qk), r in index.items():
    style = dict(color=colours[LEARNING_RATES.index(lr)], linestyle="-" if qk else "--")
    label = f"lr {lr:g}" + (", QK-norm" if qk else ", no QK-norm")
    axes[0, 0].semilogy(largest[:, r], label=label, **style)
    axes[0, 1].plot(entropy[:, r], **style)
axes[0, 0].set_title("Largest |attention logit| (dashed: no QK-norm)")
axes[0, 0].set_ylabel("max |q·k|/√d_h over heads, layers, batch (log)")
axes[0, 1].axhline(np.mean(np.log(np.arange(LENGTH // 2, LENGTH) + 1)), color="grey", linestyle=":",
                   label="uniform attention")
axes[0, 1].set_title("Attention entropy, second half of the sequence")
axes[0, 1].set_ylabel("mean entropy of the attention rows (nats)")
axes[0, 1].legend()
for ax in axes[0]:
    ax.set_xlabel("training step")
axes[0, 0].legend(fontsize="x-small", ncol=2)
for qk, marker in ((False, "s"), (True, "o")):
    runs = [index[lr, qk] for lr in LEARNING_RATES]
    label = "QK-norm" if qk else "no QK-norm"
    axes[1, 0].semilogx(LEARNING_RATES, final_loss[runs], marker=marker, linestyle="-" if qk else "--", label=label)
    axes[1, 1].loglog(LEARNING_RATES, largest[:, runs].max(0), marker=marker, linestyle="-" if qk else "--", label=label)
axes[1, 0].axhline(bayes_loss, color="grey", linestyle=":", label="Bayes-optimal loss")
axes[1, 0].set_ylabel("final loss (mean of the last 24 steps)")
axes[1, 0].set_title("Learning-rate sensitivity")
axes[1, 1].set_ylabel("largest |attention logit| during training (log)")
axes[1, 1].set_title("Attention-logit growth against learning rate")
for ax in axes[1]:
    ax.set_xlabel("peak learning rate (log scale)")
    ax.legend()
for ax in axes.flat:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {"bayes_loss": bayes_loss, "initial_loss": initial_loss,
           "sensitivity_plain": sensitivity[False], "sensitivity_qk_norm": sensitivity[True],
           "head_dim": HEAD_DIM}
for (lr, qk), r in index.items():
    tag = f"{'qk' if qk else 'plain'}_{lr:g}".replace(".", "p")
    results[f"final_loss_{tag}"] = float(final_loss[r])
    results[f"max_logit_{tag}"] = float(largest[:, r].max())
    results[f"initial_max_logit_{tag}"] = float(largest[0, r])
    results[f"final_entropy_{tag}"] = float(entropy[-1, r])
print(results)
