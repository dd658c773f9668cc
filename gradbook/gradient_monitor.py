"""Watch per-layer gradients of a Keras model while it trains: every trainable variable, and the backward signal.

`GradientMonitor` is a callback: at the end of every epoch it runs one forward and one backward
pass on a fixed probe batch, computed as training computes them, and records

    variables          ‖∂L/∂v‖ for every trainable variable v, keyed by `v.path`: kernels, biases,
                       recurrent kernels, attention projections, embeddings, BatchNorm γ and β
    layers             ‖∂L/∂(all trainable variables of the layer)‖, keyed by layer name
    backward_signal    ‖∂L/∂h_l‖, with h_l the layer's output, keyed by layer name

A kernel's gradient is (input activation) × (backward signal): it can look healthy while the
backward signal vanishes, so watch both. Measuring follows training, with three differences
that keep the probe from changing or misreading the model:

- `training=True`, so BatchNormalization normalises with the batch's statistics and Dropout
  drops, as in `fit`. Keras 3 layers update their state inside `call` (BatchNormalization assigns
  its moving mean and variance, Dropout advances its seed generator), so every non-trainable
  variable is saved before the probe and restored after it: training with the monitor takes
  exactly the same steps as training without it.
- Under a float16 compute policy (`mixed_float16`) the loss is multiplied by a loss scale before
  the backward pass, as `fit` does (the optimizer's current scale when it is a
  `LossScaleOptimizer`, 2¹⁵ otherwise), and the gradients are divided by it in float64; a scale
  that overflows float16 is halved until the gradients are finite or the scale reaches 1.
- Norms are taken in float64: deep sigmoid stacks produce gradients whose squares underflow
  float32 (smallest normal ≈ 1.2e-38).

The loss is `loss_fn(y, prediction)` plus the model's regularisation losses (`model.losses`),
as `fit` adds them. Give a `log_dir` to also write every per-layer number to TensorBoard as
scalars `grad_norm/<layer>` and `backward_signal/<layer>` (Keras 3's TensorBoard callback logs
no gradients).

    monitor = GradientMonitor(x_probe, y_probe, keras.losses.BinaryCrossentropy(), log_dir="logs")
    model.fit(x, y, epochs=5, callbacks=[monitor])
    monitor.history[-1].layers            # {"dense": 3.1e-07, "dense_1": 2.4e-05, ...}
    monitor.history[-1].backward_signal   # {"dense": 1.2e-06, ...}

The backward signal needs the layers' output tensors, so it is recorded for models built on a
`keras.Input` (Sequential or functional) and left empty for subclassed models. A model whose
cross-entropy loss reads a sigmoid or softmax output has no entry for its output layer: Keras
computes that loss from the logits stored with the output, so no gradient passes through the
output tensor itself. TensorFlow backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import summary_pb2

FLOAT16_DEFAULT_LOSS_SCALE = 2.0**15  # LossScaleOptimizer's default initial_scale
# TensorBoard shows a summary as a scalar when its metadata names the "scalars" plugin.
_SCALAR_METADATA = summary_pb2.SummaryMetadata(
    plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars")
).SerializeToString()


@dataclass(frozen=True)
class GradientRecord:
    """One probe: the norms of the loss gradient at the model's current weights."""

    loss: float
    variables: dict[str, float]
    layers: dict[str, float]
    backward_signal: dict[str, float]
    loss_scale: float


class GradientMonitor(keras.callbacks.Callback):
    """Record per-variable and per-layer gradient norms and the backward signal, once per epoch."""

    def __init__(self, x, y, loss_fn, log_dir: str | None = None):
        super().__init__()
        # A fixed probe batch, so that epoch-to-epoch changes come from the weights, not the data.
        self.x, self.y, self.loss_fn = x, y, loss_fn
        self.log_dir = log_dir
        self.history: list[GradientRecord] = []
        self._writer = None
        self._tapped = None  # (model, functional view returning each layer's output)

    def measure(self) -> GradientRecord:
        """Probe `self.model` at its current weights, leaving every variable as it was."""
        model = self.model
        saved = [variable.numpy() for variable in model.non_trainable_variables]
        try:
            return self._measure(model)
        finally:
            for variable, value in zip(model.non_trainable_variables, saved):
                variable.assign(value)

    def on_epoch_end(self, epoch, logs=None):
        record = self.measure()
        self.history.append(record)
        if self.log_dir is not None:
            self._log(record, step=epoch)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.flush()

    def _measure(self, model) -> GradientRecord:
        variables = _unique(model.trainable_variables)
        scale = _initial_loss_scale(model)
        while True:
            loss, variable_grads, signal_grads = self._backward(model, variables, scale)
            finite = all(_finite(g) for g in variable_grads + list(signal_grads.values()))
            if finite or scale <= 1.0:
                break
            scale /= 2.0  # the scaled gradients overflowed float16: retry with a smaller scale
        variable_norms = {v.path: _norm(g, scale) for v, g in zip(variables, variable_grads)}
        layer_norms = {}
        for layer in model.layers:
            own = [variable_norms[v.path] for v in _unique(layer.trainable_variables)]
            if own:
                layer_norms[layer.name] = math.sqrt(sum(n * n for n in own))
        return GradientRecord(
            loss=float(loss),
            variables=variable_norms,
            layers=layer_norms,
            backward_signal={name: _norm(g, scale) for name, g in signal_grads.items()},
            loss_scale=scale,
        )

    def _backward(self, model, variables, scale):
        tapped, layers = self._tapped_view(model)
        with tf.GradientTape() as tape:
            if tapped is None:
                outputs, prediction = [], model(self.x, training=True)
            else:
                outputs = tapped(self.x, training=True)
                # The model's prediction is the output of its last layer(s): the same tensors.
                prediction = outputs[-1] if len(model.outputs) == 1 else outputs[-len(model.outputs):]
            loss = keras.ops.cast(self.loss_fn(self.y, prediction), "float32")
            for extra in model.losses:  # regularisation penalties, as fit adds them
                loss = loss + keras.ops.cast(keras.ops.sum(extra), "float32")
            scaled = loss * scale
        variable_grads, signal_grads = tape.gradient(scaled, (variables, outputs))
        # No gradient reaches an output the loss reads around: Keras computes cross-entropy on a
        # sigmoid or softmax output from the logits it stores with that tensor.
        signals = {layer.name: g for layer, g in zip(layers, signal_grads) if tf.nest.flatten(g) != [None]}
        return loss, variable_grads, signals

    def _tapped_view(self, model):
        """A functional model with the same weights that also returns every layer's output."""
        if self._tapped is not None and self._tapped[0] is model:
            return self._tapped[1:]
        view, layers = None, []
        try:
            layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
            outputs = [layer.output for layer in layers]
            # Differentiate with respect to the tensors the loss is computed from: the model's
            # outputs must be the last layers' outputs, in order (they are for Sequential models).
            if [id(t) for t in outputs[-len(model.outputs):]] != [id(t) for t in model.outputs]:
                raise ValueError("the model's outputs are not its last layers' outputs")
            inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
            view = keras.Model(inputs, outputs)
        except (AttributeError, ValueError, TypeError):
            view, layers = None, []  # subclassed model, or a layer used twice: no single output tensor
        self._tapped = (model, view, layers)
        return view, layers

    def _log(self, record: GradientRecord, step: int):
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        scalars = {f"grad_norm/{name}": norm for name, norm in record.layers.items()}
        scalars.update({f"backward_signal/{name}": norm for name, norm in record.backward_signal.items()})
        with self._writer.as_default(step=step):
            for tag, value in scalars.items():
                # What tf.summary.scalar writes, without needing the tensorboard package installed.
                tf.summary.write(tag, tf.constant(value, tf.float32), metadata=_SCALAR_METADATA)
        self._writer.flush()


def _initial_loss_scale(model) -> float:
    """The loss scale fit would use: none unless some layer computes in float16."""
    if "float16" not in [layer.compute_dtype for layer in [model, *model.layers]]:
        return 1.0
    optimizer = getattr(model, "optimizer", None)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and optimizer.built:
        return float(optimizer.dynamic_scale)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return float(optimizer.initial_scale)
    return FLOAT16_DEFAULT_LOSS_SCALE


def _unique(variables):
    seen, unique = set(), []
    for variable in variables:
        if id(variable) not in seen:
            seen.add(id(variable))
            unique.append(variable)
    return unique


def _float64_parts(gradient) -> list[np.ndarray]:
    # A layer with several outputs (an LSTM returning its state) has one gradient per output; a
    # tensor the loss does not depend on has none (None). An Embedding's gradient is IndexedSlices:
    # densifying it sums the rows of repeated indices.
    return [
        np.asarray(tf.convert_to_tensor(part).numpy(), dtype=np.float64)
        for part in tf.nest.flatten(gradient)
        if part is not None
    ]


def _finite(gradient) -> bool:
    return all(np.all(np.isfinite(part)) for part in _float64_parts(gradient))


def _norm(gradient, scale: float) -> float:
    squares = sum(float(np.sum(part * part)) for part in _float64_parts(gradient))
    return math.sqrt(squares) / scale
