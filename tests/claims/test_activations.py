"""Claims of docs/remedies/activations.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

PAPER_ALPHA = 1.6732632423543772  # Klambauer et al. (2017)
PAPER_LAMBDA = 1.0507009873554805
GRID_STEP = 0.005  # activation_derivatives differentiates on linspace(-6, 6, 2401)
FLOAT32 = 1e-5  # relative tolerance for float32 autodiff against closed forms


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def normal_pdf(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def normal_cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# Largest derivative of each activation, from its formula:
# sigmoid σ(1−σ) ≤ 1/4; ReLU, leaky (slope 0.01), PReLU (slope 0.25) and ELU (αeˣ < 1 for x < 0) ≤ 1;
# SELU λαeˣ → λα as x → 0⁻; SiLU σ + xσ(1−σ) peaks at 1.0998 near x = 2.40;
# GELU Φ + xφ peaks where (2 − x²)φ = 0, i.e. x = √2.
SUPREMUM = {
    "sigmoid": 0.25,
    "relu": 1.0,
    "leaky_relu": 1.0,
    "prelu": 1.0,
    "elu": 1.0,
    "selu": PAPER_LAMBDA * PAPER_ALPHA,
    "silu": 1.0999,
    "gelu": normal_cdf(math.sqrt(2)) + math.sqrt(2) * normal_pdf(math.sqrt(2)),
}

# f′(−3) from the same formulas.
AT_MINUS_3 = {
    "sigmoid": sigmoid(-3) * (1 - sigmoid(-3)),
    "relu": 0.0,
    "leaky_relu": 0.01,
    "prelu": 0.25,
    "elu": math.exp(-3),
    "selu": PAPER_LAMBDA * PAPER_ALPHA * math.exp(-3),
    "silu": sigmoid(-3) - 3 * sigmoid(-3) * (1 - sigmoid(-3)),
    "gelu": normal_cdf(-3) - 3 * normal_pdf(-3),
}


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", sorted(SUPREMUM))
def test_every_derivative_stays_below_its_theoretical_maximum(published, seed, activation):
    values = published("activation_derivatives", seed)
    assert values[f"{activation}_max"] <= SUPREMUM[activation] * (1 + FLOAT32)
    # The grid comes within one step of each maximiser; SELU's is approached from x = −0.005,
    # where λαeˣ is λα·e^(−0.005); the smooth maxima are flat, so 1 % covers the grid.
    assert values[f"{activation}_max"] >= SUPREMUM[activation] * math.exp(-GRID_STEP) * 0.99


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", sorted(AT_MINUS_3))
def test_derivative_at_minus_3_matches_the_formula(published, seed, activation):
    # Autodiff at x = −3 exactly must reproduce the closed form (float32 precision).
    measured = published("activation_derivatives", seed)[f"{activation}_at_minus_3"]
    assert measured == pytest.approx(AT_MINUS_3[activation], rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_every_bound_is_at_least_four_times_the_sigmoids(published, seed):
    # Every non-sigmoid activation reaches a slope of at least 1 (its linear part for x > 0) vs σ′ ≤ 1/4.
    values = published("activation_derivatives", seed)
    for activation in SUPREMUM:
        if activation != "sigmoid":
            assert values[f"{activation}_max"] >= 4 * values["sigmoid_max"] * (1 - FLOAT32)


NON_SATURATING = ["relu", "leaky_relu", "prelu", "elu", "selu", "silu", "gelu"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_loses_the_gradient_over_20_layers(published, seed):
    # 19 sigmoid derivatives ≤ 1/4 separate layer 1 from layer 20: 4⁻¹⁹ ≈ 3.6e-12 times an O(1)
    # weight/activation-norm factor; 1e-6 leaves six orders of magnitude of slack.
    assert published("activation_gradient_ratios", seed)["sigmoid_ratio"] < 1e-6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", NON_SATURATING)
def test_non_saturating_activations_get_100x_the_sigmoids_ratio(published, seed, activation):
    # With its initialiser each keeps the per-layer factor ~1 on average (He et al. 2015; Klambauer
    # et al. 2017), against ≤ 1/4 for the sigmoid: the expected gap is ~4¹⁹, far beyond 100×.
    values = published("activation_gradient_ratios", seed)
    assert values[f"{activation}_ratio"] >= 100 * values["sigmoid_ratio"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", NON_SATURATING)
def test_non_saturating_ratios_stay_within_two_orders_of_magnitude_of_one(published, seed, activation):
    # Expected factor per layer 1, but a product of 19 random factors at width 64 fluctuates with a
    # log-variance of order depth/width ≈ 0.3 times a small constant (Hanin 2018, arXiv:1801.03744):
    # a standard deviation around one e-fold, so ±100× (±4.6 e-folds) covers it comfortably.
    assert 1e-2 <= published("activation_gradient_ratios", seed)[f"{activation}_ratio"] <= 1e2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_selu_constants_are_the_papers(published, seed):
    values = published("selu_self_normalisation", seed)
    assert values["alpha_error"] < 1e-9
    assert values["lambda_error"] < 1e-9
    assert values["lambda_alpha"] == pytest.approx(1.7581, abs=1e-4)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("start", ["", "shifted_"])
def test_selu_keeps_mean_near_0_and_variance_near_1_at_layer_30(published, seed, start):
    # (0, 1) is an attracting fixed point of the (mean, variance) map (Klambauer et al. 2017, Thm 1):
    # deviations contract each layer, so only one layer's finite-width noise (~1/√64 of the
    # statistics, averaged over 256 examples) remains at layer 30, from either starting point.
    values = published("selu_self_normalisation", seed)
    prefix = "shifted_last" if start else "last"
    assert abs(values[f"{prefix}_mean"]) <= 0.2
    assert 0.7 <= values[f"{prefix}_variance"] <= 1.4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_selu_stays_normalised_at_every_layer(published, seed):
    # Starting at the fixed point, the contraction keeps every layer as close as the last one.
    values = published("selu_self_normalisation", seed)
    assert values["max_abs_mean"] <= 0.2
    assert 0.7 <= values["min_variance"] and values["max_variance"] <= 1.4
