"""Claims of docs/troubleshooting/which-keras.md, checked against the installed packages' metadata and source."""

import importlib.metadata
import importlib.util

import pytest

from tests.conftest import CLAIM_SEEDS


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_tf_keras_is_the_installed_keras_3_and_tf_keras_is_absent(published, seed):
    # TensorFlow's KerasLazyLoader (tensorflow/python/util/lazy_loader.py) routes tf.keras to
    # keras._tf_keras.keras when `keras.__version__` starts with "3." and TF_USE_LEGACY_KERAS is
    # unset, so tf.keras reports the keras package's own version and hands out its classes.
    values = published("keras_which_keras", seed)
    assert values["keras_version"] == importlib.metadata.version("keras")
    assert values["tf_version"] == importlib.metadata.version("tensorflow")
    assert values["tf_keras_version"] == values["keras_version"] and values["keras_version"].startswith("3.")
    assert values["tf_keras_is_keras"] is True
    # The page says tf_keras is not installed here, so it does not execute TF_USE_LEGACY_KERAS=1.
    assert values["tf_keras_package_installed"] is (importlib.util.find_spec("tf_keras") is not None)
    assert values["tf_keras_package_installed"] is False


@pytest.mark.parametrize("seed", CLAIM_SEEDS)
def test_keras_3_optimizers_have_apply_and_keep_apply_gradients(published, seed):
    # keras/src/optimizers/base_optimizer.py defines apply(grads, vars) and
    # apply_gradients(grads_and_vars); SGD(0.5) moved 1.0 by 0.5 with each, so to exactly 0.
    # Keras 3 rejects lr= (no **kwargs in the optimizer's signature beyond named ones: ValueError).
    values = published("keras_which_keras", seed)
    assert values["optimizer_has_apply"] is True
    assert values["both_apply_forms_step"] is True
    assert values["lr_argument"] == "ValueError"
