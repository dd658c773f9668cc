"""Claims of docs/reference/cheat-sheet.md, checked across seeds against theory.

Each profile compares the first hidden layer with the last of a ten-layer MLP of width 32: nine
layers of backward factors in between. In the mean-field picture (Poole et al. 2016) the squared
backward signal changes by χ = fan_in · Var(w) · E[φ′(z)²] per layer, so first/last ≈ (√χ)⁹. The
kernel gradient is the layer's input times that signal: the same ratio times the ratio of the two
layers' input norms, which is of order 1 in these networks.
"""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_profile_falls_toward_the_input(published, seed):
    # Sigmoid + Glorot (square layers: fan_in · Var(w) = 1): χ = E[σ′²] ∈ [0.035, 1/16], so
    # (√χ)⁹ ∈ [3e-7, 4e-6]. A tenfold margin each side for the fluctuations of a 9-factor
    # product at width 32 and, for the kernel gradient, the input-scale ratio.
    values = published("cheat_sheet_gradient_profiles", seed)
    assert 1e-8 < values["vanishing_signal_ratio"] < 1e-4
    assert 1e-8 < values["vanishing_ratio"] < 1e-4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_relu_with_he_profile_is_flat(published, seed):
    # He et al. (2015), eq. 14: Var(w) = 2/fan_in and E[relu′²] = 1/2 give χ = 1, so the expected
    # ratio is of order 1. At width 32 the log of a nine-factor product has a standard deviation
    # of about one (Hanin 2018: it grows like depth/width), so [0.1, 10] is ±2.3 in log.
    values = published("cheat_sheet_gradient_profiles", seed)
    assert 0.1 < values["healthy_signal_ratio"] < 10
    assert 0.1 < values["healthy_ratio"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tanh_with_unit_variance_weights_profile_rises_toward_the_input(published, seed):
    # N(0, 1) weights at width 32: pre-activation std s ≈ √(32 · E[tanh²]) ≈ 5 and, for large s,
    # E[tanh′²] ≈ ∫sech⁴ / (√(2π) s) = (4/3) / (2.5 · 5) ≈ 0.11, so χ ≈ 32 · 0.11 ≈ 3.4 and the
    # norm grows by √χ ≈ 1.8 per layer: 1.8⁹ ≈ 200 over nine layers (the "chaotic" regime of
    # Poole et al. 2016). χ between 2 and 4.5 gives [20, 900]; the upper bound allows 3×.
    values = published("cheat_sheet_gradient_profiles", seed)
    assert 20 < values["exploding_signal_ratio"] < 3000
    assert 20 < values["exploding_ratio"] < 3000
