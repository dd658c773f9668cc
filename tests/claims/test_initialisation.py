"""Claims of docs/remedies/initialisation.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

INITIALISERS = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                "lecun_uniform", "lecun_normal", "orthogonal"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("initialiser", INITIALISERS)
def test_kernel_variance_within_10_percent_of_theory(published, seed, initialiser):
    # The sample variance of N = 256·128 = 32768 i.i.d. draws has relative standard error √(2/N) ≈ 0.8 %
    # for normal draws (less for uniform or truncated ones); 10 % is over 12 standard errors.
    # Orthogonal columns are unit vectors, so its mean square is exactly 1/fan_in.
    assert abs(published("initialiser_kernel_variance", seed)[f"{initialiser}_ratio"] - 1) <= 0.10


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
    # q ← E[tanh(√q z)²] (Poole et al. 2016) up to O(1/width) corrections; allow 25 %.
    values = published("initialiser_depth_variance", seed)
    assert values[f"tanh_{initialiser}_last"] == pytest.approx(values["tanh_theory_last"], rel=0.25)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_mean_field_prediction_decays_like_one_over_twice_the_depth(published, seed):
    # tanh²(u) = u² − (2/3)u⁴ + …, so q ← q − 2q² + …, whose solution tends to 1/(2l): ≈ 0.025 at l = 20.
    assert published("initialiser_depth_variance", seed)["tanh_theory_last"] == pytest.approx(1 / 40, rel=0.15)
