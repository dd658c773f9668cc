"""The parent's handle on the warm worker: start it, send it a snippet, enforce the timeout.

A worker that hangs past the timeout is killed; one that dies (crash, `os._exit`, out of memory) is
noticed when its channel closes. Either way the caller gets a SnippetFailure naming the snippet and
the cause, and the next request starts a fresh worker.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gradbook.engine.device import WorkerSlot, backend_environment
from gradbook.engine.results import SnippetFailure, SnippetRun

STARTUP_TIMEOUT = 300.0  # importing TensorFlow on a busy 2-core machine can take a while
STDERR_TAIL_LINES = 12


class WorkerStartupError(RuntimeError):
    pass


class WorkerProcess:
    def __init__(
        self, project_root: Path, force_cpu: bool, memory_limit_mib: int = 0, slot: WorkerSlot | None = None,
        backend: str = "tensorflow", niceness: int = 0,
    ):
        self.project_root = Path(project_root)
        self.niceness = niceness  # above 0: the scheduler favours every other process (serve's pages)
        self.backend = backend
        self.force_cpu = force_cpu
        self.memory_limit_mib = memory_limit_mib
        self.slot = slot  # None: TensorFlow's own device and thread defaults
        self.device: str | None = None
        self.pid: int | None = None
        self.starts = 0
        self.peak_rss_mib = 0.0  # the largest any worker of this handle has grown to
        self._process: subprocess.Popen | None = None
        self._ready = False
        self._backend_requested = False
        self._lines: queue.Queue | None = None
        self._stderr = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def run(
        self, path: Path, shown_path: str, seed: int | None, timeout: float, uses_backend: bool = True,
    ) -> SnippetRun | SnippetFailure:
        if not self.alive:
            self.spawn()
        if not self._ready:
            self._await_ready()
        if uses_backend:
            self._await_backend()  # under the startup limit: the snippet's own timeout starts after it
        self._send({"path": str(path), "seed": seed})
        try:
            message = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return SnippetFailure(
                Path(path).stem, shown_path, None,
                f"timed out after {timeout:g} s; the worker was killed and will be restarted "
                "(raise the limit with a 'Timeout: <seconds>' line in the snippet's docstring)",
            )
        if message is None:
            return self._death_failure(path, shown_path)
        self.peak_rss_mib = max(self.peak_rss_mib, message.get("peak_rss_mib", 0.0))
        if message.get("restart"):  # the snippet imported the backend unseen, without the worker's settings
            self.stop()
        if message["status"] == "failed":
            return SnippetFailure(**message["failure"])
        return SnippetRun.from_json(message["run"])

    def start_backend(self) -> None:
        """Ask the worker to start its backend without waiting for it (prewarming)."""
        if not self.alive:
            self.spawn()
        if not self._backend_requested:
            self._send({"start_backend": True})
            self._backend_requested = True

    def _await_backend(self) -> None:
        if self.device is not None:
            return
        self.start_backend()
        started = self._await_startup_message("backend started", f"failed to start its Keras backend ({self.backend})")
        self.device = started["device"]

    def _send(self, request: dict) -> None:
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()

    def spawn(self) -> None:
        """Launch a worker without waiting for it (its backend starts when asked: `start_backend`)."""
        self.stop()
        self._stderr = tempfile.TemporaryFile(mode="w+", prefix="gradbook-worker-")
        command = [sys.executable, "-m", "gradbook.engine.worker", "--project-root", str(self.project_root)]
        command += ["--device", "cpu" if self.force_cpu else "auto", "--memory-limit-mib", str(self.memory_limit_mib)]
        command += ["--backend", self.backend]
        environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
        environment.update(backend_environment(self.backend, self.force_cpu, self.slot.gpu_index if self.slot else 0))
        if self.slot is not None:
            command += ["--gpu-index", str(self.slot.gpu_index), "--threads", str(self.slot.threads)]
            # NumPy's BLAS reads these once, at import: a worker's share of the cores.
            environment.update({name: str(self.slot.threads) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            cwd=self.project_root, env=environment, text=True, start_new_session=True,
        )
        if self.niceness:
            # Set from here, not in the child, so the worker's own code stays as it is; the few
            # milliseconds before this line are Python starting up.
            os.setpriority(os.PRIO_PROCESS, self._process.pid, self.niceness)
        self._ready = False
        self.device = None  # set once the worker has started its backend
        self._backend_requested = False
        self._lines = queue.Queue()
        threading.Thread(target=_pump_lines, args=(self._process.stdout, self._lines), daemon=True).start()

    def _await_ready(self) -> None:
        ready = self._await_startup_message("ready", "failed to start")
        self.pid, self._ready = ready["pid"], True
        self.starts += 1

    def _await_startup_message(self, status: str, failure: str) -> dict:
        """The worker's next message, which must say `status` within the start-up limit; else the
        worker is stopped and the error carries the end of its stderr."""
        try:
            message = self._lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            message = None
        if not message or message.get("status") != status:
            tail = self._stderr_tail()
            self.stop()
            raise WorkerStartupError(f"the snippet worker {failure}:\n{tail}")
        return message

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            # The worker leads its own session: kill the group, so its children go too.
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._process = None

    def _death_failure(self, path: Path, shown_path: str) -> SnippetFailure:
        deadline = time.monotonic() + 5
        while self._process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        code = self._process.returncode
        cause = f"killed by signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
        tail = self._stderr_tail()
        self.stop()
        return SnippetFailure(
            Path(path).stem, shown_path, None,
            f"the worker died while running it ({cause}); it will be restarted for the next snippet",
            tail,
        )

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.flush()
        self._stderr.seek(0)
        lines = self._stderr.read().splitlines()
        return "\n".join(lines[-STDERR_TAIL_LINES:])


def _pump_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        try:
            lines.put(json.loads(line))
        except json.JSONDecodeError:
            continue
    lines.put(None)  # channel closed: the worker is gone
