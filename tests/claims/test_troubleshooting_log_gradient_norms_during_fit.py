"""Claims of docs/troubleshooting/log-gradient-norms-during-fit.md, measured by log_gradient_norms_train_step."""

import pytest

from tests.conftest import CLAIM_SEEDS

FLOAT16_SMALLEST_SUBNORMAL = 2.0**-24


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_backward_signal_falls_by_nine_layers_of_root_chi(published, seed):
    # Between hidden layers 10 and 1 the backward signal crosses 9 layers that each scale its norm
    # by √χ, χ = n·Var(w)·E[σ′²] ∈ [0.04, 0.066] for sigmoid + Glorot at width 32 (derivation in
    # test_signs_in_your_model.py): per layer [0.2, 0.26], ±10 % for finite width, so the ratio
    # lies in [0.18⁹, 0.29⁹] ≈ [2e-7, 1.5e-5] at every one of the steps.
    assert 2e-7 <= published("log_gradient_norms_train_step", seed)["sigmoid_signal_ratio_max"] <= 1.5e-5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_he_backward_signal_stays_of_order_one(published, seed):
    # He normal + ReLU: χ = 2 · ½ = 1 per layer (He et al. 2015); finite-width fluctuations of
    # ±10 % per layer over 9 layers, and 24 steps of training, keep the smallest ratio in [0.1, 10].
    values = published("log_gradient_norms_train_step", seed)
    assert 0.1 <= values["relu_signal_ratio_min"] <= 10
    # "Kernel gradients of the same order": a kernel gradient is (its input)ᵀ × (backward signal);
    # He keeps both the forward activations and the backward signal at one scale from layer to
    # layer, so the first and last hidden kernels' medians agree within the same factor 10.
    assert 0.1 <= values["relu_first_layer_median"] / values["relu_last_hidden_median"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_first_layer_is_at_least_100x_smaller_than_relu_he(published, seed):
    # The backward signal at the sigmoid net's first layer is ≤ 1.5e-5 of its last (above), while
    # ReLU + He keeps it of order 1 and both last hidden layers receive gradients of the same order
    # (medians compared below): the first-layer kernel gradients differ by ≳ 1e4. 100× is two
    # orders of magnitude inside that, at every step.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_first_layer_min"] >= 100 * values["sigmoid_first_layer_max"]
    assert values["relu_first_layer_median"] >= 100 * values["sigmoid_first_layer_median"]
    # "Last hidden layers of the same order": within a factor of 10 of each other.
    assert 0.1 <= values["sigmoid_last_hidden_median"] / values["relu_last_hidden_median"] <= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_logged_norms_equal_directly_computed_ones(published, seed):
    # train_step and the direct GradientTape evaluate the same loss on the same batch with the
    # same weights and take the norm in float64; only the order of float32 operations can differ
    # (graph vs eager). A few roundings of ε = 2⁻²³ ≈ 1.2e-7 per layer over 11 layers stay below
    # 2e-6 relative; a logging bug (wrong layer, batch or scale) would be off by far more.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_logged_vs_direct"] < 2e-6
    assert values["sigmoid_logged_vs_direct"] < 2e-6


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_first_layer_gradient_elements_lie_below_float16_range(published, seed):
    # The premise of the mixed-precision check: the sigmoid net's first-layer gradient elements
    # (rms = norm / √(32·32)) are below float16's smallest subnormal, 2⁻²⁴ ≈ 6e-8. From the last
    # hidden kernel's gradient (≈ 0.05) times the kernel ratio (≤ 3e-5, signs page): norm ≤ 1.5e-6,
    # rms ≤ 1.5e-6 / 32 ≈ 5e-8.
    assert published("log_gradient_norms_train_step", seed)["first_kernel_element_rms"] < FLOAT16_SMALLEST_SUBNORMAL


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scale_loss_keeps_float16_gradients_and_without_it_they_underflow(published, seed):
    # With scale_loss (×2¹⁵) the elements (≈ 1.5e-8 × 32768 ≈ 5e-4) are normal float16 numbers,
    # each rounded to 2⁻¹¹ ≈ 5e-4 relative, and the forward pass rounds the same way through ten
    # layers: the logged norm must match float32's within 1 %. Unscaled, every element is below
    # half the smallest subnormal or rounds to a handful of subnormal steps: the norm collapses to
    # under a tenth of the true one.
    values = published("log_gradient_norms_train_step", seed)
    assert values["mixed_vs_float32"] < 1e-2
    assert values["mixed_first_kernel"] == pytest.approx(values["float32_first_kernel"], rel=1e-2)
    assert values["unscaled_float16_first_kernel"] < 0.1 * values["float32_first_kernel"]
