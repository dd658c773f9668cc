"""Claims of docs/reference/faq.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_a_sigmoid_network_starves_its_first_layer_within_a_few_layers(published, seed):
    # Each extra sigmoid layer multiplies the first/last ratio by σ′ ≤ 1/4 times a Glorot weight gain
    # ≈ 1 (Var(w) = 2/(32 + 32) gives ‖Wᵀv‖ ≈ ‖v‖), times an O(1) ratio of the layers' input norms
    # (standard-normal inputs against sigmoid outputs near 0.5). So the ratio is ≈ c · 4^−(L−1) with
    # c of order 1: below 1 % by L = 1 + log₄(100 c) ≈ 4–5. One layer (factor ≥ 0.1 for the
    # near-centred pre-activations Glorot gives) cannot cost 100×, so L ≥ 3; with c ≤ 10, L ≤ 6.
    # The bounds [3, 7] add one layer of margin above.
    values = published("faq_sigmoid_depth_limit", seed)
    assert 3 <= values["depth_below_one_percent"] <= 7
    assert values["ratio_at_limit"] < 0.01 <= values["ratio_one_layer_shallower"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_each_sigmoid_layer_costs_about_a_factor_of_four(published, seed):
    # Glorot gives pre-activation variance ≈ 32 · (1/32) · E[h²] ≈ 0.3, where σ′ averages ≈ 0.235;
    # the geometric mean over depths 2–12 should sit near that. [0.1, 0.4] allows the spread of a
    # product of ten random factors; 0.4 is still well below tanh's 1.
    values = published("faq_sigmoid_depth_limit", seed)
    assert 0.1 < values["shrink_per_layer"] < 0.4
    assert values["ratio_depth_12"] < 1e-4  # ≲ 4⁻¹¹ ≈ 2e-7 times c; four orders of margin
