"""Claims of docs/remedies/initialisation.md, checked across seeds against theory."""

import math

import pytest

from tests.claims.finite_width import fluctuation_band
from tests.claims.mean_field import tanh_mean_field
from tests.conftest import CLAIM_SEEDS

SAMPLED_INITIALISERS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal"]
DRAWS = 256 * 128  # initialiser_kernel_variance: one 256 × 128 kernel each
DEPTH, WIDTH = 20, 256  # initialiser_depth_variance


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("initialiser", SAMPLED_INITIALISERS)
def test_kernel_variance_matches_theory_within_sampling_error(published, seed, initialiser):
    # The sample variance of N = 32768 i.i.d. draws has relative standard error √(2/N) ≈ 0.78 % for
    # normal draws, less for uniform (√(0.8/N) ≈ 0.49 %) or truncated normal ones. Five standard errors
    # of the normal case, 3.9 %, would still catch an initialiser off by a few per cent.
    ratio = published("initialiser_kernel_variance", seed)[f"{initialiser}_ratio"]
    assert abs(ratio - 1) <= 5 * math.sqrt(2 / DRAWS)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_orthogonal_kernel_has_mean_square_one_over_fan_in_exactly(published, seed):
    # A 256 × 128 orthogonal kernel has orthonormal columns: its squares sum to 128, mean square
    # 1/256 exactly. Only the sample mean (of order 1/√N of the rms, so a relative 1/N ≈ 3e-5 in the
    # variance) and float32 rounding separate its variance from 1/fan_in: within 1e-3.
    assert published("initialiser_kernel_variance", seed)["orthogonal_ratio"] == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_glorot_halves_the_second_moment_per_layer(published, seed):
    # He et al. (2015), eq. 9–10: Var[y_l] = n_l Var[w_l] E[x_l²] and E[x_l²] = ½ Var[y_(l−1)] for ReLU.
    # Glorot with fan_in = fan_out gives n_l Var[w_l] = 1, so E[h²] halves per layer. At width 256 each
    # layer's factor fluctuates by a few %, and the geometric mean over 19 layers far less.
    factor = published("initialiser_depth_variance", seed)["relu_glorot_factor_per_layer"]
    assert 0.4 <= factor <= 0.6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_he_keeps_the_second_moment_within_a_factor_3(published, seed):
    # n_l Var[w_l] = 2 cancels the ReLU's ½ exactly in expectation (He et al. 2015); the finite-width
    # log-fluctuation over 19 layers at width 256, averaged over 256 examples, is a few tens of %.
    ratio = published("initialiser_depth_variance", seed)["relu_he_last_over_first"]
    assert 1 / 3 <= ratio <= 3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("initialiser", ["glorot", "lecun", "orthogonal"])
def test_tanh_follows_the_mean_field_recursion(published, seed, initialiser):
    # With n·Var(w) = 1 the pre-activation variance is the previous E[h²], so E[h²] follows
    # q ← E[tanh(√q z)²] (Poole et al. 2016) up to O(1/width) corrections; allow 25 %. Since
    # tanh²(u) = u² − (2/3)u⁴ + …, q ← q − 2q² + …, which tends to 1/(2l): ≈ 0.026 at l = 20.
    values = published("initialiser_depth_variance", seed)
    mean_squares, _ = tanh_mean_field(DEPTH)
    assert values[f"tanh_{initialiser}_last"] == pytest.approx(mean_squares[-1], rel=0.25)
    # The snippet's own quadrature of the recursion is the line the page compares against.
    assert values["tanh_theory_last"] == pytest.approx(mean_squares[-1], rel=1e-3)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_glorot_halves_the_backward_signal_too(published, seed):
    # Backward, χ = n·Var(w)·E[ReLU′²] = 1 · ½ per layer (He et al. 2015, eq. 13–14 with Glorot's
    # variance), so the signal's norm from layer 20 to 1 shrinks by 2^(−19/2) ≈ 1.4e-3, within the
    # fluctuation band of 19 ReLU layers (0.4·256 degrees of freedom).
    values = published("initialiser_depth_variance", seed)
    band = fluctuation_band(WIDTH * 0.4, DEPTH - 1)
    predicted = 2 ** (-(DEPTH - 1) / 2)
    assert predicted / band <= values["relu_glorot_signal_ratio"] <= predicted * band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_he_keeps_the_backward_signal(published, seed):
    # χ = 2 · ½ = 1 on average: the first/last backward-signal ratio is log-normal around 1 with the
    # band of 19 ReLU layers (Hanin 2018).
    band = fluctuation_band(WIDTH * 0.4, DEPTH - 1)
    assert 1 / band <= published("initialiser_depth_variance", seed)["relu_he_signal_ratio"] <= band


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("initialiser", ["glorot", "lecun", "orthogonal"])
def test_tanh_backward_signal_follows_the_mean_field_chi_product(published, seed, initialiser):
    # χ_l = E[tanh′(z_l)²] with z_l ~ N(0, q_{l−1}) from the forward recursion (Schoenholz et al. 2017);
    # the snippet's √(χ₂⋯χ₂₀) ≈ 0.28. Degrees of freedom 0.75·256 (see fluctuation_band); the readout
    # makes layer 20's signal a single direction for the whole batch, so the per-direction band
    # applies; take 4σ because three initialisers are checked per seed.
    values = published("initialiser_depth_variance", seed)
    _, chis = tanh_mean_field(DEPTH)
    predicted = math.sqrt(math.prod(chis[1:]))
    band = fluctuation_band(WIDTH * 0.75, DEPTH - 1, sigmas=4.0)
    assert predicted / band <= values[f"tanh_{initialiser}_signal_ratio"] <= predicted * band
    assert values["tanh_theory_signal_ratio"] == pytest.approx(predicted, rel=1e-3)
