"""The README's Python example runs as written, from the repository root, on the bundled samples."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import REPO


def test_readme_python_example_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", readme, flags=re.S)[0]
    code = code.replace('"report.xlsx"', repr(str(tmp_path / "report.xlsx"))).replace(
        '"report.json"', repr(str(tmp_path / "report.json"))
    )
    env = {**os.environ, "COLUMNS": "120"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert "rank" in out.stdout and "grade" in out.stdout
    assert (tmp_path / "report.xlsx").stat().st_size > 10_000
    assert (tmp_path / "report.json").read_text(encoding="utf-8").lstrip().startswith("{")
