"""
Title: Below what gradient Keras's Adam stops taking full-size steps
Description: Adam's step divided by the learning rate, against a constant gradient's magnitude, at steps 1, 10, 100, 1000 and 10000 of keras.optimizers.Adam with its default epsilon, on log axes; the step halves where the gradient equals epsilon / sqrt(1 − beta_2^t).
Accelerator: None
"""

# %% [markdown]
# Keras's `Adam.update_step` (keras/src/optimizers/adam.py) computes
# α_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ) and then θ ← θ − α_t · m / (√v + ε): ε is added to the root of the
# *uncorrected* v, Kingma & Ba's "ε̂". Written with the bias-corrected m̂ and v̂ of Kingma & Ba's
# Algorithm 1 that is θ ← θ − lr · m̂ / (√v̂ + ε / √(1 − β₂ᵗ)), so the ε that competes with the
# gradient's size is ε / √(1 − β₂ᵗ): about 3 × 10⁻⁶ at step 1 with the defaults, falling to ε late
# in training. Measured here with a gradient that is the same at every step, for which m̂ = g and
# √v̂ = |g|, so the step is lr · g / (g + ε_t) and halves where g = ε_t.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

LEARNING_RATE = 1e-3
CHECKPOINTS = (1, 10, 100, 1000, 10000)
gradient_sizes = np.logspace(-10, -3, 141)  # one parameter per gradient size

optimizer = keras.optimizers.Adam(learning_rate=LEARNING_RATE)  # Keras defaults otherwise
print(f"Keras Adam defaults: beta_1={optimizer.beta_1}, beta_2={optimizer.beta_2}, epsilon={optimizer.epsilon}")
parameters = keras.Variable(np.zeros_like(gradient_sizes, dtype="float32"))
gradient = tf.constant(gradient_sizes, dtype="float32")
optimizer.build([parameters])

# %% [markdown]
# Adam's state (m, v, the step count) does not depend on θ, so θ can be reset to 0 before a step
# of interest: afterwards it holds exactly minus that step.

# %%
@tf.function
def steps(count):
    for _ in tf.range(count):
        optimizer.apply([gradient], [parameters])


relative_step = {}
done = 0
for checkpoint in CHECKPOINTS:
    steps(tf.constant(checkpoint - 1 - done))
    parameters.assign(tf.zeros_like(parameters))
    optimizer.apply([gradient], [parameters])
    done = checkpoint
    relative_step[checkpoint] = -parameters.numpy().astype("float64") / LEARNING_RATE


def half_step_gradient(ratios):
    """The gradient size at which step / lr crosses 1/2, interpolated in log-log."""
    above = np.flatnonzero(ratios >= 0.5)[0]
    low, high = above - 1, above
    fraction = (0.5 - ratios[low]) / (ratios[high] - ratios[low])
    return float(10 ** (np.log10(gradient_sizes[low]) + fraction * np.log10(gradient_sizes[high] / gradient_sizes[low])))


half = {t: half_step_gradient(relative_step[t]) for t in CHECKPOINTS}
for t in CHECKPOINTS:
    print(f"step {t:5d}: step halves at |g| = {half[t]:.3g}; "
          f"ε/√(1 − β₂ᵗ) = {optimizer.epsilon / np.sqrt(1 - optimizer.beta_2 ** t):.3g}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
for t, colour in zip(CHECKPOINTS, ("C0", "C1", "C2", "C3", "C4")):
    ax.loglog(gradient_sizes, relative_step[t], color=colour, label=f"step {t}")
    ax.axvline(half[t], color=colour, linestyle=":", alpha=0.7)
ax.axvline(optimizer.epsilon, color="black", linestyle="--", label="ε = 1e-7")
ax.set_xlabel("|gradient|, the same at every step (log scale)")
ax.set_ylabel("|Adam step| / learning rate (log scale)")
ax.set_title("Keras Adam: the step halves where |g| = ε / √(1 − β₂ᵗ) (dotted)")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "epsilon": float(optimizer.epsilon),
    "beta_1": float(optimizer.beta_1),
    "beta_2": float(optimizer.beta_2),
    "half_step_gradient_step_1": half[1],
    "half_step_gradient_step_10": half[10],
    "half_step_gradient_step_100": half[100],
    "half_step_gradient_step_1000": half[1000],
    "half_step_gradient_step_10000": half[10000],
    **{f"epsilon_over_root_step_{t}": float(optimizer.epsilon / np.sqrt(1 - optimizer.beta_2**t)) for t in CHECKPOINTS},
    "large_gradient_step_over_rate_step_1": float(relative_step[1][-1]),
    "large_gradient_step_over_rate_step_10000": float(relative_step[10000][-1]),
}
print(results)
