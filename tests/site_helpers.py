"""Build sites with the real `mkdocs` command: the project itself, or small throwaway ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def mkdocs_build(project: Path, site_dir: Path, *, strict: bool = True, env: dict | None = None,
                 background: bool = False, cwd: Path | None = None):
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), "-d", str(site_dir)]
    command += ["--strict"] if strict else []
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    if background:
        return subprocess.Popen(command, cwd=cwd or project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    return subprocess.run(command, cwd=cwd or project, capture_output=True, text=True, env=environment, timeout=1200)


def throwaway_site(root: Path, snippets: dict[str, str], pages: dict[str, str], **plugin_options) -> Path:
    """A site with the project's theme and extensions, its own snippets, pages and cache.

    One snippet worker, unless `workers` says otherwise (0: one per core, as the project has): a
    throwaway build runs a few snippets of a line or two, and a second worker would cost a second
    TensorFlow import (some 8 CPU-seconds) to save a fraction of a second. The pool's side-by-side
    runs are tested in tests/engine/test_worker.py, and the real site's build uses the full pool.
    """
    plugin_options.setdefault("workers", 1)
    (root / "snippets").mkdir(parents=True, exist_ok=True)
    config = (PROJECT_ROOT / "mkdocs.yml").read_text()
    # The project's nav, stylesheets and theme overrides are not part of a throwaway site.
    config = re.sub(r"\nnav:.*", "\n", config, flags=re.S)
    config = re.sub(r"extra_css:\n(  - .*\n)+", "", config)
    config = re.sub(r"  custom_dir: .*\n", "", config)
    for key, value in plugin_options.items():
        config = config.replace("      timeout: 180\n", f"      timeout: 180\n      {key}: {value}\n")
    (root / "mkdocs.yml").write_text(config)
    for name, source in snippets.items():
        (root / "snippets" / f"{name}.py").write_text(textwrap.dedent(source).lstrip("\n"))
    for name, text in pages.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def executed_snippets(build_output: str) -> list[str]:
    """Names of the snippets a build ran (rather than read from the cache), from its progress lines."""
    return sorted(re.findall(r"snippet (\w+): (?:ran in|failed)", build_output))


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by path relative to it: two sites compare byte for byte."""
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}
