"""Claims of docs/reference/cheat-sheet.md, checked across seeds against theory."""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_profile_falls_toward_the_input(published, seed):
    # Nine sigmoid layers between the first and the last hidden layer, each σ′ ≤ 1/4 with Glorot
    # weight gain ≈ 1: first/last ≲ 4⁻⁹ ≈ 4e-6 times an O(1) input-norm ratio. 1e-3 leaves 250×.
    assert published("cheat_sheet_gradient_profiles", seed)["vanishing_ratio"] < 1e-3


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_he_profile_is_flat(published, seed):
    # He et al. (2015), eq. 14: Var(w) = 2/fan_in preserves the backward variance per layer, so the
    # expected first/last ratio is of order 1; [0.1, 10] allows a 10× spread of a 9-factor product.
    assert 0.1 < published("cheat_sheet_gradient_profiles", seed)["healthy_ratio"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_with_unit_variance_weights_profile_rises_toward_the_input(published, seed):
    # N(0, 1) weights at width 32: pre-activation std ≈ √(32 · E[tanh²]) ≈ 5, where E[tanh′²] ≈ 0.1,
    # so the mean-field backward factor χ = 32 · 1 · 0.1 ≈ 3 per layer (Poole et al. 2016) and the
    # gradient norm grows by √χ ≈ 1.8 per layer: ≈ 1.8⁹ ≈ 200 over nine layers. > 10 leaves 20×.
    assert published("cheat_sheet_gradient_profiles", seed)["exploding_ratio"] > 10
