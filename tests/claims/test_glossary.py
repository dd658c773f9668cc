"""Claims of docs/reference/glossary.md, checked across seeds against random-matrix theory."""

import pytest

from tests.conftest import CLAIM_SEEDS

GAINS = {"0_8": 0.8, "1_0": 1.0, "1_2": 1.2}


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_spectral_radius_is_close_to_the_gain(published, seed):
    # Circular law: the eigenvalues of an n × n matrix with entries of variance g²/n fill the disc of
    # radius g. At n = 64 the largest modulus overshoots g by O(√(log n / n)) ≈ 0.25 at most in
    # practice, and rarely falls more than a few percent short; [0.85 g, 1.45 g] covers both.
    values = published("glossary_spectral_radius", seed)
    for key, gain in GAINS.items():
        assert 0.85 * gain < values[f"radius_gain_{key}"] < 1.45 * gain


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_radius_below_one_shrinks_and_above_one_grows(published, seed):
    # For large k, (Wᵀ)ᵏv ≈ c·ρᵏ·u with u the top eigenvector: c is the component of the random start v
    # along u (≈ 1/√n = 0.125) times the eigenvector's condition number (≥ 1, of order √n for a random
    # non-normal matrix). So ‖(Wᵀ)⁵⁰v‖/‖v‖ = c·ρ⁵⁰ with c in [1/n, √n] = [1/64, 8]: with ρ < 1 it shrinks
    # by orders of magnitude, with ρ > 1 it grows.
    values = published("glossary_spectral_radius", seed)
    for key in ("0_8", "1_2"):
        prefactor = values[f"norm_after_50_gain_{key}"] / values[f"radius_gain_{key}"] ** 50
        assert 1 / 64 <= prefactor <= 8
    assert values["norm_after_50_gain_0_8"] < 1 < values["norm_after_50_gain_1_2"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_growth_per_step_tracks_the_spectral_radius(published, seed):
    # Gelfand's formula: ‖Aᵏ‖^(1/k) → ρ(A). After k = 50 steps an O(1) prefactor c changes the
    # per-step rate by c^(1/50): c ∈ [1e-5, 1e2] keeps it within [0.79, 1.10] of ρ.
    values = published("glossary_spectral_radius", seed)
    for key in ("0_8", "1_2"):
        assert 0.75 < values[f"rate_over_radius_gain_{key}"] < 1.1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_largest_singular_value_is_about_twice_the_gain(published, seed):
    # The squared singular values of an n × n matrix with entries of variance g²/n follow the
    # Marchenko–Pastur law on [0, 4g²], so σ_max → 2g (Bai–Yin) while ρ → g: the glossary's point
    # that one step can stretch a vector by ≈ 2g = 1.6 although ρ ≈ 0.8. At n = 64 the edge fluctuates
    # by O(g·n^(-2/3)) ≈ 0.05 g (Tracy–Widom), so [1.8 g, 2.2 g] holds with a wide margin.
    values = published("glossary_spectral_radius", seed)
    assert 1.8 * 0.8 < values["largest_singular_value_gain_0_8"] < 2.2 * 0.8
    assert values["largest_singular_value_gain_0_8"] > 1 > values["radius_gain_0_8"]
