"""Claims of docs/remedies/gated-recurrent-units.md, checked across seeds against theory."""

import math

import pytest

from tests.conftest import CLAIM_SEEDS

# With 512 held-out sequences, a model at chance (p = ½) scores above ½ + 2.58·√(¼/512) ≈ 0.557 with
# probability below 1 % (normal approximation to the binomial).
ABOVE_CHANCE = 0.5 + 2.58 * math.sqrt(0.25 / 512)
# Two such accuracies differ by more than 3 standard errors, 3·√(2·¼/512) ≈ 0.094, by chance less than
# 0.3 % of the time: a gap of 0.1 is more than sampling noise.
MEANINGFUL_GAP = 0.1


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_raised_gate_bias_keeps_the_backward_signal_far_better_than_simple_rnn(published, seed):
    # Along the cell state ∂c_t/∂c_{t-1} = diag(f_t) (Hochreiter & Schmidhuber 1997; Gers et al. 2000), and
    # the GRU's state path is diag(z_t). With bias 4 the gate is ≈ σ(4) ≈ 0.982, so 40 steps keep ≈ 0.48,
    # while the tanh SimpleRNN loses a factor tanh′ < 1 at every step (≈ 0.87⁴⁰ ≈ 4e-3 for unsaturated
    # units). Two orders of magnitude expected; 10× is the claim.
    values = published("gated_cells_gradient_vs_lag", seed)
    assert values["lstm_raised_over_simple_rnn"] >= 10
    assert values["gru_raised_over_simple_rnn"] >= 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_default_gru_loses_the_backward_signal(published, seed):
    # Keras's GRU starts its update gate at σ(0) = ½: the state path passes ½ per step, the candidate
    # path at most (1 − z)·r·tanh′·‖U‖ ≈ ½·½·1, so ≲ ¾ per step and (¾)⁴⁰ ≈ 1e-5 over 40 steps. The
    # SimpleRNN and default LSTM lose far less per step (≈ 0.87 and 0.8), hence "orders of magnitude
    # worse than both". From below, the state path alone passes ≈ ½⁴⁰ ≈ 9e-13 (a tenth of it allowed for
    # the gates' spread around ½), and the other paths add to it.
    values = published("gated_cells_gradient_vs_lag", seed)
    assert 0.5**40 / 10 < values["gru_ratio"] < (3 / 4) ** 40
    assert values["gru_ratio"] < min(values["simple_rnn_ratio"], values["lstm_ratio"]) / 100


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_default_lstm_has_no_comparable_advantage(published, seed):
    # unit_forget_bias=True gives f ≈ σ(1) ≈ 0.73, and 0.73⁴⁰ ≈ 4e-6 along the cell path, against 0.98⁴⁰ ≈ 0.5
    # with bias 4: the raised bias keeps (σ(4)/σ(1))⁴⁰ ≈ 1e5 times more; claim ≥ 10×. Against the SimpleRNN
    # (≈ 0.87⁴⁰ ≈ 4e-3) the default LSTM's other paths put it within an order of magnitude either way.
    values = published("gated_cells_gradient_vs_lag", seed)
    assert values["lstm_raised_ratio"] >= 10 * values["lstm_ratio"]
    assert 0.1 < values["lstm_over_simple_rnn"] < 10


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_lstm_with_open_forget_gate_learns_the_recall_task(published, seed):
    # Trained for 10 epochs per seed: with the forget gate near 1 the first sign reaches the last state
    # (and its gradient the first step) almost undamped, so the LSTM ends above chance, and by more than
    # sampling noise above the default LSTM, whose gradient over 39 steps starts ~1e3 times weaker.
    values = published("gated_cells_recall_training", seed)
    assert ABOVE_CHANCE < values["lstm_raised_accuracy"] <= 1
    assert values["lstm_raised_accuracy"] - values["lstm_accuracy"] >= MEANINGFUL_GAP


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_simple_rnn_also_learns_this_lag(published, seed):
    # The page's caveat: a 39-step lag is within a 16-unit SimpleRNN's reach. Its orthogonal kernel
    # (ρ = σ_max = 1) loses only tanh′ per step, about what the default LSTM loses at initialisation,
    # so it ends above chance too, and this run cannot show gates beating a plain RNN.
    values = published("gated_cells_recall_training", seed)
    assert ABOVE_CHANCE < values["simple_rnn_accuracy"] <= 1


def test_default_lstm_can_still_be_at_chance_after_ten_epochs(published):
    # The page: the default LSTM "in ten epochs can still be at chance". Its gradient over 39 steps
    # starts ~1e3 times weaker than the raised-bias LSTM's, so in some seed it should not have left
    # chance (held-out accuracy at most the 1 % chance bound), while every accuracy is a valid fraction.
    runs = [published("gated_cells_recall_training", seed) for seed in CLAIM_SEEDS]
    assert all(0 <= run["lstm_accuracy"] <= 1 for run in runs)
    assert min(run["lstm_accuracy"] for run in runs) <= ABOVE_CHANCE
