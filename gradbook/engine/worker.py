"""The warm worker: a long-lived process that imports its Keras backend once and runs snippet after snippet.

It starts its Keras backend (imports it and applies the device and thread settings) when the
parent asks, `{"start_backend": true}`: before the first snippet that uses it, or at once to
prewarm. A snippet that imports only the standard library, NumPy and matplotlib runs without it,
so a worker that runs only such snippets never pays for the import (TensorFlow's is some 8
CPU-seconds on a slow core).

Protocol: one JSON object per line. The parent writes requests to stdin; the worker answers on a
private copy of its original stdout, so nothing a snippet or a C library prints can corrupt the
channel (file descriptor 1 is pointed at stderr, which the parent sends to a log file).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
import json
import os
import resource
import sys
from pathlib import Path


def main() -> None:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--device", choices=["auto", "cpu"], default="auto")
    arguments.add_argument("--project-root", required=True)
    arguments.add_argument("--memory-limit-mib", type=int, default=0)
    arguments.add_argument("--gpu-index", type=int, default=0)
    arguments.add_argument("--threads", type=int, default=0, help="CPU threads for TensorFlow; 0 for its default")
    arguments.add_argument("--backend", choices=["tensorflow", "jax", "torch"], default="tensorflow")
    options = arguments.parse_args()
    # Keras reads this once, at its first import; the parent set the backend's device variables.
    os.environ["KERAS_BACKEND"] = options.backend

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    import matplotlib

    matplotlib.use("Agg")

    from gradbook.engine.backend_use import backend_loaded
    from gradbook.engine.backends import backend_versions
    from gradbook.engine.cache_key import installed_versions
    from gradbook.engine.execution import execute_snippet
    from gradbook.engine.snippet import SnippetFormatError, display_path, load_snippet
    from gradbook.engine.results import SnippetFailure

    versions = installed_versions() | backend_versions(options.backend)
    project_root = Path(options.project_root)
    baseline = frozenset(sys.modules)
    if options.memory_limit_mib:
        limit_snippet_memory(options.memory_limit_mib)
    device = None  # the backend's device label, once started
    _send(channel, {"status": "ready", "versions": versions, "pid": os.getpid()})

    for line in sys.stdin:
        request = json.loads(line)
        if request.get("start_backend"):
            if device is None:
                device, baseline = start_backend_once(options, baseline)
            _send(channel, {"status": "backend started", "device": device})
            continue
        path = Path(request["path"]).resolve()
        try:
            snippet = load_snippet(path)
            if snippet.uses_backend and device is None:  # the parent asks first; this is for a file edited since
                device, baseline = start_backend_once(options, baseline)
            outcome = execute_snippet(snippet, request.get("seed"), project_root, baseline, device, versions, options.backend)
        except (OSError, SnippetFormatError) as error:
            outcome = SnippetFailure(path.stem, display_path(path, project_root), None, str(error))
        # A snippet that slipped the backend in unseen left it without this worker's settings.
        restart = device is None and backend_loaded()
        if isinstance(outcome, SnippetFailure):
            _send(channel, {"status": "failed", "failure": asdict(outcome), "restart": restart})
        else:
            _send(channel, {"status": "ok", "run": outcome.to_json(), "restart": restart})


def start_backend_once(options, baseline: frozenset[str]) -> tuple[str, frozenset[str]]:
    """Start the backend; return its device label and the baseline grown by the modules it loaded
    (not by a previous snippet's local modules, which must still be forgotten before the next run)."""
    before = set(sys.modules)
    if options.memory_limit_mib:
        # The import is the worker's own footprint, not a snippet's: lift the limit while it runs.
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))
    device = start_backend(options)
    # Keras, and what its seeding imports (TensorFlow too, under JAX and torch, for tf.data), belong
    # to the start, not to the first snippet's run, and to the baseline that each run's scan of
    # sys.modules for local modules skips: some 3,000 modules, 0.24 s a run when they were not.
    import keras

    keras.utils.set_random_seed(0)
    if options.memory_limit_mib:
        limit_snippet_memory(options.memory_limit_mib)
    return device, baseline | (frozenset(sys.modules) - before)


def start_backend(options) -> str:
    """Import the backend, apply this worker's device and thread share; return the device label."""
    if options.backend == "jax":
        import jax

        from gradbook.engine.device import jax_device_label

        return jax_device_label(jax)
    if options.backend == "torch":
        import torch

        from gradbook.engine.device import torch_device_label

        if options.threads:
            torch.set_num_threads(options.threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
        return torch_device_label(torch)
    import tensorflow as tf

    from gradbook.engine.device import limit_threads, select_device, split_cpu

    if options.threads:
        limit_threads(tf.config, options.threads)
    split_cpu(tf.config)
    device = select_device(tf.config, force_cpu=options.device == "cpu", gpu_index=options.gpu_index)
    tf.config.experimental.enable_op_determinism()
    return device


def limit_snippet_memory(mebibytes: int) -> None:
    """Let snippets allocate at most this much beyond what the warm worker already holds.

    RLIMIT_DATA covers heap and private anonymous mappings (NumPy and TensorFlow buffers), so a
    runaway allocation raises MemoryError in the snippet instead of exhausting the machine.
    """
    status = Path("/proc/self/status").read_text()
    data_kib = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmData:")))
    limit = data_kib * 1024 + mebibytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))


def _send(channel, message: dict) -> None:
    # Peak resident memory so far (Linux reports KiB), for the build's closing report.
    message["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    channel.write(json.dumps(message) + "\n")
    channel.flush()


if __name__ == "__main__":
    main()
