"""values.json: every published value with where it came from, for readers and tools to cite."""

from __future__ import annotations

from gradbook.engine.results import SnippetRun


def values_document(runs: dict[str, SnippetRun]) -> dict:
    return {
        "description": "Numbers quoted on this site, as published by the snippets when the site was built.",
        "snippets": {
            name: {
                "source": f"snippets/{name}.py",
                "seed": run.seed,
                "backend": run.backend,
                "device": run.device,
                "versions": run.versions,
                "seconds": run.seconds,
                "values": run.values,
            }
            for name, run in sorted(runs.items())
        },
    }
