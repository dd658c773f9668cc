"""Claims of docs/troubleshooting/log-gradient-norms-during-fit.md."""

import pytest

from tests.conftest import CLAIM_SEEDS

DEPTH = 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_first_layer_is_at_least_100x_smaller_than_relu_he(published, seed):
    # Between hidden layers 1 and 10 the sigmoid net's backward signal crosses 9 derivatives
    # σ′ ≤ 1/4 with Glorot weights keeping ‖Wᵀv‖ ≈ ‖v‖: a factor ≤ 4⁻⁹ ≈ 4e-6, while ReLU + He
    # preserves the backward variance (He et al. 2015) and both last hidden layers receive
    # gradients of the same order. 100× is four orders of magnitude inside that, at every step.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_first_layer_min"] >= 100 * values["sigmoid_first_layer_max"]
    assert values["relu_first_layer_median"] >= 100 * values["sigmoid_first_layer_median"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_logged_norms_equal_directly_computed_ones(published, seed):
    # train_step and the direct GradientTape evaluate the same loss on the same batch with the
    # same weights; only float32 summation order could differ (relative 1e-6), 1e-4 covers XLA.
    values = published("log_gradient_norms_train_step", seed)
    assert values["relu_logged_vs_direct"] < 1e-4
    assert values["sigmoid_logged_vs_direct"] < 1e-4
