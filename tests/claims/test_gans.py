"""Claims of docs/other-architectures/gans.md (gan_discriminator_lipschitz), checked across seeds.

A 2 → 64 → 64 → 1 critic with leaky ReLU (slope 0.2, Lipschitz 1), trained 150 steps with Adam (lr 1e-3) on
the Wasserstein critic loss; ‖∇ₓD‖ is measured on real, fake and interpolated points.
"""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_spectral_norm_product_bounds_the_input_gradient(published, seed):
    # Chain rule: ∇ₓD = W₁ᵀ D₁ W₂ᵀ D₂ W₃ᵀ with diagonal D's of entries in {0.2, 1}, so
    # ‖∇ₓD‖ ≤ ∏ σ(W_l) for any weights. The snippet measures both on the same final weights.
    values = published("gan_discriminator_lipschitz", seed)
    for prefix in ("unconstrained", "spectral", "penalty"):
        assert 0 < values[f"{prefix}_final_max"] <= values[f"{prefix}_bound"] * (1 + 1e-4), prefix
        assert values[f"{prefix}_final_mean"] <= values[f"{prefix}_final_max"], prefix


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_spectral_normalisation_keeps_the_product_near_one(published, seed):
    # After a training call each kernel is W/σ̂ with σ̂ the power-iteration estimate (converged after many
    # calls): σ = 1. Then one Adam step moves each entry by ≤ ≈ lr = 1e-3, which changes σ by at most the
    # Frobenius norm of the step, ≤ 1e-3·√(64·64) ≈ 0.064 for the 64×64 kernel (less for the others), so
    # the product lies in [(1 − 0.064)³, (1 + 0.064)³] ≈ [0.82, 1.2]; [0.8, 1.25] allows estimate lag.
    values = published("gan_discriminator_lipschitz", seed)
    assert 0.8 <= values["spectral_bound"] <= 1.25
    assert values["spectral_max_over_training"] <= 1.25 ** 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_one_power_iteration_underestimates_the_spectral_norm(published, seed):
    # σ̂ = vᵀW u with unit u, v is ≤ σ(W) (Cauchy–Schwarz), so W/σ̂ has spectral norm ≥ 1 after the
    # first call; it equals 1 only if the random start was already the top singular vector.
    assert published("gan_discriminator_lipschitz", seed)["spectral_first_call_sigma"] >= 1.0 - 1e-4


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_unconstrained_critic_steepens_by_orders_of_magnitude(published, seed):
    # The Wasserstein loss is linear in D, so scaling D up always lowers it: Adam moves every weight by
    # ≈ lr per step in the direction that steepens D, ≈ 0.15 per entry over 150 steps against Glorot
    # entries of ≈ 0.17 (64×64), ≈ 0.3 (2×64) and ≈ 0.3 (64×1): each layer's scale can grow by a factor
    # of order 2–10, and the slope is their product. Claim: ≥ 100× the initial mean slope.
    values = published("gan_discriminator_lipschitz", seed)
    assert values["unconstrained_final_mean"] >= 100 * values["unconstrained_initial_mean"]
    assert values["unconstrained_final_mean"] >= 10 * values["spectral_final_mean"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_gradient_penalty_holds_the_slope_near_one_but_not_the_layers(published, seed):
    # λ = 10 makes a 10 % miss of the target slope cost 0.1 in the loss, more than the Wasserstein term
    # gains from it on this data, so the sampled slope settles within ±30 % of 1 (real and fake points
    # are the interpolates' end points). The layers' norms are unconstrained: their product exceeds the
    # slope and exceeds the spectrally normalised critic's product.
    values = published("gan_discriminator_lipschitz", seed)
    assert 0.7 <= values["penalty_final_mean"] <= 1.3
    assert values["penalty_bound"] > values["spectral_bound"]
