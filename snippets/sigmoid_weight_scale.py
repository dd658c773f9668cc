"""
Title: Can a larger weight scale rescue a sigmoid network's backward signal?
Description: Mean-field backward factor χ, the measured per-layer backward-signal factor and the fraction of saturated units of a 10-layer sigmoid MLP of width 64, against the standard deviation of its weights, on log scales.
Accelerator: None
"""

# %% [markdown]
# Crossing a layer multiplies the backward signal's mean square by χ = n · σ_w² · E[σ′(z)²]
# (Poole et al. 2016; Schoenholz et al. 2017). σ′ ≤ ¼, so with Glorot's n · σ_w² = 1, χ ≤ 1/16.
# A larger σ_w raises n · σ_w², but it also spreads the pre-activations z over the flat parts of
# the sigmoid, where σ′ is tiny. Which wins? Ten sigmoid layers of 64 units, weights drawn from
# N(0, σ_w²) for eleven values of σ_w from Glorot's 1/8 (variance 2 / (64 + 64)) to 4, one batch.
# `probe_layers` (in `gradbook/signal_probe.py`) measures the backward signal ‖∂loss/∂h_l‖ at every
# layer's output and the activations' scale.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from gradbook.signal_probe import probe_layers

SEED = 0
keras.utils.set_random_seed(SEED)

DEPTH, WIDTH, BATCH = 10, 64, 256
SCALES = np.geomspace(1 / 8, 4, 11)  # σ_w; 1/8 is Glorot's variance 1/64 here, 1 is N(0, 1)
# A unit counts as saturated when σ′(z) is below 1 % of its peak ¼, i.e. |z| > 6: the same
# criterion as the saturation page's |z| > 3 for tanh, since tanh(x) = 2σ(2x) − 1.
SATURATED_BELOW = 0.01 * 0.25

rng = np.random.default_rng(SEED)
x = rng.standard_normal((BATCH, WIDTH)).astype("float32")
y = (x @ rng.standard_normal(WIDTH) > 0).astype("float32")[:, None]


def build_mlp(stddev):
    layers = [keras.Input((WIDTH,))]
    layers += [keras.layers.Dense(WIDTH, activation="sigmoid", kernel_initializer=keras.initializers.RandomNormal(stddev=stddev))
               for _ in range(DEPTH)]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


# %% [markdown]
# For each scale: χ_l from the measured weights and activations (σ′(z) = h(1 − h) with h the
# layer's output), the measured per-layer factor of the backward signal's square from layer 10
# back to layer 1, and the fraction of saturated units in layers 2 to 10 (those whose inputs
# are themselves sigmoid outputs).

# %%
def measure(stddev):
    model = build_mlp(stddev)
    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    hidden = model.layers[:DEPTH]
    outputs = [np.asarray(h, dtype=np.float64) for h in keras.Model(model.inputs[0], [l.output for l in hidden])(x)]
    derivatives = [h * (1 - h) for h in outputs[1:]]
    chi = [WIDTH * np.mean(np.square(np.asarray(layer.kernel, dtype=np.float64))) * np.mean(d**2)
           for layer, d in zip(hidden[1:], derivatives)]
    return {
        "chi": float(np.exp(np.mean(np.log(chi)))),
        "measured_chi": float((probe.backward_signal[0] / probe.backward_signal[-1]) ** (2 / (DEPTH - 1))),
        "saturated": float(np.mean([np.mean(d < SATURATED_BELOW) for d in derivatives])),
        "activation_rms": float(np.mean(probe.activation_rms[:-1])),
    }


measured = [measure(stddev) for stddev in SCALES]
for stddev, m in zip(SCALES, measured):
    print(f"σ_w = {stddev:5.3f}: mean-field χ {m['chi']:.3f}, measured {m['measured_chi']:.3f}, "
          f"saturated {m['saturated']:.1%}, activation rms {m['activation_rms']:.2f}")

# %% [markdown]
# Where does χ reach 1, the value that keeps the backward signal's size? Interpolate log χ
# against log σ_w, and read the saturated fraction at the same scale.

# %%
chi = np.array([m["chi"] for m in measured])
saturated = np.array([m["saturated"] for m in measured])
log_scale_at_one = float(np.interp(0.0, np.log(chi), np.log(SCALES)))  # χ grows with σ_w on this grid
scale_at_one = float(np.exp(log_scale_at_one))
saturated_at_one = float(np.interp(log_scale_at_one, np.log(SCALES), saturated))
print(f"χ = 1 at σ_w ≈ {scale_at_one:.2f}, where {saturated_at_one:.0%} of the units are saturated")

# %%
fig, (chi_ax, saturation_ax) = plt.subplots(1, 2, figsize=(11, 4.5))
chi_ax.loglog(SCALES, chi, marker="o", label="mean-field χ from the measured activations")
chi_ax.loglog(SCALES, [m["measured_chi"] for m in measured], marker="x", linestyle="--",
              label="measured: (‖∂loss/∂h₁‖ / ‖∂loss/∂h₁₀‖)^(2/9)")
chi_ax.axhline(1.0, color="grey", linestyle=":", label="χ = 1: backward signal kept")
chi_ax.axvline(1 / 8, color="black", linewidth=1, alpha=0.5, label="Glorot's σ_w = 1/8")
chi_ax.set_ylabel("backward factor per layer χ (log scale)")
chi_ax.set_title("Backward signal: factor per layer")
saturation_ax.semilogx(SCALES, 100 * saturated, marker="s", color="tab:red", label="units with σ′(z) < 1 % of ¼")
saturation_ax.axvline(scale_at_one, color="grey", linestyle=":", label=f"χ = 1 at σ_w ≈ {scale_at_one:.2f}")
saturation_ax.set_ylabel("saturated units, layers 2–10 (%)")
saturation_ax.set_title("Saturation")
for ax in (chi_ax, saturation_ax):
    ax.set_xticks([1 / 8, 1 / 4, 1 / 2, 1, 2, 4], labels=["1/8", "1/4", "1/2", "1", "2", "4"])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_xlabel("weight standard deviation σ_w (log scale)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3, which="both")
fig.suptitle(f"A {DEPTH}-layer sigmoid MLP of width {WIDTH}: larger weights raise χ by saturating units")
fig.tight_layout()

# %%
glorot, unit = measured[0], measured[int(np.argmin(np.abs(SCALES - 1.0)))]
results = {
    "width": WIDTH,
    "glorot_chi": glorot["chi"],
    "glorot_measured_chi": glorot["measured_chi"],
    "glorot_saturated": glorot["saturated"],
    "unit_chi": unit["chi"],
    "unit_measured_chi": unit["measured_chi"],
    "unit_saturated": unit["saturated"],
    "unit_activation_rms": unit["activation_rms"],
    "largest_chi": float(chi.max()),
    "scale_at_chi_one": scale_at_one,
    "saturated_at_chi_one": saturated_at_one,
    # The largest disagreement, as a factor, between mean-field χ and the measured factor.
    "worst_chi_disagreement": float(max(max(m["chi"] / m["measured_chi"], m["measured_chi"] / m["chi"]) for m in measured)),
}
print(results)
