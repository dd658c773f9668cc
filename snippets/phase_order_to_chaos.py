"""
Title: Order, chaos and the gradient depth scale of tanh networks
Description: Mean-field phase diagram of tanh networks over (σ_w², σ_b²) with the critical line χ₁ = 1, the backward signal ‖∂loss/∂h_l‖ per layer of three 24-layer Keras networks (ordered, critical, chaotic), and the measured per-layer growth of the backward signal against the mean-field prediction ½ ln χ₁.
Accelerator: None
"""

# %% [markdown]
# Mean-field theory of a wide tanh network with weights N(0, σ_w²/n) and biases N(0, σ_b²)
# (Poole et al. 2016; Schoenholz et al. 2017): the pre-activations' variance follows
# q ← σ_w² E[tanh(√q z)²] + σ_b², z ~ N(0, 1), to a fixed point q*, where one layer multiplies the
# backward signal's mean square by χ₁ = σ_w² E[tanh′(√q* z)²]. χ₁ < 1 is the ordered phase
# (gradients vanish toward the input), χ₁ > 1 the chaotic phase (they explode), and χ₁ = 1 the
# critical line. Expectations are Gauss–Hermite sums.

# %%
import math

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

WIDTH, DEPTH, BATCH = 128, 24, 32

nodes, weights = np.polynomial.hermite_e.hermegauss(101)
weights = weights / weights.sum()


def fixed_point(sw2, sb2, iterations=200):
    """q* and χ₁ for arrays of σ_w², σ_b² (broadcast)."""
    sw2, sb2 = np.broadcast_arrays(np.asarray(sw2, float), np.asarray(sb2, float))
    q = np.ones_like(sw2)
    for _ in range(iterations):
        q = sw2 * (np.tanh(np.sqrt(q)[..., None] * nodes) ** 2 @ weights) + sb2
    chi = sw2 * ((1 - np.tanh(np.sqrt(q)[..., None] * nodes) ** 2) ** 2 @ weights)
    return q, chi


def critical_sw2(sb2):
    """σ_w² with χ₁ = 1 at each σ_b², by bisection (χ₁ grows with σ_w²)."""
    low, high = np.full(np.shape(sb2), 0.5), np.full(np.shape(sb2), 8.0)
    for _ in range(40):
        middle = (low + high) / 2
        below = fixed_point(middle, sb2)[1] < 1
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return (low + high) / 2


# %%
sw2_axis, sb2_axis = np.linspace(0.25, 4.0, 61), np.linspace(0.0, 0.5, 41)
_, chi_grid = fixed_point(sw2_axis[None, :], sb2_axis[:, None])
line_sb2 = np.geomspace(1e-3, 0.5, 25)
line_sw2 = critical_sw2(line_sb2)
# σ_b² = 0 has q* = 0 for σ_w² ≤ 1 and χ₁ = σ_w²: the line starts at (1, 0).
line_sb2, line_sw2 = np.r_[0.0, line_sb2], np.r_[1.0, line_sw2]

# %% [markdown]
# Eight Keras networks on that plane: 24 `Dense` tanh layers of width 128 with
# `RandomNormal(stddev=σ_w/√128)` kernels and `RandomNormal(stddev=σ_b)` biases (Keras' defaults
# would be Glorot uniform and zeros), a linear readout, a batch of 32 inputs scaled so the first
# pre-activations start at q*, and a mean-squared-error loss on random targets. `probe_layers`
# measures the backward signal ‖∂loss/∂h_l‖ at every layer's output. Its least-squares slope in
# ln per layer, read from the top toward the input, is the measured growth rate; mean field
# predicts ½ ln χ₁, and a gradient depth scale ξ = −1/ln χ₁ over which the squared signal changes
# by a factor e.

# %%
SB2_ROW = 0.05
critical_row, critical_b03 = critical_sw2(np.array([SB2_ROW, 0.3]))
POINTS = [(0.5, SB2_ROW), (1.0, SB2_ROW), (1.5, SB2_ROW), (float(critical_row), SB2_ROW),
          (2.5, SB2_ROW), (4.0, SB2_ROW), (1.5, 0.3), (float(critical_b03), 0.3)]
rng = np.random.default_rng(SEED)


def backward_signal(sw2, sb2):
    q_star, _ = fixed_point(sw2, sb2)
    model = keras.Sequential([keras.Input((WIDTH,))] + [
        keras.layers.Dense(WIDTH, activation="tanh",
                           kernel_initializer=keras.initializers.RandomNormal(stddev=math.sqrt(sw2 / WIDTH)),
                           bias_initializer=keras.initializers.RandomNormal(stddev=math.sqrt(sb2)))
        for _ in range(DEPTH)] + [keras.layers.Dense(1)])
    # A layer's outputs tanh(h) have mean square (q* − σ_b²)/σ_w² at the fixed point: so does x.
    x = rng.standard_normal((BATCH, WIDTH)) * math.sqrt((float(q_star) - sb2) / sw2)
    y = rng.standard_normal((BATCH, 1))
    return probe_layers(model, x.astype("float32"), y.astype("float32"), keras.losses.MeanSquaredError()).backward_signal


layers = np.arange(1, DEPTH + 1)
measured = []
for sw2, sb2 in POINTS:
    signal = backward_signal(sw2, sb2)
    slope = np.polyfit(layers, np.log(signal), 1)[0]
    chi = float(fixed_point(sw2, sb2)[1])
    measured.append({"sw2": sw2, "sb2": sb2, "signal": signal, "rate": -slope, "predicted": 0.5 * math.log(chi), "chi": chi})
    print(f"sigma_w^2 {sw2:.3f} sigma_b^2 {sb2:.2f}: chi_1 {chi:.3f}, growth per layer toward the input "
          f"measured {-slope:+.3f}, mean field {0.5 * math.log(chi):+.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
norm = matplotlib.colors.TwoSlopeNorm(vmin=-1.5, vcenter=0.0, vmax=0.5)
image = axes[0].pcolormesh(sw2_axis, sb2_axis, np.log(chi_grid), cmap="RdBu_r", norm=norm, shading="auto")
fig.colorbar(image, ax=axes[0], label="ln χ₁ (mean field)")
axes[0].plot(line_sw2, line_sb2, "k-", lw=2, label="critical line χ₁ = 1")
axes[0].plot([m["sw2"] for m in measured], [m["sb2"] for m in measured], "ko", mfc="w", label="measured networks")
axes[0].text(0.5, 0.42, "ordered\n(vanishing)", fontsize=10)
axes[0].text(3.0, 0.08, "chaotic\n(exploding)", fontsize=10)
axes[0].set_xlabel("σ_w²  (weight variance × fan-in)")
axes[0].set_ylabel("σ_b²  (bias variance)")
axes[0].set_title("Phase diagram of tanh networks")
axes[0].legend(loc="upper right", fontsize=8)

for index, color in zip((0, 3, 5), ("C0", "k", "C3")):
    m = measured[index]
    axes[1].semilogy(layers, m["signal"] / m["signal"][-1], "o-", color=color, ms=3,
                     label=f"σ_w² = {m['sw2']:.2f}, χ₁ = {m['chi']:.2f}")
    axes[1].semilogy(layers, m["chi"] ** ((DEPTH - layers) / 2), ":", color=color)
axes[1].set_xlabel("layer l (1 = next to the input)")
axes[1].set_ylabel("backward signal ‖∂loss/∂h_l‖ / ‖∂loss/∂h_24‖")
axes[1].set_title(f"Backward signal, σ_b² = {SB2_ROW} (dotted: χ₁^((24−l)/2))")
axes[1].legend(fontsize=8)

row = [m for m in measured if m["sb2"] == SB2_ROW]
sw2_fine = np.linspace(0.4, 4.1, 80)
axes[2].plot(sw2_fine, 0.5 * np.log(fixed_point(sw2_fine, SB2_ROW)[1]), "-", color="C1", label=f"mean field ½ ln χ₁, σ_b² = {SB2_ROW}")
axes[2].plot(sw2_fine, 0.5 * np.log(fixed_point(sw2_fine, 0.3)[1]), "--", color="C2", label="mean field ½ ln χ₁, σ_b² = 0.3")
axes[2].plot([m["sw2"] for m in row], [m["rate"] for m in row], "o", color="C1", label=f"measured, σ_b² = {SB2_ROW}")
axes[2].plot([m["sw2"] for m in measured[6:]], [m["rate"] for m in measured[6:]], "s", color="C2", label="measured, σ_b² = 0.3")
axes[2].axhline(0, color="0.6", lw=1)
axes[2].set_xlabel("σ_w²")
axes[2].set_ylabel("ln growth of ‖∂loss/∂h_l‖ per layer toward the input")
axes[2].set_title("Per-layer backward growth: measured vs mean field")
axes[2].legend(fontsize=8)
for ax in axes[1:]:
    ax.grid(alpha=0.3, which="both")
fig.tight_layout()

# %%
names = ["ordered_0_5", "ordered_1_0", "ordered_1_5", "critical", "chaotic_2_5", "chaotic_4_0", "ordered_b03", "critical_b03"]
results = {"critical_sw2_at_sb2_0_05": float(POINTS[3][0]), "critical_sw2_at_sb2_0_3": float(POINTS[7][0])}
for name, m in zip(names, measured):
    results[f"{name}_chi"] = m["chi"]
    results[f"{name}_rate"] = float(m["rate"])
    results[f"{name}_predicted_rate"] = float(m["predicted"])
    results[f"{name}_first_over_last"] = float(m["signal"][0] / m["signal"][-1])
for name in ("ordered_0_5", "ordered_1_5"):
    results[f"{name}_depth_scale"] = -1 / math.log(results[f"{name}_chi"])
    results[f"{name}_measured_depth_scale"] = -1 / (2 * results[f"{name}_rate"])
print(results)
