"""Claims of docs/troubleshooting/find-the-layer-that-makes-nan.md."""

import pytest

from gradbook.engine.backends import backend_installed
from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_every_method_reports_the_planted_layer(published, seed):
    # The planted layer takes log of a linear layer's output, which is negative for about half
    # the entries (a symmetric pre-activation), so it is the first non-finite output; every
    # layer before it only applies finite affine maps and ReLU to finite standard-normal data.
    values = published("find_nan_layer", seed)
    assert values["layers_before_planted_finite"]
    assert values["first_bad_layer"] == values["planted_layer"]
    assert values["check_numerics_layer"] == values["planted_layer"]
    assert values["enable_check_numerics_op"] == "Log"
    assert values["enable_check_numerics_layer_class"] == "LogFeatures"
    assert values["fit_error_names_planted_layer"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_nan_spreads_to_every_later_layer(published, seed):
    # A NaN in any input of a dense layer's dot product makes every output NaN, so the output is
    # entirely non-finite; the planted layer itself is NaN where its input is negative: with a
    # symmetric pre-activation that is about half, and certainly between 10 % and 90 % of 1024.
    values = published("find_nan_layer", seed)
    assert 0.1 < values["planted_nonfinite_fraction"] < 0.9
    assert values["output_nonfinite_fraction"] == 1.0


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_xla_cannot_compile_the_checks(published, seed):
    # enable_check_numerics inserts DebugNumericSummaryV2 ops, which have no XLA kernel: under
    # jit_compile=True the graph fails to compile instead of naming the faulty layer.
    values = published("find_nan_layer", seed)
    assert values["jit_error_raised"] and values["jit_error_unsupported_op"]
    assert not values["jit_error_names_planted_layer"]


# ---- The layer-by-layer check on every backend (snippets find_nan_layer_*) ----

WALK_SNIPPETS = {backend: f"find_nan_layer_{backend}" for backend in ("tensorflow", "jax", "torch")}


def _walk_backends():
    return [
        pytest.param(backend, marks=pytest.mark.skipif(not backend_installed(backend), reason=f"{backend} not installed"))
        for backend in WALK_SNIPPETS
    ]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _walk_backends())
def test_forward_walk_finds_the_log_layer_on_every_backend(published, backend, seed):
    # log of a symmetric pre-activation is NaN for about half its entries, and the two layers
    # before it map finite data to finite values: the forward walk stops at the planted layer.
    # The loss is then NaN, and so is its gradient with respect to the output.
    values = published(WALK_SNIPPETS[backend], seed)
    assert values["backend"] == backend
    assert values["log_layers_before_finite"]
    assert values["log_forward_first_bad"] == "log_features"
    assert values["log_forward_first_bad_index"] == values["log_planted_index"] == 2
    assert values["log_loss_gradient_nonfinite"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _walk_backends())
def test_backward_walk_finds_the_where_power_layer_on_every_backend(published, backend, seed):
    # where(x > 0, x ** 0.5, 0) is finite forward (every output is √x ≥ 0 or 0), so the forward walk
    # finds nothing. Backward, where's gradient sends 0 to the discarded branch and
    # 0 · 0.5 · x^−0.5 = 0 · NaN = NaN (IEEE 754) at every x < 0, about half the entries: the
    # layer's input gradient is NaN while every gradient after it (from the finite MSE loss
    # through Dense layers) is finite.
    values = published(WALK_SNIPPETS[backend], seed)
    assert values["backend"] == backend
    assert values["root_forward_all_finite"]
    assert values["root_gradients_after_planted_finite"]
    assert values["root_backward_first_bad"] == "root_features"
    assert values["root_backward_first_bad_index"] == values["root_planted_index"] == 2


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("backend", _walk_backends()[1:])
def test_every_backend_names_the_same_layers_as_tensorflow(published, backend, seed):
    # Same NumPy-drawn weights and data: the faults sit at the same entries on every backend, so
    # the layer indices must agree exactly, with each other, with the planted position (the third
    # layer, index 2) and with the TensorFlow snippet of the page above.
    reference = published(WALK_SNIPPETS["tensorflow"], seed)
    values = published(WALK_SNIPPETS[backend], seed)
    assert reference["backend"] == "tensorflow" and values["backend"] == backend
    assert values["log_forward_first_bad_index"] == reference["log_forward_first_bad_index"] == 2
    assert values["root_backward_first_bad_index"] == reference["root_backward_first_bad_index"] == 2
    assert reference["log_forward_first_bad"] == published("find_nan_layer", seed)["first_bad_layer"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_detect_anomaly_names_the_power_backward_function(published, seed):
    # torch.autograd.detect_anomaly raises at the first backward function returning NaN: the
    # power's backward, not a Keras layer name. keras.ops.power converts the exponent to a tensor
    # (keras/src/backend/torch/numpy.py), so torch.pow(Tensor, Tensor) runs and its backward is
    # PowBackward1 (PowBackward0 is pow with a Python-number exponent).
    # It raised in the backward pass of a model whose forward pass was finite everywhere.
    values = published(WALK_SNIPPETS["torch"], seed)
    assert values["backend"] == "torch"
    assert values["detect_anomaly_function"] == "PowBackward1"
    assert values["root_forward_all_finite"]


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_jax_debug_nans_stops_at_the_discarded_power_in_the_forward_pass(published, seed):
    # With jax_debug_nans every operation's output is checked (jax/_src/config.py). The walk runs
    # the model forward first, and x ** 0.5 is NaN for the x < 0 entries (about half of a symmetric
    # pre-activation) before `where` discards them: the check raises there, at the pow primitive,
    # inside the layer's call, whose class Keras's error handler names in the message. The
    # config.update form did not raise in the same process after a first walk (observed, not
    # derived: the page says so and says it is untraced).
    values = published(WALK_SNIPPETS["jax"], seed)
    assert values["backend"] == "jax"
    assert values["root_forward_all_finite"]  # no layer output shows that NaN
    assert values["debug_nans_primitive"] == "pow"
    assert values["debug_nans_in_layer_call"] and values["debug_nans_names_layer_class"]
    assert values["debug_nans_config_update_raised"] is False
