"""Build-time benchmark: this site's engine against mkdocs-jupyter executing the same snippets.

Times, on this machine in one run, each repeated (median of N):
  1. cold    - a build with an empty cache
  2. jupyter - the same snippets as notebooks (jupytext) executed by mkdocs-jupyter, same pages
  3. warm    - a rebuild with nothing changed
  4. no-exec - a build with execution turned off (GRADBOOK_EXECUTE=0, empty cache)
  5. edit    - one snippet edited, then rebuilt by `mkdocs build`
  6. serve   - `mkdocs serve` in-process from an empty cache: until the first pages are built, until
               every snippet has landed, from a snippet edit until its result is in the page, and
               a Markdown edit
and prints a Markdown table with the ratios the project aims for.

    python benchmarks/build_benchmark.py [--repeats 3] [--snippets a,b,...]
    python benchmarks/build_benchmark.py --edit-loop   # only 6's two edits, from this checkout's warm cache
    python benchmarks/build_benchmark.py --cold-only   # only 1, and its ratio to the snippets' run times
"""

from __future__ import annotations

import argparse
import json
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
    parser.add_argument("--skip-jupyter", action="store_true", help="leave out the mkdocs-jupyter comparison (slow)")
    parser.add_argument("--edit-loop", action="store_true",
                        help="time only the `mkdocs serve` edits, starting from this checkout's .cache (minutes, not an hour)")
    parser.add_argument("--cold-only", action="store_true",
                        help="time only cold builds, against the sum of the snippets' own run times (a third of each repeat)")
    options = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="gradbook-bench-"))
    ours = copy_site(workspace / "ours", options.snippets)
    if options.edit_loop:
        print(edit_loop_report(ours, options.repeats))
        return
    jupyter = make_jupyter_site(workspace / "jupyter", ours)
    snippet_count = len(list((ours / "snippets").glob("[!_]*.py")))
    times: dict[str, list[float]] = {
        name: [] for name in
        ("cold", "jupyter", "warm", "no-exec", "edit-build", "first-pages", "all-landed", "edit-serve", "markdown-edit")
    }
    peaks, edited_runs, snippet_sums, search_index_kib = [], [], [], 0.0

    for repeat in range(options.repeats):
        print(f"repeat {repeat + 1}/{options.repeats}", file=sys.stderr)
        shutil.rmtree(ours / ".cache", ignore_errors=True)
        seconds, output = timed_build(ours)
        times["cold"].append(seconds)
        peaks += [float(m) for m in re.findall(r"peak memory (\d+) MiB", output)]
        snippet_sums.append(sum(snippet_run_seconds(output, r"\w+")))  # each snippet's own run time
        if options.cold_only:
            continue
        search_index_kib = (ours / "site" / "search" / "search_index.json").stat().st_size / 1024
        times["warm"].append(timed_build(ours)[0])
        seconds, output = timed_build(ours, edit=True)
        times["edit-build"].append(seconds)
        edited_runs += snippet_run_seconds(output, EDITED_SNIPPET)
        shutil.move(ours / ".cache", workspace / "cache-aside")
        times["no-exec"].append(timed_build(ours, env={"GRADBOOK_EXECUTE": "0"})[0])
        shutil.rmtree(ours / ".cache", ignore_errors=True)
        shutil.move(workspace / "cache-aside", ours / ".cache")
        session = serve_session(ours)  # starts from an empty cache, as a fresh clone does
        for name in ("first-pages", "all-landed", "edit-serve", "markdown-edit"):
            times[name].append(session[name])
        edited_runs.append(session["edited-run"])
        if not options.skip_jupyter:
            shutil.rmtree(jupyter / ".cache", ignore_errors=True)
            times["jupyter"].append(timed_build(jupyter)[0])

    if options.cold_only:
        print(cold_report(times["cold"], snippet_sums))
        return
    median = {name: statistics.median(values) if values else float("nan") for name, values in times.items()}
    facts = {
        "snippets": snippet_count, "repeats": options.repeats, "peak": max(peaks, default=0.0),
        "edited run": statistics.median(edited_runs) if edited_runs else float("nan"),
        "snippet sum": statistics.median(snippet_sums), "search index KiB": search_index_kib,
    }
    print(report(median, times, facts))


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


def edit_loop_report(site: Path, repeats: int) -> str:
    """The serve edits alone, each session starting from a copy of this checkout's warm cache."""
    sessions = []
    for repeat in range(repeats):
        print(f"serve session {repeat + 1}/{repeats}", file=sys.stderr)
        shutil.rmtree(site / ".cache", ignore_errors=True)
        shutil.copytree(PROJECT_ROOT / ".cache", site / ".cache")
        sessions.append(serve_session(site, empty_cache=False))
    edits = {name: [session[name] for session in sessions] for name in ("edit-serve", "markdown-edit", "edited-run")}
    median = {name: statistics.median(values) for name, values in edits.items()}
    budget = median["edited-run"] + 3
    spread = lambda name: f"{min(edits[name]):.1f}–{max(edits[name]):.1f}"  # noqa: E731
    return "\n".join([
        f"`mkdocs serve` edit loop: {len(list((site / 'snippets').glob('[!_]*.py')))} snippets, warm cache, "
        f"median of {repeats} sessions, wall seconds, {len(os.sched_getaffinity(0))} cores.",
        "",
        "| goal | median s | min–max s | |",
        "| --- | ---: | ---: | --- |",
        f"| edit {EDITED_SNIPPET} until its result is in the page ≤ its run ({median['edited-run']:.1f} s) + 3 s "
        f"| {median['edit-serve']:.1f} | {spread('edit-serve')} | {'met' if median['edit-serve'] <= budget else 'missed'} |",
        f"| edit a page's Markdown ≤ 2 s | {median['markdown-edit']:.1f} | {spread('markdown-edit')} | "
        f"{'met' if median['markdown-edit'] <= 2 else 'missed'} |",
    ])


def serve_session(site: Path, empty_cache: bool = True) -> dict[str, float]:
    """`mkdocs serve` in-process (config reloaded per rebuild, plugin and warm workers reused), from an
    empty cache (or the one in `site`): seconds until the first pages are built, until every snippet
    has landed, and from an edit to a rebuilt page (a snippet edit: until its new result is in the
    page; a Markdown edit)."""
    code = f"""
import json, time, re, logging, shutil
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
records = []
logging.getLogger("mkdocs.plugins.gradbook").setLevel(logging.INFO)
logging.getLogger("mkdocs.plugins.gradbook").addHandler(type("H", (logging.Handler,), {{"emit": lambda self, r: records.append(r.getMessage())}})())
site = Path({str(site)!r})
if {empty_cache!r}:
    shutil.rmtree(site / ".cache", ignore_errors=True)

def rebuild():
    config = load_config(str(site / "mkdocs.yml"), site_dir=str(site / "site"))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    return config

started = time.perf_counter()
config = rebuild()
first_pages = time.perf_counter() - started
plugin = config.plugins["gradbook"]
config.plugins.on_serve(type("Server", (), {{"watch": lambda self, path: None}})(), config=config, builder=None)
plugin.background.wait()
all_landed = time.perf_counter() - started
rebuild()

path = site / "snippets" / "{EDITED_SNIPPET}.py"
for attempt in ("untimed", "timed"):  # the first edit waits for the workers on_serve started to import
    path.write_text(path.read_text() + f"# edited at {{time.time_ns()}}\\n")
    records.clear()
    started = time.perf_counter()
    rebuild()  # the page says the snippet is running
    plugin.background.wait()
    rebuild()  # the rebuild the landed result triggers
    snippet_edit = time.perf_counter() - started
ran = [float(m) for r in records for m in re.findall(r"{EDITED_SNIPPET}: ran in ([\\d.]+) s", r)]

page = site / "docs" / "index.md"
page.write_text(page.read_text() + "\\nEdited.\\n")
started = time.perf_counter()
rebuild()
markdown_edit = time.perf_counter() - started
config.plugins.on_shutdown()
print(json.dumps({{"first-pages": first_pages, "all-landed": all_landed, "edit-serve": snippet_edit,
                  "markdown-edit": markdown_edit, "edited-run": ran[0] if ran else float("nan")}}))
"""
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        sys.exit(f"serve session failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def cold_report(colds: list[float], snippet_sums: list[float]) -> str:
    """Each cold build against the sum of its own snippets' run times: the ratio is taken per build,
    since this machine's speed changes between builds and moves both together."""
    ratios = [cold / total for cold, total in zip(colds, snippet_sums)]
    lines = [
        f"Cold builds on {len(os.sched_getaffinity(0))} cores, empty cache each time.",
        "",
        "| repeat | cold s | snippets' own run times, summed s | ratio |",
        "| ---: | ---: | ---: | ---: |",
        *(f"| {n} | {cold:.1f} | {total:.1f} | {ratio:.3f} |" for n, (cold, total, ratio) in enumerate(zip(colds, snippet_sums, ratios), 1)),
        "",
        f"Median ratio {statistics.median(ratios):.3f} (min–max {min(ratios):.3f}–{max(ratios):.3f}); "
        f"goal ≤ 0.6: {'met' if statistics.median(ratios) <= 0.6 else 'missed'}.",
    ]
    return "\n".join(lines)


def report(median, times, facts) -> str:
    def row(name, label):
        values = times[name]
        if not values:
            return f"| {label} | not run | |"
        return f"| {label} | {median[name]:.1f} | {min(values):.1f}–{max(values):.1f} |"

    goal = lambda ok: "met" if ok else "missed"  # noqa: E731
    cold_ratio = median["cold"] / median["jupyter"]
    warm_ratio = median["warm"] / median["no-exec"]
    pool_ratio = median["cold"] / facts["snippet sum"]
    edit_budget = facts["edited run"] + 3
    lines = [
        f"Build benchmark: {facts['snippets']} snippets, median of {facts['repeats']} runs, wall seconds, "
        f"{len(os.sched_getaffinity(0))} cores.",
        "",
        "| build | median s | min–max s |",
        "| --- | ---: | ---: |",
        row("cold", "cold (empty cache)"),
        row("jupyter", "mkdocs-jupyter, execute: true"),
        row("warm", "warm (nothing changed)"),
        row("no-exec", "execution off"),
        row("edit-build", f"edit {EDITED_SNIPPET}, `mkdocs build`"),
        row("first-pages", "`mkdocs serve`, empty cache: pages built"),
        row("all-landed", "`mkdocs serve`, empty cache: every snippet landed"),
        row("edit-serve", f"`mkdocs serve`: edit {EDITED_SNIPPET} until its result is in the page"),
        row("markdown-edit", "`mkdocs serve`: edit a page's Markdown"),
        "",
        "| goal | measured | |",
        "| --- | ---: | --- |",
        f"| cold ≤ 0.25 × mkdocs-jupyter | {cold_ratio:.2f} × | {goal(cold_ratio <= 0.25)} |",
        f"| cold ≤ 0.6 × the snippets' own run times ({facts['snippet sum']:.0f} s) | {pool_ratio:.2f} × | {goal(pool_ratio <= 0.6)} |",
        f"| warm ≤ 1.2 × execution off | {warm_ratio:.2f} × | {goal(warm_ratio <= 1.2)} |",
        f"| first pages served ≤ 15 s from an empty cache | {median['first-pages']:.1f} s | {goal(median['first-pages'] <= 15)} |",
        f"| serve snippet edit ≤ its run ({facts['edited run']:.1f} s) + 3 s | {median['edit-serve']:.1f} s | "
        f"{goal(median['edit-serve'] <= edit_budget)} |",
        f"| serve Markdown edit ≤ 2 s | {median['markdown-edit']:.1f} s | {goal(median['markdown-edit'] <= 2)} |",
        "",
        f"Worker peak memory: {facts['peak']:.0f} MiB. Search index: {facts['search index KiB']:.0f} KiB.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
