"""Claims of docs/foundations/symmetry-breaking.md, checked across seeds.

Symmetry: if two units of a layer have the same incoming weights and bias and the same outgoing
weights, they compute the same output and receive the same gradient, and any optimiser that updates
each entry from its own gradient history (SGD, momentum, Adam) keeps them equal. Constant(0.1) for every
kernel and zero biases makes all units of each hidden layer such a set.
"""

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_constant_initialisation_leaves_one_distinct_unit(published, seed):
    # Identical units perform identical floating-point operations, so they stay bitwise equal: one
    # distinct unit per layer, rank-one kernels (equal columns), zero spread between units.
    values = published("symmetry_constant_init", seed)
    assert values["constant_distinct_units"] == 1
    assert values["constant_rank"] == 1
    assert values["constant_unit_spread"] == 0.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_random_initialisation_keeps_every_unit_distinct(published, seed):
    # Glorot uniform draws are continuous: two equal columns, or a rank-deficient 8×32 or 32×32 kernel,
    # have probability zero, and training from them does not merge units. Full rank: min(8, 32) and 32.
    values = published("symmetry_constant_init", seed)
    assert values["glorot_distinct_units"] == values["units"] == 32
    assert values["glorot_first_rank"] == 8
    assert values["glorot_second_rank"] == 32


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_symmetric_network_cannot_beat_a_one_direction_model(published, seed):
    # With identical first-layer units the network is a function of the single projection x·w, so its
    # MSE is at least E[Var(y | x·w)], estimated by 32 bins of 16 examples (each bin mean fitted to its
    # own points lowers it by about 1/16; allow 20 %). The random-init student (width 32, teacher width
    # 16) can represent the teacher exactly; after 300 Adam steps we ask that it be five times below the
    # one-direction floor, which no single-direction model can cross.
    values = published("symmetry_constant_init", seed)
    assert values["constant_final_loss"] >= 0.8 * values["one_direction_floor"]
    assert values["glorot_final_loss"] <= 0.2 * values["one_direction_floor"]
    assert values["one_direction_floor"] < values["target_variance"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_zero_initialisation_gives_hidden_layers_no_gradient(published, seed):
    # All kernels and biases 0: hidden outputs tanh(0) = relu(0) = 0, so ∂L/∂W_out = hᵀδ = 0 and the
    # backward signal δ·W_outᵀ into the hidden layers is 0. Exactly zero, before and after training.
    # Only the output bias moves: its gradient is 2·mean(b − y) = −2·mean(y) ≠ 0.
    values = published("symmetry_constant_init", seed)
    for activation in ("tanh", "relu"):
        assert values[f"zero_{activation}_hidden_gradient"] == 0.0
        assert values[f"zero_{activation}_hidden_after"] == 0.0
    assert 0 < values["zero_output_bias_gradient"] < 2 * values["target_variance"] ** 0.5


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_sigmoid_outputs_make_each_units_incoming_gradient_one_signed(published, seed):
    # ∂Lₙ/∂W[i, j] = hₙᵢ·δₙⱼ with every hₙᵢ > 0 for a sigmoid: the column has the sign of δₙⱼ, for every
    # unit and example (fraction exactly 1). Tanh outputs have both signs: a column of 32 is one-signed
    # only if all 32 hₙᵢ share a sign, probability ≈ 2·2⁻³² for independent signs; allow 5 % for
    # correlated units.
    values = published("sigmoid_positive_outputs", seed)
    assert values["sigmoid_one_signed_per_example"] == 1.0
    assert values["tanh_one_signed_per_example"] <= 0.05


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_mean_of_sigmoid_features_puts_a_large_eigenvalue_in_the_hessian(published, seed):
    # H = 2·E[zzᵀ], z = [h, 1]. Rayleigh quotient along v = (m̄, 1)/‖(m̄, 1)‖ (m̄ the per-unit means):
    # vᵀE[zzᵀ]v ≥ (vᵀE z)² = 1 + ‖m̄‖² ≥ 1 + n·m² (Cauchy–Schwarz, m the overall mean), so
    # λ_max ≥ 2(1 + n m²). Above: λ_max ≤ tr H = 2(1 + E‖h‖²) ≤ 2(1 + n m), since 0 < h < 1 gives h² < h.
    # Centred features: the bias direction alone gives λ_max ≥ 2, and tr H ≤ 2(1 + n/4) bounds it above.
    values = published("sigmoid_positive_outputs", seed)
    n, m = values["width"], values["feature_mean"]
    assert 0.4 <= m <= 0.6  # zero-mean pre-activations: σ's mean is ½ up to sampling
    assert 2 * (1 + n * m * m) * 0.999 <= values["raw_lambda_max"] <= 2 * (1 + n * m)
    assert 2 * 0.999 <= values["centred_lambda_max"] <= 2 * (1 + n / 4)
    assert values["raw_condition"] > values["centred_condition"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_gradient_descent_on_uncentred_features_is_slower(published, seed):
    # Both runs use lr = 1/λ_max. Apart from the mean direction (which the raw run resolves fastest), both
    # Hessians act alike on the features' fluctuations, and a mode of curvature λ decays as
    # exp(−λ t / λ_max): the raw run after T steps should be where the centred run was after
    # T·λ_c/λ_r steps. The Hessians are congruent, not identical, so allow a factor 3 either way.
    # Consequence tested too: after the same T steps, the raw run's excess loss is larger.
    values = published("sigmoid_positive_outputs", seed)
    matched = values["raw_excess_final"] / values["centred_excess_at_matched_steps"]
    assert 1 / 3 <= matched <= 3
    assert values["raw_excess_final"] >= 3 * values["centred_excess_final"]
    assert values["raw_excess_final"] < values["excess_initial"]  # the raw run does learn, slowly


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_the_top_sigmoid_layer_is_pushed_toward_zero_early_in_training(published, seed):
    # Glorot & Bengio (2010, Fig. 2): under the standard initialisation, the top hidden layer's mean
    # activation falls toward 0 in the first epochs while the lower layers stay near ½. At initialisation
    # every pre-activation is symmetric about 0, so every layer's mean is ½ up to width-128 noise
    # (±0.1). We require the top layer to lose at least half of it within 10 epochs, and the lower layers
    # to stay within 0.4 to 0.7.
    values = published("sigmoid_top_layer_saturation", seed)
    assert 0.4 <= values["top_mean_initial"] <= 0.6
    assert values["top_mean_final"] <= 0.5 * values["top_mean_initial"]
    assert 0.4 <= values["lower_layers_lowest"] and values["lower_layers_mean_final"] <= 0.7


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_while_the_top_layer_saturates_the_network_has_learned_little(published, seed):
    # The loss after 10 epochs lies near what the class frequencies alone give (the output biases can
    # learn them; the prior entropy H ≤ ln 10): within 10 % of H, and never below half of it.
    values = published("sigmoid_top_layer_saturation", seed)
    assert values["prior_entropy"] <= values["chance_loss"]
    assert 0.5 * values["prior_entropy"] <= values["loss_final"] <= 1.1 * values["prior_entropy"]
