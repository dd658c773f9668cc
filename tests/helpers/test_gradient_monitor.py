"""GradientMonitor (gradbook/gradient_monitor.py) against gradients taken directly with tf.GradientTape.

Each test builds a small model of one kind the monitor must cover (BatchNormalization, LSTM,
MultiHeadAttention, Embedding, mixed precision), lets the monitor probe it, then recomputes the
same norms by hand: a forward pass with training=True under a GradientTape, the gradient of the
loss with respect to every trainable variable and every layer's output, norms in float64.
"""

import glob
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gradbook.gradient_monitor import GradientMonitor

BCE = keras.losses.BinaryCrossentropy()


def binary_data(samples, features, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features)).astype("float32")
    return x, (x.sum(axis=1, keepdims=True) > 0).astype("float32")


def norm64(gradient):
    # IndexedSlices (an Embedding's gradient) densified first: repeated rows are summed.
    return float(np.linalg.norm(np.asarray(tf.convert_to_tensor(gradient).numpy(), dtype=np.float64)))


def direct_variable_norms(model, x, y, loss_fn, training=True):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=training))
    gradients = tape.gradient(loss, model.trainable_variables)
    return {variable.path: norm64(g) for variable, g in zip(model.trainable_variables, gradients)}


def direct_backward_signal(model, x, y, loss_fn):
    """‖∂L/∂h_l‖ for the hidden layers of a Sequential model, calling its layers one by one."""
    with tf.GradientTape() as tape:
        outputs, h = [], x
        for layer in model.layers:
            h = layer(h, training=True)
            outputs.append(h)
        loss = loss_fn(y, h)
    gradients = tape.gradient(loss, outputs[:-1])
    return {layer.name: norm64(g) for layer, g in zip(model.layers[:-1], gradients)}


def probe(model, x, y, loss_fn=BCE, **kwargs):
    monitor = GradientMonitor(x, y, loss_fn, **kwargs)
    monitor.set_model(model)
    return monitor.measure()


def assert_same_norms(measured, direct, rel=1e-5):
    assert list(measured) == list(direct)
    for name, norm in direct.items():
        assert measured[name] == pytest.approx(norm, rel=rel, abs=1e-30), name


def test_monitor_records_the_norms_gradient_tape_computes():
    # After fit, the monitor's last record must equal the norms computed directly at the final
    # weights with training=True. Dropout draws its mask from a seed generator whose state the
    # monitor restores, so the direct pass below draws the same mask the monitor drew.
    keras.utils.set_random_seed(0)
    x, y = binary_data(64, 8)
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, activation="sigmoid"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(8, activation="sigmoid"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    monitor = GradientMonitor(x, y, BCE)
    model.fit(x, y, batch_size=16, epochs=2, callbacks=[monitor], verbose=0)

    assert len(monitor.history) == 2
    record = monitor.history[-1]
    state = [v.numpy() for v in model.non_trainable_variables]
    assert_same_norms(record.variables, direct_variable_norms(model, x, y, BCE))
    for variable, value in zip(model.non_trainable_variables, state):
        variable.assign(value)  # the same dropout mask again for the backward signal
    # Per layer: the root of the sum of its variables' squared norms (kernel and bias).
    for layer in model.layers[::2]:
        parts = [record.variables[v.path] for v in layer.trainable_variables]
        assert record.layers[layer.name] == pytest.approx(math.hypot(*parts), rel=1e-12)
    assert "dropout" not in record.layers  # no trainable variables
    assert_same_norms(record.backward_signal, direct_backward_signal(model, x, y, BCE))


def bn_model():
    keras.utils.set_random_seed(1)
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def test_batch_norm_model_is_measured_as_training_computes_it_and_left_unchanged():
    x, y = binary_data(32, 6)
    # Shift the inputs so the batch statistics differ from the initial moving ones (mean 0, var 1).
    x = 3.0 * x + 2.0
    model = bn_model()
    bn = model.layers[1]
    before = [v.numpy().copy() for v in model.non_trainable_variables]

    record = probe(model, x, y)

    # Probing restored the moving statistics that Keras 3 assigns inside call(training=True).
    for variable, value in zip(model.non_trainable_variables, before):
        np.testing.assert_array_equal(variable.numpy(), value)
    direct = direct_variable_norms(model, x, y, BCE)
    assert_same_norms(record.variables, direct)
    assert sorted(v.path.rsplit("/", 1)[1] for v in bn.trainable_variables) == ["beta", "gamma"]
    assert {v.path for v in bn.trainable_variables} <= set(record.variables)
    assert_same_norms(record.backward_signal, direct_backward_signal(model, x, y, BCE))
    # The direct training=True pass above did move them, so the check could fail.
    assert not np.allclose(bn.moving_mean.numpy(), before[0])
    # With moving statistics (training=False) the first kernel's gradient is a different number.
    inference = direct_variable_norms(model, x, y, BCE, training=False)
    kernel = model.layers[0].kernel.path
    assert abs(inference[kernel] - record.variables[kernel]) > 0.05 * record.variables[kernel]


def test_training_with_the_monitor_takes_the_same_steps_as_without():
    # The monitor restores every non-trainable variable (BN moving statistics, Dropout's seed
    # state): two identical fits, one with the monitor, must end with identical variables.
    x, y = binary_data(64, 6)
    finals = []
    for callbacks in ([], [GradientMonitor(x[:16], y[:16], BCE)]):
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Dense(8),
                keras.layers.BatchNormalization(),
                keras.layers.Activation("relu"),
                keras.layers.Dropout(0.3),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        model.fit(x, y, batch_size=16, epochs=2, callbacks=callbacks, verbose=0, shuffle=False)
        finals.append([v.numpy() for v in model.variables])
    for without, with_monitor in zip(*finals):
        np.testing.assert_array_equal(without, with_monitor)


def test_lstm_recurrent_kernel_is_covered():
    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 12, 3)).astype("float32")
    y = (x[:, 0, :1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((12, 3)), keras.layers.LSTM(8, name="lstm"), keras.layers.Dense(1, activation="sigmoid")])

    record = probe(model, x, y)

    assert_same_norms(record.variables, direct_variable_norms(model, x, y, BCE))
    paths = [v.path for v in model.layers[0].trainable_variables]
    assert any(path.endswith("recurrent_kernel") for path in paths)
    assert set(paths) <= set(record.variables)
    assert record.layers["lstm"] == pytest.approx(math.hypot(*(record.variables[p] for p in paths)), rel=1e-12)
    assert_same_norms(record.backward_signal, direct_backward_signal(model, x, y, BCE))


def test_attention_projections_are_covered():
    keras.utils.set_random_seed(4)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 5, 4)).astype("float32")
    y = (x[:, :, 0].mean(axis=1, keepdims=True) > 0).astype("float32")
    tokens = keras.Input((5, 4))
    attended = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="attention")(tokens, tokens)
    block = keras.layers.LayerNormalization(name="norm")(keras.layers.Add(name="residual")([tokens, attended]))
    pooled = keras.layers.GlobalAveragePooling1D(name="pool")(block)
    model = keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid", name="readout")(pooled))

    record = probe(model, x, y)

    assert_same_norms(record.variables, direct_variable_norms(model, x, y, BCE))
    attention_paths = [v.path for v in model.get_layer("attention").trainable_variables]
    for projection in ("query", "key", "value", "attention_output"):
        assert any(f"/{projection}/kernel" in path for path in attention_paths), projection
    assert all(record.variables[path] > 0 for path in attention_paths)
    # The attention output's backward signal, directly: the gradient with respect to that tensor.
    tapped = keras.Model(tokens, [attended, model.output])
    with tf.GradientTape() as tape:
        h, prediction = tapped(x, training=True)
        loss = BCE(y, prediction)
    assert record.backward_signal["attention"] == pytest.approx(norm64(tape.gradient(loss, h)), rel=1e-5)


def test_embedding_gradient_sums_repeated_tokens():
    keras.utils.set_random_seed(5)
    tokens = np.array([[1, 1, 1, 2], [3, 1, 4, 4]] * 4, dtype="int32")  # token 1 repeats
    y = np.array([[1.0], [0.0]] * 4, dtype="float32")
    model = keras.Sequential(
        [
            keras.Input((4,), dtype="int32"),
            keras.layers.Embedding(10, 6, name="embedding"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )

    record = probe(model, tokens, y)

    direct = direct_variable_norms(model, tokens, y, BCE)
    assert_same_norms(record.variables, direct)
    # The naive norm of the IndexedSlices' values counts each occurrence as its own row: wrong.
    with tf.GradientTape() as tape:
        loss = BCE(y, model(tokens, training=True))
    slices = tape.gradient(loss, model.layers[0].embeddings)
    assert isinstance(slices, tf.IndexedSlices)
    embedding = model.layers[0].embeddings.path
    assert abs(float(tf.norm(slices.values)) - record.variables[embedding]) > 1e-3 * record.variables[embedding]


@pytest.fixture
def mixed_float16():
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    yield
    keras.mixed_precision.set_dtype_policy("float32")


def tiny_loss(y, prediction):
    # A loss weighted by 1e-7: its gradients (≈1e-9 per element here) lie below float16's
    # smallest subnormal, 2⁻²⁴ ≈ 6e-8, so an unscaled float16 backward pass returns zeros.
    return 1e-7 * BCE(y, prediction)


def mlp():
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(16, activation="tanh", name="hidden_1"),
            keras.layers.Dense(16, activation="tanh", name="hidden_2"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ]
    )


@pytest.mark.parametrize("initial_scale", [None, 2.0**15, 2.0**60])
def test_mixed_float16_gradients_are_scaled_and_unscaled(mixed_float16, initial_scale):
    x, y = binary_data(64, 6)
    keras.utils.set_random_seed(6)
    model = mlp()
    assert model.layers[0].compute_dtype == "float16"
    if initial_scale is not None:  # 2⁶⁰ overflows float16 (max 65504): the monitor must back off
        model.compile(optimizer=keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=initial_scale))
    keras.mixed_precision.set_dtype_policy("float32")
    reference = mlp()
    reference.set_weights(model.get_weights())

    record = probe(model, x, y, loss_fn=tiny_loss)

    # The float32 copy's norms; the float16 forward pass rounds at ≈ 2⁻¹¹ ≈ 5e-4 per operation.
    direct = direct_variable_norms(reference, x, y, tiny_loss)
    assert [name.split("/", 1)[1] for name in record.variables] == [name.split("/", 1)[1] for name in direct]
    for measured, expected in zip(record.variables.values(), direct.values()):
        assert measured == pytest.approx(expected, rel=2e-2)
    assert all(math.isfinite(norm) and norm > 0 for norm in record.backward_signal.values())
    assert 1 <= record.loss_scale <= (initial_scale or 2.0**15)
    if initial_scale == 2.0**60:
        assert record.loss_scale < initial_scale  # it backed off from the overflowing scale
    # Without the scale the float16 gradients underflow, so the comparison above could fail.
    unscaled = direct_variable_norms(model, x, y, tiny_loss)
    hidden_1 = next(name for name in unscaled if "hidden_1/kernel" in name)
    assert unscaled[hidden_1] < 0.1 * record.variables[hidden_1]


def test_tensorboard_event_files_hold_the_per_layer_scalars(tmp_path):
    x, y = binary_data(32, 6)
    keras.utils.set_random_seed(7)
    model = mlp()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    monitor = GradientMonitor(x, y, BCE, log_dir=str(tmp_path))
    model.fit(x, y, batch_size=16, epochs=2, callbacks=[monitor], verbose=0)

    logged = {}
    for path in glob.glob(str(tmp_path / "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                logged[(value.tag, event.step)] = float(tf.make_ndarray(value.tensor))
    expected = {}
    for epoch, record in enumerate(monitor.history):
        expected.update({(f"grad_norm/{name}", epoch): norm for name, norm in record.layers.items()})
        expected.update({(f"backward_signal/{name}", epoch): norm for name, norm in record.backward_signal.items()})
    assert set(logged) == set(expected)
    assert {tag for tag, _ in logged} >= {"grad_norm/hidden_1", "grad_norm/output", "backward_signal/hidden_1"}
    for key, value in expected.items():
        assert logged[key] == pytest.approx(value, rel=1e-6)  # written as float32
