"""Measure, layer by layer, what a backward pass carries: the backward signal and the kernel gradients.

A Dense layer's kernel gradient is (its input activation)ᵀ × (the backward signal at its output),
so a kernel-gradient norm mixes two things. `probe_layers` separates them: for each layer l it
returns

    backward_signal   ‖∂loss/∂h_l‖, with h_l the layer's output (after its activation)
    kernel_gradient   ‖∂loss/∂W_l‖, for layers that have a kernel (NaN otherwise)
    activation_rms    the root mean square of h_l over the batch, the forward signal's scale

in one forward and one backward pass, computed as training computes them (`training=True`, so
BatchNormalization uses the batch's statistics). Norms are taken in float64: deep sigmoid stacks
produce gradients whose squares underflow float32 (smallest normal ≈ 1.2e-38).

    probe = probe_layers(model, x, y, keras.losses.BinaryCrossentropy())
    probe.backward_signal[0] / probe.backward_signal[-1]   # first over last hidden layer

The model must be built on a `keras.Input` (Sequential or functional). TensorFlow backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf


@dataclass(frozen=True)
class LayerProbe:
    """Per-layer norms from one forward and backward pass; lists run from input to output."""

    names: list[str]
    backward_signal: np.ndarray
    kernel_gradient: np.ndarray
    activation_rms: np.ndarray
    loss: float


def probe_layers(model: keras.Model, x, y, loss_fn, layers: list | None = None) -> LayerProbe:
    """Probe `layers` (default: every layer of `model` except the last, i.e. the hidden layers)."""
    layers = list(model.layers[:-1] if layers is None else layers)
    # A functional view of the same weights that also returns each probed layer's output: those
    # tensors are the ones the loss is computed from, so the tape can differentiate with respect to them.
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs  # a bare tensor: no structure warning
    tapped = keras.Model(inputs, [layer.output for layer in layers] + [model.outputs[0]])
    kernels = [getattr(layer, "kernel", None) for layer in layers]
    with tf.GradientTape() as tape:
        *outputs, prediction = tapped(x, training=True)
        loss = loss_fn(y, prediction)
    signal_grads, kernel_grads = tape.gradient(
        loss, (outputs, [kernel for kernel in kernels if kernel is not None])
    )
    kernel_norms = iter(_norm(g) for g in kernel_grads)
    return LayerProbe(
        names=[layer.name for layer in layers],
        backward_signal=np.array([_norm(g) for g in signal_grads]),
        kernel_gradient=np.array([next(kernel_norms) if k is not None else np.nan for k in kernels]),
        activation_rms=np.array([float(np.sqrt(np.mean(_float64(h) ** 2))) for h in outputs]),
        loss=float(loss),
    )


def _float64(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


def _norm(tensor) -> float:
    # A layer the loss does not depend on has no gradient (None): its signal is exactly zero.
    return 0.0 if tensor is None else float(np.linalg.norm(_float64(tensor)))
