"""Claims of docs/vanishing/depth-sweep.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_reaches_the_first_layer_where_sigmoid_does_not(published, seed):
    # At depth 20 the sigmoid gradient has crossed 19 derivatives σ′ ≤ ¼ behind Glorot weights that
    # preserve norms on average (n·Var(w) = 32 · 2/64 = 1): ≲ 4⁻¹⁹ ≈ 4e-12 of the signal. He-normal
    # ReLU preserves it in expectation (He et al. 2015, eq. 14). 100× is a minuscule fraction of that gap.
    values = published("depth_sweep", seed)
    assert values["relu_over_sigmoid_depth_20"] >= 100


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_first_layer_loses_a_factor_four_per_extra_layer(published, seed):
    # From depth 5 to 30 the first layer's gradient crosses 25 more sigmoid layers, each a factor
    # ≤ ¼ (σ′ ≤ ¼) times a norm-preserving Glorot matrix, so it shrinks by ≳ 4²⁵ ≈ 1e15. The claim
    # in the prose is ≥ 100×; the geometric per-layer factor is checked at ≥ 3 (4 less the spread
    # of the 25 random weight matrices' gains, which averages out over 25 layers).
    values = published("depth_sweep", seed)
    drop = values["sigmoid_depth_5"] / values["sigmoid_depth_30"]
    assert drop >= 100
    assert values["sigmoid_shrink_per_layer"] == pytest.approx(drop ** (1 / 25))
    assert values["sigmoid_shrink_per_layer"] >= 3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("config", ["relu", "tanh"])
def test_norm_preserving_set_ups_keep_the_gradient_at_depth_30(published, seed, config):
    # He (ReLU) and Glorot (tanh, linear regime) initialisations keep the backward variance
    # constant from layer to layer in expectation, so the first-layer norm at depth 30 should be of
    # the same order as at depth 5. Hanin (2018): the log of the squared norm fluctuates with a
    # variance of order depth/width ≈ 1 here, i.e. a factor of a few; 1/100 is a ~4-sigma margin.
    values = published("depth_sweep", seed)
    assert values[f"{config}_depth_30"] / values[f"{config}_depth_5"] > 1e-2
