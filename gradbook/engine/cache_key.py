"""Content-addressed cache keys: what a snippet's output depends on, hashed.

A key covers the snippet's source and seed, the source of every local module the snippet imported
(recorded after its run), the versions of the packages that shape results, the engine's own
version and the device kind. Two steps, because imports are only known after a run: the *base key*
(everything but the imported modules) names a manifest of what the last run imported, and the
*full key* adds those modules' current contents.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from gradbook import __version__

KEYED_PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib")
ENGINE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class RunEnvironment:
    package_versions: dict[str, str]
    engine_version: str
    device_kind: str


NOT_INSTALLED = "not installed"


def installed_versions(packages=KEYED_PACKAGES) -> dict[str, str]:
    # Read from package metadata, so computing keys never imports TensorFlow. A machine without
    # TensorFlow (a GPU box with only JAX and PyTorch) still keys and runs those backends' snippets.
    return {name: _version_or_absent(name) for name in packages}


def _version_or_absent(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


# The engine modules whose code shapes what a run records (how a snippet is executed, isolated and
# captured, and how the record is stored). Changing one invalidates every cached run; the others
# only render, schedule or key runs, and may change without re-running anything.
RESULT_SHAPING_MODULES = (
    "backend_use.py", "cache.py", "device.py", "execution.py", "figures.py", "isolation.py", "results.py", "snippet.py", "worker.py",
)
NOT_RESULT_SHAPING_MODULES = (
    "__init__.py", "atomic_write.py", "backend_tabs.py", "backends.py", "background.py", "bounded_memo.py",
    "cache_key.py", "directives.py", "file_version.py", "notebook.py", "published_values.py", "rendered_notebooks.py",
    "run_timings.py", "runner.py", "site_paths.py", "unexpanded.py", "value_format.py", "worker_pool.py",
    "worker_process.py",
)


@functools.cache  # the engine's code does not change under a running process
def engine_version() -> str:
    """The release plus a digest of the engine code that shapes results, so changing it invalidates them."""
    digest = hashlib.sha256()
    for name in RESULT_SHAPING_MODULES:
        digest.update(name.encode() + b"\0" + (ENGINE_DIR / name).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def current_environment(device_kind: str) -> RunEnvironment:
    return RunEnvironment(installed_versions(), engine_version(), device_kind)


def snippet_base_key(
    source: str, seed: int | None, environment: RunEnvironment, backend_packages: dict[str, str] | None = None
) -> str:
    payload = {
        "source": source,
        "seed": seed,
        "packages": environment.package_versions,
        "engine": environment.engine_version,
        "device": environment.device_kind,
    }
    if backend_packages:  # JAX or PyTorch runs also depend on that backend's release
        payload["backend_packages"] = backend_packages
    return _digest(payload)


def snippet_cache_key(base_key: str, dependency_sources: dict[str, bytes]) -> str:
    """Full key: the base key plus the current bytes of each module the snippet imported."""
    modules = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(dependency_sources.items())}
    return _digest({"base": base_key, "modules": modules})


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
