"""CI runs exactly the test command the README gives readers."""

import re

from tests.conftest import PROJECT_ROOT


def test_ci_runs_the_readme_test_command():
    readme = (PROJECT_ROOT / "README.md").read_text()
    commands = re.findall(r"```bash\n(.+?)\n```", readme)
    assert len(commands) == 2, "the README gives exactly two set-up commands"
    serve, test = commands
    assert serve.endswith("mkdocs serve") and test.endswith("pytest")
    ci_lines = (PROJECT_ROOT / ".ci" / "run").read_text().splitlines()
    assert test in ci_lines
