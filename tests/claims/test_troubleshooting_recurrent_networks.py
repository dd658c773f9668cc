"""Claims of docs/troubleshooting/recurrent-networks.md, checked across seeds."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

LAG = 30


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_unit_forget_bias_keeps_more_gradient_at_lag_30(published, seed):
    # Along the cell state the gradient over k steps is a product of k forget gates. At
    # initialisation their pre-activations are centred on the bias: σ(1) ≈ 0.731 with
    # unit_forget_bias=True, σ(0) = 0.5 without, so the ratio is about (0.731 / 0.5)³⁰ ≈ 9e4.
    # The input and recurrent terms spread the gates around those values and other paths add
    # to the sum, so we ask for three orders of magnitude less: ≥ 100.
    values = published("lstm_forget_bias_and_relu", seed)
    assert values["predicted_ratio_cell_path"] == pytest.approx((sigmoid(1) / sigmoid(0)) ** LAG)
    assert values["forget_bias_ratio_at_lag"] > 100


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_lstm_still_loses_most_of_the_gradient_at_lag_30(published, seed):
    # Even with bias 1 the cell path keeps σ(1)³⁰ ≈ 8e-5 of the gradient; allowing 100× for the
    # spread of the gates, less than 1 % reaches lag 30.
    values = published("lstm_forget_bias_and_relu", seed)
    assert values["forget_bias_true_kept_at_lag"] < 0.01
    assert values["forget_bias_false_kept_at_lag"] < values["forget_bias_true_kept_at_lag"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_lstm_state_explodes_where_tanh_stays_bounded(published, seed):
    # h = o ⊙ tanh(c) with o ∈ (0, 1) gives |h| < 1 for any weights. With ReLU nothing bounds h,
    # and recurrent weights of std 2 (spectral radius ≈ 2·√16 = 8) feed it back amplified every
    # step; at least 10× tanh's bound after 40 steps.
    values = published("lstm_forget_bias_and_relu", seed)
    assert values["tanh_largest_state"] < 1
    assert values["relu_largest_state"] > 10
