"""
Title: Spectral radius decides whether a repeated Jacobian shrinks or grows a vector
Description: Norm of a vector multiplied 50 times by the same random 64 × 64 matrix, for matrices of spectral radius about 0.8, 1.0 and 1.2, on a log scale.
Accelerator: None
"""

# %% [markdown]
# A recurrent network back-propagates through the same weight matrix at every time step, so
# the gradient after k steps is, in the linear case, Wᵀ applied k times. Over many steps the
# spectral radius ρ(W), the largest |eigenvalue|, sets the rate (Gelfand: ‖Wᵏ‖^(1/k) → ρ);
# a single step can stretch a vector by up to the largest singular value σ_max ≥ ρ.
# A random n × n matrix with entries of variance g²/n has ρ ≈ g (the circular law) but
# σ_max ≈ 2g (its squared singular values follow the Marchenko–Pastur law on [0, 4g²]).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
keras.utils.set_random_seed(SEED)

N, STEPS = 64, 50
GAINS = (0.8, 1.0, 1.2)
rng = np.random.default_rng(SEED)
start = rng.standard_normal(N)


def random_matrix(gain):
    initializer = keras.initializers.RandomNormal(stddev=gain / np.sqrt(N), seed=int(rng.integers(2**31)))
    return np.asarray(initializer((N, N)), dtype=np.float64)


# %%
radius, largest_singular, norms = {}, {}, {}
for gain in GAINS:
    matrix = random_matrix(gain)
    radius[gain] = float(np.max(np.abs(np.linalg.eigvals(matrix))))
    largest_singular[gain] = float(np.linalg.norm(matrix, 2))
    vector, path = start.copy(), [1.0]
    for _ in range(STEPS):
        vector = matrix.T @ vector
        path.append(float(np.linalg.norm(vector) / np.linalg.norm(start)))
    norms[gain] = np.array(path)
    print(f"gain {gain}: spectral radius {radius[gain]:.3f}, σ_max {largest_singular[gain]:.3f}, norm after {STEPS} steps {norms[gain][-1]:.2e}")

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
steps = np.arange(STEPS + 1)
for gain, marker in zip(GAINS, "vo^"):
    ax.semilogy(steps, norms[gain], marker=marker, markevery=5, label=f"entries of variance {gain}²/{N}: ρ(W) = {radius[gain]:.2f}")
ax.set_xlabel("number of multiplications by Wᵀ (time steps back)")
ax.set_ylabel("‖(Wᵀ)ᵏ v‖ / ‖v‖ (log scale)")
ax.set_title(f"Repeated multiplication by one random {N} × {N} matrix")
ax.legend()
ax.grid(alpha=0.3, which="both")

# %%
results = {
    "radius_gain_0_8": radius[0.8],
    "radius_gain_1_0": radius[1.0],
    "radius_gain_1_2": radius[1.2],
    "largest_singular_value_gain_0_8": largest_singular[0.8],
    "norm_after_50_gain_0_8": float(norms[0.8][-1]),
    "norm_after_50_gain_1_0": float(norms[1.0][-1]),
    "norm_after_50_gain_1_2": float(norms[1.2][-1]),
    # Gelfand's formula: the k-th root of the growth tends to ρ(W) as k grows.
    "rate_over_radius_gain_0_8": float(norms[0.8][-1] ** (1 / STEPS) / radius[0.8]),
    "rate_over_radius_gain_1_2": float(norms[1.2][-1] ** (1 / STEPS) / radius[1.2]),
}
print(results)
