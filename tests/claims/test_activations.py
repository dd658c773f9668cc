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
    # Every non-sigmoid activation reaches a slope of at least 1 (its linear part for x > 0) vs σ′ ≤ 1/4,
    # which the grid reaches at x = 0 exactly.
    values = published("activation_derivatives", seed)
    assert values["sigmoid_max"] == pytest.approx(0.25, rel=FLOAT32)
    for activation in SUPREMUM:
        if activation != "sigmoid":
            assert values[f"{activation}_max"] >= 4 * 0.25 * (1 - FLOAT32)
            assert values[f"{activation}_max"] >= 4 * values["sigmoid_max"] * (1 - FLOAT32)


# --- Keras's defaults, read from the installed source (keras/src/layers/activations/*.py and
# keras/src/activations/activations.py): the page states them beside what the snippets set.


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_defaults_for_the_relu_family(published, seed):
    values = published("activation_derivatives", seed)
    # LeakyReLU(negative_slope=0.3) as a layer, leaky_relu(x, negative_slope=0.2) as a function.
    assert values["keras_leaky_layer_default_slope"] == pytest.approx(0.3)
    assert values["keras_leaky_function_default_slope"] == pytest.approx(0.2)
    # ELU's alpha is 1; keras.activations.gelu is exact (erf) unless approximate=True.
    assert values["keras_elu_default_alpha"] == pytest.approx(1.0)
    assert values["keras_gelu_default_approximate"] is False
    # What the snippets set instead: Maas et al.'s 0.01 and He et al.'s 0.25.
    assert values["leaky_slope_set"] == pytest.approx(0.01)
    assert values["prelu_start_set"] == pytest.approx(0.25)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_default_prelu_starts_as_a_plain_relu_with_one_slope_per_unit(published, seed):
    # alpha_initializer="Zeros": autodiff of a default PReLU gives ReLU's derivative, 0 at −3 and 1
    # at +3, and without shared_axes it keeps one slope per input element (64 on a Dense(64) output).
    values = published("activation_derivatives", seed)
    assert values["keras_prelu_default_initializer"].lower() == "zeros"
    assert values["keras_prelu_default_at_minus_3"] == 0.0
    assert values["keras_prelu_default_at_plus_3"] == pytest.approx(1.0)
    assert values["keras_prelu_default_slopes"] == 64


# --- Twenty layers of 64 units (activation_gradient_ratios).
#
# Mean field (Poole et al. 2016; Schoenholz et al. 2017): each layer multiplies the expected squared
# backward signal by χ = n·Var(w)·E[φ′(h)²], h ~ N(0, q_l), so ‖∂L/∂h₁‖/‖∂L/∂h₂₀‖ ≈ √(χ₂⋯χ₂₀).
# Finite width: log‖g‖² over L layers of width n has variance ≈ 5·L/n (Hanin 2018, arXiv:1801.03744,
# for ReLU), i.e. 5·19/64 ≈ 1.48, a standard deviation of ≈ 0.61 in log‖g‖; four of them is a factor
# e^2.44 ≈ 11.4 either way.
FINITE_WIDTH_19_LAYERS = math.exp(4 * math.sqrt(5 * 19 / 64) / 2)


def selu_chi():
    # E[selu′(h)²], h ~ N(0, 1): λ²/2 for h > 0, plus λ²α²·E[e^{2h}; h < 0] = λ²α²·e²·Φ(−2).
    return PAPER_LAMBDA**2 * (0.5 + PAPER_ALPHA**2 * math.exp(2) * normal_cdf(-2))


# Closed forms where the forward variance does not enter χ: ReLU with He, χ = 2·½ = 1; a slope a on
# the negative side gives χ = 2·(1 + a²)/2 = 1 + a²; SELU at its fixed point, χ above. Sigmoid and
# ELU need the forward recursion q_{l+1} = n·Var(w)·E[φ²], which the snippet integrates.
CLOSED_FORM_SIGNAL = {
    "relu": 1.0,
    "leaky_relu": (1 + 0.01**2) ** (19 / 2),
    "prelu": (1 + 0.25**2) ** (19 / 2),
    "selu": selu_chi() ** (19 / 2),
}
MEAN_FIELD_STABLE = ["sigmoid", "relu", "leaky_relu", "prelu", "elu", "selu"]
ALL = MEAN_FIELD_STABLE + ["silu", "gelu"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", sorted(CLOSED_FORM_SIGNAL))
def test_snippets_mean_field_integral_matches_the_closed_form(published, seed, activation):
    # The snippet's grid integral of χ must reproduce the closed form to 0.1 % over 19 layers.
    predicted = published("activation_gradient_ratios", seed)[f"{activation}_signal_predicted"]
    assert predicted == pytest.approx(CLOSED_FORM_SIGNAL[activation], rel=1e-3)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", MEAN_FIELD_STABLE)
def test_backward_signal_over_20_layers_matches_mean_field(published, seed, activation):
    # Where the forward variance settles (a fixed point q* > 0), the measured backward-signal ratio
    # lies within the finite-width factor of √(χ₂⋯χ₂₀): ≈ 1e-12 for sigmoid + Glorot (χ ≈ 0.05),
    # ≈ 1 for ReLU and Leaky ReLU, ≈ 1.8 for PReLU at 0.25, ≈ 3.9 for ELU, ≈ 1.9 for SELU.
    values = published("activation_gradient_ratios", seed)
    predicted = CLOSED_FORM_SIGNAL.get(activation, values[f"{activation}_signal_predicted"])
    measured = values[f"{activation}_signal_ratio"]
    assert predicted / FINITE_WIDTH_19_LAYERS <= measured <= predicted * FINITE_WIDTH_19_LAYERS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", ALL)
def test_top_layers_backward_factor_follows_the_forward_scale(published, seed, activation):
    # Over layers 16→20 the per-layer backward factor is √χ(q_l) at each layer's measured forward
    # scale q_l. For SiLU and GELU with He, q_l has shrunk and χ → 2·φ′(0)² = 2·(½)² = ½: a factor
    # ≈ 0.71 per layer, so He is not variance-preserving for them. Finite width over 5 layers:
    # variance of log‖g‖² ≈ 5·5/64, std of the per-layer geometric mean ≈ √(25/64)/2/5 ≈ 0.063;
    # four of them is a factor e^0.25 ≈ 1.28.
    values = published("activation_gradient_ratios", seed)
    margin = math.exp(4 * math.sqrt(5 * 5 / 64) / 2 / 5)
    predicted = values[f"{activation}_top_factor_predicted"]
    assert predicted / margin <= values[f"{activation}_top_factor"] <= predicted * margin


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", ["silu", "gelu"])
def test_he_shrinks_silu_and_gelu_per_layer(published, seed, activation):
    # The mean-field factor for SiLU/GELU once the forward signal is small: √(2·φ′(0)²) = √½.
    # Independent of the snippet's integral: the top-layer factor must sit within 1.28 of √½ … 1.
    # (GELU's forward signal does not always shrink at width 64, hence the upper end 1.)
    top = published("activation_gradient_ratios", seed)[f"{activation}_top_factor"]
    margin = math.exp(4 * math.sqrt(5 * 5 / 64) / 2 / 5)
    assert math.sqrt(0.5) / margin <= top <= 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("activation", ALL)
def test_kernel_ratio_differs_from_signal_ratio_by_the_input_scale(published, seed, activation):
    # ∂L/∂W_l = (input of layer l)ᵀ·δ_l with δ_l = φ′(z_l)⊙∂L/∂h_l. If the batch rows of the input
    # and of δ_l were aligned, ‖∂L/∂W_l‖ = ‖input‖·‖δ_l‖, and kernel ratio / signal ratio would be
    # S·D with S = RMS(x)/RMS(h₁₉) and D = √(χ₁/χ₂₀) (the derivative factor in δ). For independent
    # rows each norm is smaller by up to √256 = 16, so the ratio lies within 16× either way of S·D.
    # For SiLU S ≈ 1/RMS(h₁₉) is in the hundreds: the kernel ratio looks healthy while the backward
    # signal vanishes.
    values = published("activation_gradient_ratios", seed)
    kernel_over_signal = values[f"{activation}_kernel_ratio"] / values[f"{activation}_signal_ratio"]
    expected = values[f"{activation}_input_scale_ratio"] * math.sqrt(
        values[f"{activation}_chi_first"] / values[f"{activation}_chi_last"]
    )
    assert expected / 16 <= kernel_over_signal <= expected * 16


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_selu_constants_are_the_papers(published, seed):
    values = published("selu_self_normalisation", seed)
    assert values["keras_alpha"] == pytest.approx(PAPER_ALPHA, rel=1e-9)
    assert values["keras_lambda"] == pytest.approx(PAPER_LAMBDA, rel=1e-9)
    assert values["lambda_alpha"] == pytest.approx(PAPER_LAMBDA * PAPER_ALPHA, rel=1e-9)


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
    if start:
        assert values["shifted_input_mean"] == pytest.approx(1.0, abs=0.05)
        assert values["shifted_input_variance"] == pytest.approx(4.0, rel=0.05)


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_selu_stays_normalised_at_every_layer(published, seed):
    # Starting at the fixed point, the contraction keeps every layer as close as the last one.
    values = published("selu_self_normalisation", seed)
    assert values["max_abs_mean"] <= 0.2
    assert 0.7 <= values["min_variance"] and values["max_variance"] <= 1.4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_selu_backward_factor_is_chi_not_one(published, seed):
    # Theorem 1 is forward. Backward, each layer multiplies the squared signal by
    # χ = E[selu′(h)²] = λ²(½ + α²e²Φ(−2)) ≈ 1.0716 at the fixed point, so over the 29 layers from
    # h₃₀ to h₁ the signal grows by χ^(29/2) ≈ 2.73, not 1. Finite width: for one network, log‖g‖²
    # has variance ≈ (1 + E[selu′⁴]/E[selu′²]²)/n ≈ 2.3/64 per layer (Gaussian weights plus the
    # spread of selu′), 29 layers → std of log‖g‖ ≈ 0.51; over 8 networks' geometric mean ≈ 0.18;
    # four of those is a factor e^0.72 ≈ 2.06, which still excludes 1.
    values = published("selu_self_normalisation", seed)
    assert values["backward_chi"] == pytest.approx(selu_chi(), rel=1e-4)
    predicted = selu_chi() ** (29 / 2)
    margin = math.exp(4 * math.sqrt(29 * 2.3 / 64) / 2 / math.sqrt(values["backward_networks"]))
    assert predicted / margin <= values["backward_ratio"] <= predicted * margin
    assert predicted / margin > 1
