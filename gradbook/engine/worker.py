"""The warm worker: a long-lived process that imports TensorFlow once and runs snippet after snippet.

Protocol: one JSON object per line. The parent writes requests to stdin; the worker answers on a
private copy of its original stdout, so nothing a snippet or a C library prints can corrupt the
channel (file descriptor 1 is pointed at stderr, which the parent sends to a log file).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
import json
import os
import sys
from pathlib import Path


def main() -> None:
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--device", choices=["auto", "cpu"], default="auto")
    arguments.add_argument("--project-root", required=True)
    options = arguments.parse_args()

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    import matplotlib

    matplotlib.use("Agg")
    import tensorflow as tf

    from gradbook.engine.cache_key import installed_versions
    from gradbook.engine.device import select_device
    from gradbook.engine.execution import execute_snippet
    from gradbook.engine.snippet import SnippetFormatError, display_path, load_snippet
    from gradbook.engine.results import SnippetFailure

    device = select_device(tf.config, force_cpu=options.device == "cpu")
    tf.config.experimental.enable_op_determinism()
    versions = installed_versions()
    project_root = Path(options.project_root)
    baseline = frozenset(sys.modules)
    _send(channel, {"status": "ready", "device": device, "versions": versions, "pid": os.getpid()})

    for line in sys.stdin:
        request = json.loads(line)
        path = Path(request["path"]).resolve()
        try:
            snippet = load_snippet(path)
            outcome = execute_snippet(snippet, request.get("seed"), project_root, baseline, device, versions)
        except (OSError, SnippetFormatError) as error:
            outcome = SnippetFailure(path.stem, display_path(path, project_root), None, str(error))
        if isinstance(outcome, SnippetFailure):
            _send(channel, {"status": "failed", "failure": asdict(outcome)})
        else:
            _send(channel, {"status": "ok", "run": outcome.to_json()})


def _send(channel, message: dict) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


if __name__ == "__main__":
    main()
