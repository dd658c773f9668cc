"""`gradbook run`: execute snippets from the command line through the same engine the site uses."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gradbook.engine import SnippetFailure, SnippetRunner, load_snippet
from gradbook.engine.device import cpu_forced


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradbook", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run snippets (cache first) and print their published values as JSON")
    run.add_argument("names", nargs="*", help="snippet names (default: every snippet)")
    run.add_argument("--seed", type=int, help="run with this seed instead of the snippet's own SEED")
    run.add_argument("--snippets-dir", type=Path, default=Path("snippets"))
    run.add_argument("--cache-dir", type=Path, default=Path(".cache/gradbook"))
    run.add_argument("--device", choices=["auto", "cpu"], default="auto")
    run.add_argument("--timeout", type=float, default=180.0)
    options = parser.parse_args(argv)

    paths = [options.snippets_dir / f"{name}.py" for name in options.names] or sorted(
        path for path in options.snippets_dir.glob("*.py") if not path.name.startswith("_")
    )
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        parser.error(f"no such snippet: {', '.join(missing)}")
    report = lambda text: print(text, file=sys.stderr)  # noqa: E731 - progress on stderr, values on stdout
    values, failed = {}, False
    with SnippetRunner(Path.cwd(), options.cache_dir, timeout=options.timeout,
                       force_cpu=cpu_forced(options.device), report=report) as runner:
        for outcome in runner.run_all([load_snippet(path) for path in paths], seed=options.seed).values():
            if isinstance(outcome, SnippetFailure):
                print(outcome.describe(), file=sys.stderr)
                failed = True
            else:
                values[outcome.name] = outcome.values
    print(json.dumps(values, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
