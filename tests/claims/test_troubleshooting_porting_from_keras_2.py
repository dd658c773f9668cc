"""Claims of docs/troubleshooting/porting-from-keras-2.md: each Keras 2 form fails, each replacement works."""

import pytest

from tests.conftest import CLAIM_SEEDS

# Keras 3 removed these names (Keras 3.0 release notes / migration guide); what it raises for each.
EXPECTED_FAILURES = {
    "lr_argument": "ValueError",  # unknown keyword: "Argument(s) not recognized"
    "lr_attribute": "AttributeError",
    "set_value": "AttributeError",
    "get_gradients": "AttributeError",
    "K_gradients": "AttributeError",
    "K_mean": "AttributeError",
    "write_grads": "TypeError",  # unexpected keyword argument
    "fit_generator": "AttributeError",
    "leaky_relu_alpha_function": "TypeError",
    "leaky_relu_alpha_layer": "UserWarning",  # accepted, deprecated
    "get_scaled_loss": "AttributeError",
    "get_unscaled_gradients": "AttributeError",
    "legacy_optimizers": "ImportError",
}


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
@pytest.mark.parametrize("row", sorted(EXPECTED_FAILURES))
def test_old_form_fails_and_replacement_works(published, seed, row):
    values = published("keras2_port_replacements", seed)
    assert values[f"{row}_old"] == EXPECTED_FAILURES[row]
    assert values[f"{row}_new_works"] is True


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_3_rejects_write_grads_and_train_step_logs_instead(published, seed):
    # Keras 3's TensorBoard.__init__ lists its arguments explicitly, without **kwargs (unlike
    # tf.keras 2.x, whose _validate_kwargs warned "`write_grads` will be ignored"), so Python
    # itself rejects the keyword; the train_step replacement logged finite norms.
    values = published("keras2_port_replacements", seed)
    assert "unexpected keyword argument 'write_grads'" in values["write_grads_message"]
    assert values["write_grads_new_works"] is True


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tf_keras_is_keras_3(published, seed):
    # TensorFlow ≥ 2.16 makes tf.keras point at the installed Keras 3.
    values = published("keras2_port_replacements", seed)
    assert values["tf_keras_version"].startswith("3.")
    assert values["tf_keras_new_works"] is True


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_scale_loss_multiplies_by_the_initial_scale(published, seed):
    # LossScaleOptimizer's default initial_scale is 2¹⁵.
    assert published("keras2_port_replacements", seed)["loss_scale"] == 2.0**15


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tf_keras_backend_keeps_the_keras_2_functions(published, seed):
    # keras/_tf_keras/keras/backend/__init__.py re-exports keras.src.legacy.backend (mean, square,
    # gradients, set_value, ...): K.mean runs and is correct; K.gradients wraps tf.gradients, which
    # TensorFlow refuses in eager mode with a RuntimeError.
    values = published("keras2_port_replacements", seed)
    assert values["tf_keras_backend_mean_old"] == "no error"
    assert values["tf_keras_backend_mean_works"] is True
    assert values["tf_keras_backend_gradients_old"] == "RuntimeError"
