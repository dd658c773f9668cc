"""Claims of docs/explore.md: the explorer's executed grid against mean-field theory and the site's pages.

snippets/explore_grid.py runs every configuration with seeds 0, 1 and 2 inside one run and publishes
them as `site_data` (the page's data file). The tests read the run published with SEED = 0 and check
each stored seed. Values are stored as log10 in steps of `log_step`, each layer as the difference
from the previous finite layer; None marks what float32 could not hold.

Finite width: one layer multiplies a squared norm by a χ²-like factor with 2n/(3κ − 1) degrees of
freedom, κ = E[φ′⁴]/E[φ′²]² (tests/claims/finite_width.py). Over L layers the log of a norm spreads
by ½·√(2/dof)·√L (three of them allowed) and, since E[ln X] < ln E[X], sits below the mean field's
log by about L/(2·dof) (ln(1 + ε) ≈ ε − ε²/2 with Var ε = 2/dof, halved for a norm): bounds
widen by that on the low side.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from tests.claims.finite_width import fluctuation_band
from tests.claims.mean_field import tanh_mean_field

SEED_INDICES = (0, 1, 2)  # the seeds the grid runs, in the order it stores them
WIDTH = 64
# Each stored log10 is rounded to half of the snippet's step of 0.05 decade, so a ratio of two stored
# values (a difference of logs) is off by at most one step: 0.05·ln 10 in the natural log.
ROUNDING = 0.05 * math.log(10)


def stored_grid(published):
    """The grid the build published (one run holds seeds 0, 1 and 2), read through `published` so
    that the falsifiability check's corrupted values reach every test below."""
    return published("explore_grid", 0)["site_data"]


def log_values(grid, key, quantity, seed_index):
    """log10 of one seed's per-layer values; NaN where float32 could not hold the value."""
    previous, out = 0.0, []
    for delta in grid["runs"][key][quantity][seed_index]:
        if delta is None:
            out.append(math.nan)
            continue
        previous += delta
        out.append(previous * grid["log_step"])
    return np.array(out)


def log_ratio(grid, key, seed_index):
    """ln of the backward signal at layer 1 over the last layer."""
    signal = log_values(grid, key, "signal", seed_index)
    return (signal[0] - signal[-1]) * math.log(10)


# --- The theory, computed here independently of the snippet (numpy, a fine grid over z) ------------------


def _expectations(activation, q):
    """E[φ], E[φ²], E[φ′²], E[φ′⁴] at √q z, z ~ N(0, 1)."""
    phi, dphi = ACTIVATIONS[activation]
    z = np.linspace(-12, 12, 240_000)  # spacing 1e-4, resolves φ′(√q z) up to √q ≈ 10³; no node at 0
    weights = np.exp(-z**2 / 2)
    weights /= weights.sum()
    u = math.sqrt(q) * z
    value, slope = phi(u), dphi(u)
    return tuple(float(np.sum(weights * f)) for f in (value, value**2, slope**2, slope**4))


@functools.lru_cache
def mean_field(activation, gain, layers):
    """χ_l = gain·E[φ′(√q_l z)²] and κ_l = E[φ′⁴]/E[φ′²]², with q_l = gain·E[h_{l−1}²], E[x²] = 1."""
    mean_square, chis, kappas = 1.0, [], []
    for _ in range(layers):
        _, mean_square_next, d2, d4 = _expectations(activation, gain * mean_square)
        chis.append(gain * d2)
        kappas.append(d4 / d2**2)
        mean_square = mean_square_next
    return np.array(chis), np.array(kappas)


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda u: sigmoid(u) * (1 - sigmoid(u))),
    "tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
    "relu": (lambda u: np.maximum(u, 0), lambda u: (u > 0).astype(float)),
}
GAINS = {"glorot_uniform": 1.0, "he_normal": 2.0, "standard_normal": float(WIDTH)}  # n · Var(w)


def finite_width_interval(kappas, seeds=1, sigmas=3.0):
    """(low, high) offsets of ln(norm ratio) around the mean field over len(kappas) layers, widened by the
    stored values' rounding; the spread of a mean over `seeds` networks shrinks by √seeds, the bias does not."""
    dof = 2 * WIDTH / (3 * float(np.max(kappas)) - 1)  # the worst layer for all: a wider band
    spread = math.log(fluctuation_band(dof, len(kappas), sigmas)) / math.sqrt(seeds)
    return -spread - len(kappas) / (2 * dof) - ROUNDING, spread + ROUNDING


# --- The mean field where it applies: no normalisation, no skips ----------------------------------------


@pytest.mark.parametrize("activation, init", [("sigmoid", "glorot_uniform"), ("tanh", "standard_normal"),
                                              ("relu", "he_normal")])
def test_the_stored_chi_is_the_mean_field_value(published, activation, init):
    grid = stored_grid(published)
    # The explorer draws √χ per layer from the stored χ: it must be the mean field's, here recomputed on a
    # grid fine enough to be exact to < 0.1 %; 1 % covers the stored 4 significant digits.
    chis, _ = mean_field(activation, GAINS[init], 50)
    stored = np.array(grid["mean_field"][f"{activation}/{init}"]["chi"])
    assert np.allclose(stored, chis, rtol=0.01)


def test_the_stored_tanh_chi_matches_the_shared_recursion(published):
    grid = stored_grid(published)
    # tests/claims/mean_field.py runs the same recursion for tanh at n·Var(w) = 1 by Gauss–Hermite
    # quadrature, exact there (q ≤ 1, a smooth integrand).
    _, chis = tanh_mean_field(50)
    assert np.allclose(grid["mean_field"]["tanh/glorot_uniform"]["chi"], chis, rtol=0.01)


@pytest.mark.parametrize("depth", (20, 50))
@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_sigmoid_glorot_backward_signal_shrinks_by_root_chi_per_layer(published, depth, seed_index):
    grid = stored_grid(published)
    # Between layer l and the last layer L the mean field multiplies the norm by Π_{k=l+1..L} √χ_k, with
    # χ ≈ 0.056 per layer here (σ′ ≤ ¼): about 10^−12 over 20 layers, 10^−31 over 50. Checked at every l,
    # with the finite-width band of the L − l layers in between (κ ≈ 1.03, dof ≈ 61); four standard
    # deviations rather than three, since up to 49 correlated checks per network would otherwise raise
    # false alarms (one layer below the readout the signal is a single direction, w_out, the worst case).
    chis, kappas = mean_field("sigmoid", 1.0, depth)
    signal = log_values(grid, f"sigmoid/glorot_uniform/{depth}/none/off", "signal", seed_index) * math.log(10)
    for l in range(depth - 1):
        predicted = 0.5 * float(np.sum(np.log(chis[l + 1:])))
        low, high = finite_width_interval(kappas[l + 1:], sigmas=4.0)
        assert predicted + low <= signal[l] - signal[-1] <= predicted + high, l


@pytest.mark.parametrize("depth", (20, 50))
@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_relu_he_backward_signal_is_flat_on_average(published, depth, seed_index):
    grid = stored_grid(published)
    # He et al. (2015): n·(2/n)·E[relu′²] = 2·½ = 1, so the mean field is flat. ReLU's κ = 2 (dof = 2n/5
    # ≈ 26) gives the widest finite-width band of the three: over 49 layers, within about 10^±1.3,
    # biased down by ≈ 0.4 decade (Hanin 2018: the log-norm drifts and spreads with depth/width).
    chis, kappas = mean_field("relu", 2.0, depth)
    assert np.allclose(chis, 1.0, atol=1e-6)
    low, high = finite_width_interval(kappas[1:])
    assert low <= log_ratio(grid, f"relu/he_normal/{depth}/none/off", seed_index) <= high


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_relu_he_forward_signal_keeps_its_scale(published, seed_index):
    grid = stored_grid(published)
    # Forward, E[h_l²] = q_l/2 with q_l = 2·E[h_{l−1}²]: the mean square stays at E[x²] = 1. A layer
    # multiplies ‖h‖² by Σᵢ relu(zᵢ)², whose relative variance is 5/n (the same dof as backward), so the
    # rms after l layers lies in the band of l layers around 1: checked at every layer, four standard
    # deviations for 50 correlated checks.
    _, kappas = mean_field("relu", 2.0, 50)
    rms = log_values(grid, "relu/he_normal/50/none/off", "rms", seed_index) * math.log(10)
    for l in range(50):
        low, high = finite_width_interval(kappas[:l + 1], sigmas=4.0)
        assert low <= rms[l] <= high, l


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_tanh_with_standard_normal_weights_is_chaotic_and_the_signal_grows(published, seed_index):
    grid = stored_grid(published)
    # n·Var(w) = 64: q ≈ 60, tanh saturates, yet χ = 64·E[tanh′²] ≈ 4 > 1 at every layer (Poole et al.
    # 2016: the chaotic phase), so the backward signal grows toward the input, ≈ 10^6 over 20 layers.
    # Few units sit in tanh's linear region, so κ is large (≈ 10) and the band wide (±2 decades), but its
    # lower edge is still far above 1.
    chis, kappas = mean_field("tanh", float(WIDTH), 20)
    assert min(grid["mean_field"]["tanh/standard_normal"]["chi"][:20]) > 1
    predicted = 0.5 * float(np.sum(np.log(chis[1:])))
    low, high = finite_width_interval(kappas[1:])
    measured = log_ratio(grid, "tanh/standard_normal/20/none/off", seed_index)
    assert predicted + low <= measured <= predicted + high
    assert predicted + low > math.log(100)


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_tanh_with_standard_normal_weights_saturates(published, seed_index):
    grid = stored_grid(published)
    # The page: the activations saturate at ±1. Mean field: rms = √E[tanh(√q z)²] ≈ 0.94 at q ≈ 60. Over
    # the 64 units of one example the mean square's relative sd is sd(tanh²)/E[tanh²]/√64 ≈ 0.025 (tanh² is
    # mostly ≈ 1): three of them are 7.5 % in the mean square, under 4 % in the rms.
    mean_square = 1.0
    for _ in range(20):
        mean_square = _expectations("tanh", WIDTH * mean_square)[1]
    rms_last = 10 ** log_values(grid, "tanh/standard_normal/20/none/off", "rms", seed_index)[-1]
    assert rms_last == pytest.approx(math.sqrt(mean_square), rel=0.04 + 0.06)  # + rounding: 10^0.025 ≈ 1.06


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_small_init_sigmoid_backward_signal_underflows_float32(published, seed_index):
    grid = stored_grid(published)
    # The page: RandomNormal(stddev=0.05) loses so much per layer that float32 rounds the first layers'
    # backward signal to 0. n·Var(w) = 0.16 and σ′ ≤ ¼ give χ ≤ 0.01, a factor ≤ 0.1 per layer: over 49
    # layers ≤ 10⁻⁴⁹ of the last layer's (≈ 10⁻², the readout's), far below float32's smallest value,
    # 1.4e-45 (TensorFlow may flush values below 1.2e-38 to 0). So layer 1 holds no value. The layer
    # nearest the input that still holds one is above that limit, and its 64 × 64 entries are at most
    # ~100× the flush limit (one more layer, a factor ≤ 0.1 on average, ×10 for the spread over
    # entries, rounds them all to 0): a norm ≤ √4096 · 100 · 1.2e-38 ≈ 7.7e-35.
    signal = log_values(grid, "sigmoid/random_normal/50/none/off", "signal", seed_index)
    assert math.isnan(signal[0])
    first_finite = signal[~np.isnan(signal)][0]
    assert math.log10(1.4e-45) - 0.1 <= first_finite <= math.log10(64 * 100 * 1.2e-38)


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_batchnorm_with_skips_grows_far_less(published, seed_index):
    grid = stored_grid(published)
    # h ← h + relu(BN(W h)): each branch adds a unit of batch variance Var relu(y) = ½ − 1/(2π) ≈ 0.34 to
    # the stream (x's is 1), and BN divides the branch's backward signal by the stream's batch std, so the
    # squared norm grows by 1 + E[relu′²]/V_{l−1} = 1 + ½/(1 + 0.34(l − 1)) per block: ≈ 6.5 over 50
    # blocks, against ≈ 10⁴ without skips. Finite width: the cross term (sd 2√(c_l/n) per block) and the
    # branch's own spread give a ln spread ≲ 0.3; three of them, and −0.06 for BN's projection (2 of 64).
    growth = 0.5 * sum(math.log(1 + 0.5 / (1 + (0.5 - 1 / (2 * math.pi)) * (l - 1))) for l in range(2, 51))
    measured = log_ratio(grid, "relu/he_normal/50/batch/on", seed_index)
    assert growth - 0.9 - 0.06 - ROUNDING <= measured <= growth + 0.9 + ROUNDING
    assert log_ratio(grid, "relu/he_normal/50/batch/off", seed_index) > measured + math.log(100)


# --- Skip connections and normalisation: the site's pages ---------------------------------------------


@pytest.mark.parametrize("depth", (20, 50))
@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_skip_connections_keep_the_sigmoid_backward_signal_of_order_one(published, depth, seed_index):
    grid = stored_grid(published)
    # Residual page: a block's Jacobian is I + J with J = diag(σ′)W, so the squared norm grows by
    # 1 + E[σ′²] ∈ [1, 17/16] per block on average: 1 ≤ ratio ≤ (17/16)^((L−1)/2), about 4.4 at L = 50.
    # The cross term 2gᵀJᵀg/‖g‖² has mean 0 and sd ≤ 2·¼/√64 = 1/16 per block: ln spread ≤ √(L−1)/32,
    # three of them allowed.
    spread = 3 * math.sqrt(depth - 1) / 32 + ROUNDING
    measured = log_ratio(grid, f"sigmoid/glorot_uniform/{depth}/none/on", seed_index)
    assert -spread <= measured <= (depth - 1) / 2 * math.log(17 / 16) + spread


@pytest.mark.parametrize("activation, exact", [("relu", math.sqrt(math.pi / (math.pi - 1))), ("tanh", None),
                                               ("sigmoid", None)])
@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_batchnorm_without_skips_grows_by_the_normalisation_pages_factor(published, activation, exact, seed_index):
    grid = stored_grid(published)
    # Normalisation page: BN before φ multiplies the squared backward signal by E[φ′(y)²]/Var φ(y),
    # y ~ N(0, 1), per layer (ReLU: π/(π − 1); Yang et al. 2019), whatever the weights' scale. The
    # per-layer geometric mean over 49 layers: finite width moves its log by 3·½·√(2/26)/√49 ≈ 0.06
    # (ReLU's dof, the widest) and biases it by −1/(2·26) ≈ −0.02; the batch of 64 costs 2 of its 64
    # dimensions to BN's projection, ≈ −0.016 per layer in the log of the norm.
    mean, mean_square, d2, _ = _expectations(activation, 1.0)
    predicted = 0.5 * math.log(d2 / (mean_square - mean**2))
    if exact is not None:
        assert predicted == pytest.approx(math.log(exact), rel=0.01)
    stored = math.log(grid["batchnorm_factor"][activation])
    assert stored == pytest.approx(predicted, abs=0.003)
    for init in ("glorot_uniform", "he_normal", "standard_normal"):
        per_layer = log_ratio(grid, f"{activation}/{init}/50/batch/off", seed_index) / 49
        margin = 0.06 + ROUNDING / 49
        assert predicted - margin - 0.02 - 0.016 <= per_layer <= predicted + margin, init


@pytest.mark.parametrize("seed_index", SEED_INDICES)
def test_layernorm_sigmoid_backward_signal_still_vanishes(published, seed_index):
    grid = stored_grid(published)
    # Normalisation page (same layers: Glorot, LN before each sigmoid, width 64): LN divides by a spread
    # in [0.3, 0.8] against E[σ′] ≈ 0.21, a factor in [0.25, 0.6] per layer: over 19 layers
    # 0.25¹⁹ ≈ 3.6e-12 ≤ ratio ≤ 0.6¹⁹ ≈ 6.1e-5.
    measured = log_ratio(grid, "sigmoid/glorot_uniform/20/layer/off", seed_index)
    assert 19 * math.log(0.25) - ROUNDING <= measured <= 19 * math.log(0.6) + ROUNDING


# --- The page's numbers ----------------------------------------------------------------------------


def test_the_stacked_pass_reproduces_the_keras_models(published):
    # Same weights, same inputs, same float32 operations in another order (batched matmuls): a few ulps
    # (6e-8 each) per operation, over 20 layers of a few operations with gains ≤ 1 (χ < 1 here): relative
    # differences ≲ 20·4·6e-8 ≈ 5e-6, i.e. ≲ 2e-6 decades. 1e-5 decades allows five times that.
    assert 0 < published("explore_grid", 0)["keras_deviation_decades"] < 1e-5


def test_the_page_sigmoid_example_matches_its_prediction(published):
    # The page quotes the 20-layer sigmoid network's first/last ratio and the mean field's. Its
    # geometric mean over three seeds lies in the band of one (above), narrowed by √3 for the average.
    values = published("explore_grid", 0)
    chis, kappas = mean_field("sigmoid", 1.0, 20)
    assert values["sigmoid_20_predicted_ratio"] == pytest.approx(math.exp(0.5 * np.sum(np.log(chis[1:]))), rel=0.01)
    low, high = finite_width_interval(kappas[1:], seeds=3)
    measured = math.log(values["sigmoid_20_signal_ratio"] / values["sigmoid_20_predicted_ratio"])
    assert low <= measured <= high
    assert values["sigmoid_root_chi_layer_10"] == pytest.approx(math.sqrt(chis[9]), rel=0.01)
