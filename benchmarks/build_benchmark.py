"""Build-time benchmark: this site's engine against mkdocs-jupyter executing the same snippets.

Times, on this machine in one run, each repeated (median of N):
  1. cold    - a build with an empty cache
  2. jupyter - the same snippets as notebooks (jupytext) executed by mkdocs-jupyter, same pages
  3. warm    - a rebuild with nothing changed
  4. no-exec - a build with execution turned off (GRADBOOK_EXECUTE=0, empty cache)
  5. edit    - one snippet edited, then rebuilt: by `mkdocs build`, and by the in-process
               rebuild `mkdocs serve` performs (its worker is already warm)
and prints a Markdown table with the ratios the project aims for.

    python benchmarks/build_benchmark.py [--repeats 3] [--snippets a,b,...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EDITED_SNIPPET = "layer_gradient_norms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--snippets", help="comma-separated subset of snippets (default: all)")
    options = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="gradbook-bench-"))
    ours = copy_site(workspace / "ours", options.snippets)
    jupyter = make_jupyter_site(workspace / "jupyter", ours)
    snippet_count = len(list((ours / "snippets").glob("[!_]*.py")))
    times: dict[str, list[float]] = {name: [] for name in ("cold", "jupyter", "warm", "no-exec", "edit-build", "edit-serve")}
    peaks, edited_runs = [], []

    for repeat in range(options.repeats):
        print(f"repeat {repeat + 1}/{options.repeats}", file=sys.stderr)
        shutil.rmtree(ours / ".cache", ignore_errors=True)
        seconds, output = timed_build(ours)
        times["cold"].append(seconds)
        peaks += [float(m) for m in re.findall(r"peak memory (\d+) MiB", output)]
        times["warm"].append(timed_build(ours)[0])
        seconds, output = timed_build(ours, edit=True)
        times["edit-build"].append(seconds)
        edited_runs += snippet_run_seconds(output, EDITED_SNIPPET)
        shutil.move(ours / ".cache", workspace / "cache-aside")
        times["no-exec"].append(timed_build(ours, env={"GRADBOOK_EXECUTE": "0"})[0])
        shutil.rmtree(ours / ".cache", ignore_errors=True)
        shutil.move(workspace / "cache-aside", ours / ".cache")
        serve_seconds, serve_run = serve_edit_rebuild(ours)
        times["edit-serve"].append(serve_seconds)
        edited_runs.append(serve_run)
        shutil.rmtree(jupyter / ".cache", ignore_errors=True)
        times["jupyter"].append(timed_build(jupyter)[0])

    median = {name: statistics.median(values) for name, values in times.items()}
    snippet_seconds = statistics.median(edited_runs) if edited_runs else float("nan")
    print(report(median, times, snippet_count, snippet_seconds, max(peaks, default=0.0), options.repeats))


def copy_site(target: Path, subset: str | None) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(PROJECT_ROOT / "docs", target / "docs")
    shutil.copytree(PROJECT_ROOT / "overrides", target / "overrides")
    shutil.copytree(PROJECT_ROOT / "snippets", target / "snippets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "mkdocs.yml", target / "mkdocs.yml")
    if subset:
        keep = set(subset.split(","))
        for path in (target / "snippets").glob("[!_]*.py"):
            if path.stem not in keep:
                path.unlink()
    return target


def make_jupyter_site(target: Path, ours: Path) -> Path:
    """Same pages and snippets, but notebooks executed by mkdocs-jupyter and the engine switched off."""
    shutil.copytree(ours, target)
    (target / "docs" / "executed").mkdir()
    for path in sorted((target / "snippets").glob("[!_]*.py")):
        notebook = jupytext.read(path, fmt="py:percent")
        jupytext.write(notebook, target / "docs" / "executed" / f"{path.stem}.ipynb")
    config = (target / "mkdocs.yml").read_text()
    config = config.replace("      execute: false  # the engine already ran each snippet once", "      execute: true\n      cache: false")
    config = config.replace("      timeout: 180\n", "      timeout: 180\n      execute: false\n")
    (target / "mkdocs.yml").write_text(config)
    return target


def timed_build(site: Path, env: dict | None = None, edit: bool = False) -> tuple[float, str]:
    if edit:
        edit_snippet(site)
    # Notebook kernels start in docs/executed/: give them the snippets folder, as a script has.
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(site / "snippets"), **(env or {}))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(site / "site")],
        cwd=site, capture_output=True, text=True, env=environment,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed in {site}:\n{result.stderr[-3000:]}")
    return seconds, result.stderr


def edit_snippet(site: Path) -> None:
    path = site / "snippets" / f"{EDITED_SNIPPET}.py"
    path.write_text(path.read_text() + f"# edited at {time.time_ns()}\n")


def snippet_run_seconds(output: str, name: str) -> list[float]:
    return [float(s) for s in re.findall(rf"snippet {name}: ran in ([\d.]+) s", output)]


def serve_edit_rebuild(site: Path) -> tuple[float, float]:
    """An edit under `mkdocs serve`: config reloaded, plugin and warm worker reused."""
    code = f"""
import sys, time, re, logging
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
records = []
logging.getLogger("mkdocs.plugins.gradbook").setLevel(logging.INFO)
logging.getLogger("mkdocs.plugins.gradbook").addHandler(type("H", (logging.Handler,), {{"emit": lambda self, r: records.append(r.getMessage())}})())
site = Path({str(site)!r})
config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site"))
config.plugins.on_startup(command="serve", dirty=False)
build(config)
config.plugins.on_serve(type("Server", (), {{"watch": lambda self, path: None}})(), config=config, builder=None)
time.sleep(15)  # the author reads the page before editing; meanwhile the worker warms up
path = site / "snippets" / "{EDITED_SNIPPET}.py"
path.write_text(path.read_text() + f"# edited at {{time.time_ns()}}\\n")
records.clear()
started = time.perf_counter()
config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site"))
build(config)
seconds = time.perf_counter() - started
config.plugins.on_shutdown()
ran = [float(m) for r in records for m in re.findall(r"{EDITED_SNIPPET}: ran in ([\\d.]+) s", r)]
print(seconds, ran[0] if ran else float("nan"))
"""
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        sys.exit(f"serve rebuild failed:\n{result.stderr[-3000:]}")
    seconds, run = result.stdout.split()[-2:]
    return float(seconds), float(run)


def report(median, times, snippet_count, snippet_seconds, peak, repeats) -> str:
    def row(name, label):
        values = times[name]
        return f"| {label} | {median[name]:.1f} | {min(values):.1f}–{max(values):.1f} |"

    goal = lambda ok: "met" if ok else "missed"  # noqa: E731
    cold_ratio = median["cold"] / median["jupyter"]
    warm_ratio = median["warm"] / median["no-exec"]
    lines = [
        f"Build benchmark: {snippet_count} snippets, median of {repeats} runs, wall seconds.",
        "",
        "| build | median s | min–max s |",
        "| --- | ---: | ---: |",
        row("cold", "cold (empty cache)"),
        row("jupyter", "mkdocs-jupyter, execute: true"),
        row("warm", "warm (nothing changed)"),
        row("no-exec", "execution off"),
        row("edit-build", f"edit {EDITED_SNIPPET}, `mkdocs build`"),
        row("edit-serve", f"edit {EDITED_SNIPPET}, `mkdocs serve` rebuild"),
        "",
        "| goal | measured | |",
        "| --- | ---: | --- |",
        f"| cold ≤ 0.25 × mkdocs-jupyter | {cold_ratio:.2f} × | {goal(cold_ratio <= 0.25)} |",
        f"| warm ≤ 1.2 × execution off | {warm_ratio:.2f} × | {goal(warm_ratio <= 1.2)} |",
        f"| serve edit rebuild ≤ snippet run ({snippet_seconds:.1f} s) + 3 s | {median['edit-serve']:.1f} s | "
        f"{goal(median['edit-serve'] <= snippet_seconds + 3)} |",
        "",
        f"Worker peak memory: {peak:.0f} MiB.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
