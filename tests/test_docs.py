"""The README's two commands stay true: CI runs exactly the README's test command."""

from __future__ import annotations

import re

from .conftest import REPO


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _bash_blocks(readme)[1].strip()
    assert test_command.endswith("pytest -q")
    assert test_command in ci.splitlines()


def test_every_command_is_documented() -> None:
    from typer.main import get_command

    from lawgov_metrics.cli import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    root = get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for sub in subcommands:
                assert f"lawgov-metrics {name} {sub}" in readme, f"README does not show `{name} {sub}`"
        else:
            assert f"lawgov-metrics {name}" in readme, f"README does not show `{name}`"
