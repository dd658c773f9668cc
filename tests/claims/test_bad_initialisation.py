"""Claims of docs/vanishing/bad-initialisation.md, checked across seeds against theory."""

import math

import numpy as np
import pytest

from tests.claims.mean_field import tanh_mean_field
from tests.conftest import CLAIM_SEEDS

SMALL_SIGMA = 0.01  # initialisation_scale: RandomNormal(stddev=0.01)
LARGE_SIGMA = 1.0  # RandomNormal(stddev=1.0)
DEPTH, WIDTH = 10, 64  # both snippets: 10 hidden layers of 64 units
# ∫σ′(z)² dz = ∫σ(1 − σ) dσ over (0, 1) = 1/2 − 1/3 = 1/6.
SIGMOID_PRIME_SQUARED_AREA = 1 / 6
SIGMOID_SATURATED_AT = 6.0  # σ′(z) < 1 % of ¼ beyond |z| ≈ 6, the snippet's criterion


def normal_tail(z: float) -> float:
    """P(|Z| > z) for a standard normal Z."""
    return math.erfc(z / math.sqrt(2))


def per_layer_band(degrees_of_freedom: float, layers: int = DEPTH - 1, sigmas: float = 3.0) -> float:
    """Finite-width spread of a geometric-mean per-layer factor of a backward signal's squared norm.

    Degrees of freedom: one layer multiplies a squared norm by Σᵢ φ′(zᵢ)²·(random projection)ᵢ²,
    whose relative variance is (3κ − 1)/n with κ = E[φ′⁴]/E[φ′²]², i.e. a χ² variable with
    2n/(3κ − 1) degrees of freedom: ≈ 0.95n for a sigmoid near 0 (κ ≈ 1.03), ≥ 0.75n for tanh with
    pre-activation variance ≤ 0.4 (κ ≤ 1.23), 0.4n for ReLU (κ = 2: relative variance 5/n).
    For saturated units κ is large; we then count only the units that pass a signal. Over `layers`
    independent layers the log of the geometric mean spreads by √(2/dof)/√layers (Hanin 2018).
    """
    return math.exp(sigmas * math.sqrt(2 / degrees_of_freedom) / math.sqrt(layers))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_small_weights_shrink_activations_by_sqrt_n_sigma_per_layer(published, seed):
    # Var_out = n·σ_w²·Var_in while tanh is in its linear regime (tanh′(0) = 1): each layer scales
    # the activation rms by √n·σ_w = √64 · 0.01 = 0.08. One layer's factor is the norm of a random
    # projection with 64 degrees of freedom, ±9 %; the geometric mean over 9 layers ±3 %: allow ±15 %.
    values = published("initialisation_scale", seed)
    predicted = math.sqrt(values["width"]) * SMALL_SIGMA
    assert values["small_rms_factor"] == pytest.approx(predicted, rel=0.15)
    # Layer 1 sees x ~ N(0, 1) directly: rms ≈ 0.08 within the same ±9 % (×3 for 3σ is ±27 %).
    assert values["small_rms_first"] == pytest.approx(predicted, rel=0.27)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_small_weights_shrink_the_backward_signal_by_the_same_factor(published, seed):
    # Backward, χ = n·σ_w²·E[tanh′²] with tanh′ ≈ 1 at these tiny pre-activations: the signal's norm
    # shrinks by √χ = 0.08 per layer, like the activations, within the same ±15 %.
    values = published("initialisation_scale", seed)
    assert values["small_signal_factor"] == pytest.approx(math.sqrt(values["width"]) * SMALL_SIGMA, rel=0.15)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_small_weights_make_every_layer_gradient_tiny_and_equal(published, seed):
    # ∂L/∂W_k = a_{k−1}ᵀ δ_k: a_{k−1} has shrunk by 0.08^(k−1) on the way forward and δ_k by
    # 0.08^(L−k) on the way back, so every kernel gradient carries 0.08^(L−1) = 0.08⁹ ≈ 1.3e-10 of
    # the Glorot network's (whose factors are ≈ 1, within 10× either way). With the per-layer ±15 %
    # above over 9 layers, 1.15⁹ ≈ 3.5: the ratio lies within 0.08⁹/35 … 0.08⁹·35.
    values = published("initialisation_scale", seed)
    predicted = 0.08**9
    assert predicted / 35 <= values["small_over_glorot_first"] <= predicted * 35
    # Every layer shares the same power 0.08⁹; they differ only by each layer's random factors: the
    # largest and smallest of ten norms lie within 1.15⁹ ≈ 3.5 of each other.
    assert 1 <= values["small_grad_spread"] <= 3.5
    assert values["small_grad_largest"] / values["small_grad_first"] <= 3.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_saturate_every_layer(published, seed):
    # Pre-activations have std s ≈ √64 · 1 · rms(a) ≈ 8, so |tanh(z)| ≈ 1 for most units and the
    # activation rms is √E[tanh²(z)] ≈ √(1 − 2φ(0)·(4/3)/s) ≈ 0.93 (E[sech²(z)] ≈ ∫sech² · φ(0)/s with
    # ∫sech² = 2, and s ≥ 8 · 0.8 in layers 2–10). Layer 1 sees x (rms 1) and is just as saturated.
    # Assert between 0.85 and 1 (a tanh output cannot exceed 1).
    assert 0.85 <= published("initialisation_scale", seed)["large_rms_smallest"] <= 1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_make_the_backward_signal_grow_by_chi(published, seed):
    # Backward, each layer multiplies E‖δ‖² by χ = n·σ_w²·E[tanh′(z)²] (Schoenholz et al. 2017).
    # With z ~ N(0, s²), s ≈ 8·0.95, E[sech⁴(z)] ≈ (4/3)·φ(0)/s ≈ 0.07, so χ ≈ 64 · 0.07 ≈ 4.5;
    # allow ±30 % for s varying with the layer and the flat-density approximation.
    values = published("initialisation_scale", seed)
    assert values["large_chi"] == pytest.approx(4.5, rel=0.3)
    # The measured per-layer factor of the squared signal matches χ within the finite-width band;
    # only the unsaturated units pass the signal, ≈ 30 % of 64 (|z| < 3 for z ~ N(0, 7.6²)).
    band = per_layer_band(0.3 * WIDTH)
    assert 1 / band <= values["large_measured_chi"] / values["large_chi"] <= band
    # So the norm grows ≈ √4.5 ≈ 2.1× per layer toward the input: χ^4.5 over 9 layers.
    predicted = values["large_chi"] ** 4.5
    assert predicted / band**4.5 <= values["large_signal_ratio"] <= predicted * band**4.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_large_weights_kernel_gradients_grow_like_the_signal(published, seed):
    # In a saturated network every layer's input has rms ≈ 0.93–1 (x itself for layer 1), so the
    # kernel gradients a_{k−1}ᵀδ_k follow the signal at the pre-activation: the kernel ratio equals
    # the signal ratio up to the tanh′ of the two layers and the batch rows' alignment (10× margin).
    values = published("initialisation_scale", seed)
    assert 0.1 <= values["large_ratio"] / values["large_signal_ratio"] <= 10
    # And the largest kernel gradient dwarfs the Glorot network's, whose χ is ≈ 0.8: by ≈ χ_large^4.5
    # ≈ 900 up to the same factor 10 and the two networks' different top layers (another 10).
    assert values["large_grad_first"] / values["glorot_grad_first"] >= values["large_chi"] ** 4.5 / 100


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_tanh_chi_is_below_one_and_the_signal_ratio_follows(published, seed):
    # Glorot & Bengio (2010): n·Var(w) = 1, so χ = E[tanh′(z)²] < 1, close to 1 only where the
    # pre-activations are small. The mean-field recursion gives χ for layers 2–10 (their
    # pre-activation variances 0.39 … 0.06), geometric mean ≈ 0.81. Finite width (64) corrects the
    # variances by O(1/n) per layer: allow ±10 %.
    values = published("initialisation_scale", seed)
    _, chis = tanh_mean_field(DEPTH)
    predicted_chi = math.exp(np.mean(np.log(chis[1:])))
    assert values["glorot_chi"] == pytest.approx(predicted_chi, rel=0.1)
    # The backward signal's first/last ratio is χ^4.5 within the finite-width band over 9 layers.
    band = per_layer_band(WIDTH * 0.75) ** 4.5
    predicted = values["glorot_chi"] ** 4.5
    assert predicted / band <= values["glorot_signal_ratio"] <= predicted * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_tanh_activations_shrink_slowly(published, seed):
    # Forward, n·σ_w² = 1 and tanh²(z) < z² for z ≠ 0: the mean square follows the recursion, rms
    # ≈ 0.63 after one layer and ≈ 0.23 after ten (decaying like 1/√(2k)). ±20 % for finite width.
    values = published("initialisation_scale", seed)
    mean_squares, _ = tanh_mean_field(DEPTH)
    assert values["glorot_rms_first"] == pytest.approx(math.sqrt(mean_squares[0]), rel=0.2)
    assert values["glorot_rms_last"] == pytest.approx(math.sqrt(mean_squares[-1]), rel=0.2)
    # Kernel gradients: the first layer's input x has rms 1, the last layer's ≈ 0.23, which offsets
    # the signal's loss χ^4.5 ≈ 0.39: the kernel ratio ≈ 0.39/0.23 ≈ 1.7, within 10× for tanh′ and the
    # batch rows' alignment. This is why the kernel ratio looks healthier than the backward signal.
    assert values["glorot_signal_ratio"] < values["glorot_ratio"] <= 10 * values["glorot_signal_ratio"] / 0.23


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_glorot_sigmoid_chi_is_a_sixteenth_at_most(published, seed):
    # χ = n·Var(w)·E[σ′²] with n·Var(w) = 1 (σ_w = 1/8 at width 64; the empirical mean square of 4096
    # normal draws is within 1 ± 0.09 at 4σ) and σ′ ≤ ¼: χ ≤ 1.09/16. From below, h ∈ (0, 1), so the
    # pre-activation variance is < 1.09 and E[σ′(z)²] ≥ 0.04. No unit is saturated: |z| > 6 would be
    # an 11σ event.
    values = published("sigmoid_weight_scale", seed)
    assert 0.04 <= values["glorot_chi"] <= 1.09 / 16
    assert values["glorot_saturated"] <= 1e-4
    # The measured per-layer factor of the squared backward signal matches it within the band.
    band = per_layer_band(WIDTH * 0.95)
    assert 1 / band <= values["glorot_measured_chi"] / values["glorot_chi"] <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unit_normal_weights_raise_sigmoid_chi_by_saturating(published, seed):
    # With N(0, 1) weights, z has std s = √n·σ_w·rms(h) ≈ 8 · rms(h). For s ≫ 1 the density of z is
    # flat, 1/(s√(2π)), over the bump of σ′², whose area is 1/6, so χ = n·σ_w²·E[σ′²] ≈
    # n/(6√(2π)·s) (corrections of order 1/s², a few %; allow ±25 % for z not being exactly normal).
    values = published("sigmoid_weight_scale", seed)
    s = math.sqrt(values["width"]) * LARGE_SIGMA * values["unit_activation_rms"]
    predicted_chi = values["width"] * SIGMOID_PRIME_SQUARED_AREA / (math.sqrt(2 * math.pi) * s)
    assert values["unit_chi"] == pytest.approx(predicted_chi, rel=0.25)
    # The measured factor agrees within the finite-width band of the unsaturated units (≥ half of 64).
    band = per_layer_band(WIDTH / 2)
    assert 1 / band <= values["unit_measured_chi"] / values["unit_chi"] <= band
    # The price: the fraction beyond |z| = 6 is P(|Z| > 6/s) ≈ P(|Z| > 1.2) ≈ 0.24. Within 0.1.
    assert values["unit_saturated"] == pytest.approx(normal_tail(SIGMOID_SATURATED_AT / s), abs=0.1)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_chi_reaches_one_only_with_many_units_saturated(published, seed):
    # Setting the flat-density χ ≈ √n·σ_w/(6√(2π)·rms(h)) to 1 gives σ_w ≈ 15·rms(h)/8, and with the
    # rms of saturating sigmoid outputs between 0.6 and 0.7, σ_w between 1.1 and 1.35 (allow 1.0–1.5).
    # There s = 8·σ_w·rms(h) ≈ 15·rms(h)² ∈ [5.4, 7.4], so P(|Z| > 6/s) ∈ [0.27, 0.42] (allow 0.2–0.5).
    values = published("sigmoid_weight_scale", seed)
    assert 1.0 <= values["scale_at_chi_one"] <= 1.5
    assert 0.2 <= values["saturated_at_chi_one"] <= 0.5
    # Past that the sigmoid network explodes instead: at σ_w = 4 the same formula gives χ ≈ 2.7–3.6.
    assert 2 <= values["largest_chi"] <= 4.5
    # At every scale, mean-field χ and the measured factor agree within the band of 16 active units.
    assert 1 <= values["worst_chi_disagreement"] <= per_layer_band(16)
