"""
Title: A recurrent kernel with spectral radius below 1 whose backward products grow before they decay
Description: Largest amplification of the backward signal over k steps, ‖∂h_T/∂x_{T−k}‖₂, in a linear 2-unit SimpleRNN whose recurrent kernel is a rotated Jordan-like block of spectral radius 0.95, against a normal kernel with the same eigenvalues and the bounds ρᵏ and σ_maxᵏ, on a log scale.
Accelerator: None
"""

# %% [markdown]
# Pascanu, Mikolov & Bengio (2013) state their sufficient condition for vanishing with the
# largest singular value σ_max of the recurrent kernel, not its spectral radius ρ. The two agree
# for a normal matrix (an orthogonal or symmetric one scaled), but not in general: a non-normal
# kernel can have ρ < 1 and σ_max > 1. Then ‖Uᵏ‖ still tends to 0 (Gelfand: ‖Uᵏ‖^(1/k) → ρ),
# but only after growing for many steps.
#
# The kernel here is U = Q [[λ, a], [0, λ]] Qᵀ with λ = 0.95, a = 1 and Q a random rotation.
# Both eigenvalues are λ, so ρ(U) = 0.95. Its k-th power is Q [[λᵏ, kλᵏ⁻¹a], [0, λᵏ]] Qᵀ, and
# the rotation changes no norm, so theory predicts ‖Uᵏ‖₂ ≈ kλᵏ⁻¹a, largest near k = −1/ln λ ≈ 19.5.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

SEED = 0
keras.utils.set_random_seed(SEED)

EIGENVALUE, COUPLING, STEPS = 0.95, 1.0, 120

rng = np.random.default_rng(SEED)
angle = rng.uniform(0, 2 * np.pi)
rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
jordan_like = np.array([[EIGENVALUE, COUPLING], [0.0, EIGENVALUE]])
KERNELS = {
    "non-normal: Q [[λ, a], [0, λ]] Qᵀ": rotation @ jordan_like @ rotation.T,
    "normal: λ I (same eigenvalues)": EIGENVALUE * np.eye(2),
}
for name, kernel in KERNELS.items():
    print(f"{name:36s} ρ = {np.max(np.abs(np.linalg.eigvals(kernel))):.3f}, σ_max = {np.linalg.norm(kernel, 2):.3f}")

# %% [markdown]
# Each kernel goes into a linear 2-unit `SimpleRNN` whose input kernel is the identity, so
# h_T = Σₖ x_{T−k} Uᵏ (Keras multiplies row vectors: h_t = x_t W + h_{t−1} U). The tape's
# Jacobian ∂h_T/∂x_{T−k} is then exactly Uᵏ: its spectral norm is the most that k steps of
# backpropagation through time can amplify the backward signal of any loss that reads h_T.

# %%
x = tf.constant(rng.standard_normal((1, STEPS, 2)).astype("float32"))


def backward_amplification_by_lag(kernel):
    rnn = keras.layers.SimpleRNN(2, activation="linear", use_bias=False)
    rnn.build((None, STEPS, 2))
    rnn.set_weights([np.eye(2, dtype="float32"), kernel.astype("float32")])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        last_state = rnn(x)[0]
        units = [last_state[unit] for unit in range(2)]
    # one backward pass per unit of h_T gives the rows of ∂h_T/∂x_t: (unit of h_T, step, unit of x)
    jacobian = np.stack([tape.gradient(unit, x)[0].numpy().astype("float64") for unit in units])
    per_step = [np.linalg.norm(jacobian[:, step, :], 2) for step in range(STEPS)]
    return np.array(per_step[::-1])  # index = lag k: 0 is the last step


amplification = {name: backward_amplification_by_lag(kernel) for name, kernel in KERNELS.items()}
non_normal = amplification[next(iter(KERNELS))]
peak_lag = int(np.argmax(non_normal))
print(f"non-normal kernel: largest amplification {non_normal[peak_lag]:.2f} at lag {peak_lag}; "
      f"{non_normal[-1]:.3f} at lag {STEPS - 1}; lags above 1: {np.sum(non_normal > 1)}")

# %%
lags = np.arange(STEPS)
sigma_max = np.linalg.norm(KERNELS[next(iter(KERNELS))], 2)
fig, ax = plt.subplots(figsize=(7, 4.5))
for (name, values), colour in zip(amplification.items(), ("C3", "C0")):
    ax.semilogy(lags, values, color=colour, label=f"measured, {name}")
ax.semilogy(lags, EIGENVALUE**lags, ":", color="C0", label=f"ρᵏ = {EIGENVALUE}ᵏ")
ax.semilogy(lags[:12], sigma_max ** lags[:12], ":", color="C3", label=f"σ_maxᵏ = {sigma_max:.2f}ᵏ (upper bound)")
ax.axhline(1.0, color="grey", linewidth=0.8)
ax.set_xlabel("time lag k (steps back from the last input)")
ax.set_ylabel("largest backward-signal amplification ‖Uᵏ‖₂ (log scale)")
ax.set_title("Linear 2-unit SimpleRNN, ρ(U) = 0.95: backward-signal amplification grows first")
ax.legend(fontsize="small")
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "eigenvalue": EIGENVALUE,
    "coupling": COUPLING,
    "steps": STEPS,
    "spectral_radius": float(np.max(np.abs(np.linalg.eigvals(KERNELS[next(iter(KERNELS))])))),
    "largest_singular_value": float(sigma_max),
    "measured_first_step": float(non_normal[1]),
    "measured_peak": float(non_normal[peak_lag]),
    "measured_peak_lag": peak_lag,
    "measured_last": float(non_normal[-1]),
    "last_lag": STEPS - 1,
    "lags_above_one": int(np.sum(non_normal > 1)),
    "normal_peak_after_lag_0": float(amplification["normal: λ I (same eigenvalues)"][1:].max()),
}
print(results)
