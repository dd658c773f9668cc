"""
Title: Minibatch gradient noise against batch size, and the gradient noise scale
Description: Mean squared distance between a minibatch gradient and the full-batch gradient against the batch size B on log-log axes, measured and predicted as tr(Σ)/B, and the gradient noise scale tr(Σ)/‖G‖² during training.
Accelerator: None
"""

# %% [markdown]
# A minibatch gradient g_B is the mean of B per-example gradients drawn from the training set. If
# the draws were independent, each with mean G (the full-batch gradient) and covariance Σ, the
# mean of B of them would have covariance Σ/B, so
#
#     E‖g_B − G‖² = tr(Σ)/B,
#
# a line of slope −1 on log-log axes. Drawing B distinct examples out of N multiplies this by the
# finite-population factor (N − B)/(N − 1). McCandlish et al. (2018) call B_noise = tr(Σ)/‖G‖² the
# (simple) gradient noise scale: the batch size at which the noise in g_B is as large as the
# signal, E‖g_B − G‖² = ‖G‖².

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

INPUTS, WIDTH, EXAMPLES = 16, 32, 4096
BATCH_SIZES = 2 ** np.arange(0, 11)  # 1 … 1024
DRAWS = 100

rng = np.random.default_rng(SEED)
x = rng.standard_normal((EXAMPLES, INPUTS)).astype("float32")
clean = np.tanh(x @ rng.standard_normal((INPUTS, 8)) / 4) @ rng.standard_normal((8, 1))
y = (clean + 0.3 * rng.standard_normal((EXAMPLES, 1))).astype("float32")  # label noise: Σ stays > 0

# Dense layers without activation, followed by Activation layers: the per-example trick below needs
# each Dense layer's input a and output z (the pre-activation).
inputs = keras.Input((INPUTS,))
h, dense_layers = inputs, []
for units, activation in ((WIDTH, "tanh"), (WIDTH, "tanh"), (1, None)):
    dense_layers.append(keras.layers.Dense(units))
    h = dense_layers[-1](h)
    h = keras.layers.Activation(activation)(h) if activation else h
model = keras.Model(inputs, h)
# Layer 1's input is x itself; the tapped model returns the hidden activations and every Dense output.
tapped = keras.Model(inputs, [layer.input for layer in dense_layers[1:]] + [layer.output for layer in dense_layers])

# %% [markdown]
# Per-example gradients, one row per example, in one backward pass. A Dense layer's kernel gradient
# for example i is the outer product a_i ⊗ δ_i of its input and the gradient δ_i of the loss at its
# output z_i, and its bias gradient is δ_i (Goodfellow 2015). Since examples do not interact, the
# gradient of the *summed* loss with respect to z gives every δ_i at once.

# %%
@tf.function
def signals():
    with tf.GradientTape() as tape:
        taps = tapped(x)
        dense_inputs, dense_outputs = [x] + taps[: len(dense_layers) - 1], taps[len(dense_layers) - 1 :]
        prediction = dense_outputs[-1]  # the last Dense layer has no activation: its output is the model's
        per_example = tf.reduce_sum((prediction - y) ** 2, axis=1)
        total = tf.reduce_sum(per_example)
    deltas = tape.gradient(total, dense_outputs)
    return dense_inputs, deltas, tf.reduce_mean(per_example)


def per_example_gradients():
    dense_inputs, deltas, loss = signals()
    parts = []
    for a, delta in zip(dense_inputs, deltas):
        a, delta = np.asarray(a, np.float64), delta.numpy().astype(np.float64)
        parts += [np.einsum("ni,nj->nij", a, delta).reshape(EXAMPLES, -1), delta]
    return np.concatenate(parts, axis=1), float(loss)


def noise_statistics(rows):
    rows = rows.astype(np.float64)
    full = rows.mean(axis=0)
    trace_sigma = float(np.mean(np.sum((rows - full) ** 2, axis=1)))  # tr Σ = E‖g_i − G‖²
    return full, trace_sigma, trace_sigma / float(full @ full)


rows, loss = per_example_gradients()
full, trace_sigma, noise_scale_init = noise_statistics(rows)
# Check the trick against the tape: the mean of the rows is the full-batch gradient of the mean loss.
with tf.GradientTape() as tape:
    mean_loss = tf.reduce_mean(tf.reduce_sum((model(x) - y) ** 2, axis=1))
tape_gradient = np.concatenate([g.numpy().ravel() for g in tape.gradient(mean_loss, model.trainable_variables)])
per_example_check = float(np.linalg.norm(tape_gradient - full) / np.linalg.norm(tape_gradient))
print(f"per-example rows against the tape's gradient: relative difference {per_example_check:.1e}")
print(f"{rows.shape[1]} parameters; ‖G‖² = {full @ full:.3e}, tr Σ = {trace_sigma:.3e}, B_noise = {noise_scale_init:.1f}")

# %% [markdown]
# The measurement: for each B, 100 minibatches of B distinct examples, and the mean of ‖g_B − G‖².

# %%
measured = []
for b in BATCH_SIZES:
    distances = [np.sum((rows[rng.choice(EXAMPLES, b, replace=False)].mean(axis=0) - full) ** 2) for _ in range(DRAWS)]
    measured.append(float(np.mean(distances)))
measured = np.array(measured)
predicted = trace_sigma / BATCH_SIZES * (EXAMPLES - BATCH_SIZES) / (EXAMPLES - 1)
fit_range = BATCH_SIZES <= 256  # where (N − B)/(N − 1) ≥ 0.94, so the line's slope is −1 to 3 %
slope = float(np.polyfit(np.log(BATCH_SIZES[fit_range]), np.log(measured[fit_range]), 1)[0])
print("measured / predicted:", np.round(measured / predicted, 2), f"slope {slope:.3f}")

# %% [markdown]
# McCandlish et al. (2018, appendix A.1) estimate B_noise without per-example gradients, from the
# squared norms of gradients at two batch sizes B_small and B_big, using E‖g_B‖² = ‖G‖² + tr(Σ)/B:
#
#     ‖G‖² ≈ (B_big‖g_big‖² − B_small‖g_small‖²) / (B_big − B_small),
#     tr Σ ≈ (‖g_small‖² − ‖g_big‖²) / (1/B_small − 1/B_big).

# %%
def two_batch_estimate(b_small=32, b_big=1024, draws=DRAWS):
    def mean_sq(b):
        return np.mean([np.sum(rows[rng.choice(EXAMPLES, b, replace=False)].mean(axis=0) ** 2) for _ in range(draws)])

    small, big = mean_sq(b_small), mean_sq(b_big)
    g_sq = (b_big * big - b_small * small) / (b_big - b_small)
    trace = (small - big) / (1 / b_small - 1 / b_big)
    return float(trace / g_sq)


estimate_init = two_batch_estimate()
print(f"two-batch estimate of B_noise at initialisation: {estimate_init:.1f} (exact {noise_scale_init:.1f})")

# %% [markdown]
# The noise scale during training: minibatch SGD (B = 32, learning rate 0.05), with B_noise computed
# exactly from the per-example gradients every 100 steps.

# %%
optimiser_rate, train_batch = 0.05, 32


@tf.function
def sgd_steps(indices):
    for i in tf.range(tf.shape(indices)[0]):
        idx = indices[i]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(tf.gather(x, idx)) - tf.gather(y, idx)) ** 2)
        for variable, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
            variable.assign_sub(optimiser_rate * grad)


checkpoints, noise_scales, losses = [0], [noise_scale_init], [loss]
for chunk in range(4):
    sgd_steps(rng.integers(0, EXAMPLES, (100, train_batch)).astype("int32"))
    rows_t, loss_t = per_example_gradients()
    checkpoints.append(100 * (chunk + 1))
    noise_scales.append(noise_statistics(rows_t)[2])
    losses.append(loss_t)
print("B_noise:", np.round(noise_scales, 1), "loss:", np.round(losses, 3))

# %%
fig, (ax, ax_noise) = plt.subplots(1, 2, figsize=(11.5, 4.5))
ax.loglog(BATCH_SIZES, measured, "o", label=f"measured, mean of {DRAWS} minibatches")
ax.loglog(BATCH_SIZES, predicted, "-", label="tr(Σ)/B · (N − B)/(N − 1)")
ax.axhline(float(full @ full), color="gray", ls="--", label="‖G‖² (noise = signal at B = B_noise)")
ax.set_title(f"Minibatch gradient noise at initialisation (slope {slope:.2f})")
ax.set_xlabel("batch size B")
ax.set_ylabel("E‖g_B − G‖² (all kernels and biases)")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")
ax_noise.semilogy(checkpoints, noise_scales, "o-", label="B_noise = tr(Σ)/‖G‖²")
ax_noise.set_xlabel("SGD step (B = 32, lr 0.05)")
ax_noise.set_ylabel("gradient noise scale B_noise (log scale)")
ax_noise.set_title("Gradient noise scale during training")
twin = ax_noise.twinx()
twin.plot(checkpoints, losses, "s--", color="C1", label="training MSE")
twin.set_ylabel("training MSE")
ax_noise.legend(loc="center", fontsize=8, bbox_to_anchor=(0.55, 0.5))
twin.legend(loc="center", fontsize=8, bbox_to_anchor=(0.55, 0.38))
ax_noise.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
results = {
    "slope": slope,
    "measured_over_predicted_min": float((measured / predicted).min()),
    "measured_over_predicted_max": float((measured / predicted).max()),
    "trace_sigma": trace_sigma,
    "full_gradient_sq": float(full @ full),
    "noise_scale_init": noise_scale_init,
    "two_batch_estimate_init": estimate_init,
    "noise_scale_final": float(noise_scales[-1]),
    "loss_init": losses[0],
    "loss_final": losses[-1],
    "label_noise_variance": 0.09,
    "examples": EXAMPLES,
    "draws": DRAWS,
    "parameters": int(rows.shape[1]),
    "per_example_check": per_example_check,
}
print(results)
