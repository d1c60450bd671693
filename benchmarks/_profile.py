"""pyinstrument profiles of the tool's own runs, kept small: ``python benchmarks/_profile.py KIND OUT ARGS…``.

KIND ``cli`` runs ``lawgov-metrics ARGS…`` in-process (imports included: they are part of the run);
KIND ``api`` runs load_catalogue → read_submissions(ARGS) → evaluate, as the ledger benchmarks do.

The text file holds (1) where the time goes, charged to the innermost function of ``src/lawgov_metrics``
on the stack (a pandas call is charged to the src function that made it; time outside src — the
interpreter, imports — is charged to "(outside src)"), and (2) the top of pyinstrument's call tree.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

REPO = Path(__file__).resolve().parents[1]
SRC_MARK = "/lawgov_metrics/"
TREE_LINES = 90
FLAT_ROWS = 30


def _walk(frame: Any, owner: str) -> Iterator[tuple[str, float]]:
    """(src function charged, self seconds) over the tree; a frame's self time goes to its nearest src frame."""
    path = frame.file_path or ""
    if SRC_MARK in path and not frame.is_synthetic:
        short = path.split("/lawgov_metrics/", 1)[1]
        owner = f"{short}:{frame.function}"
    children = list(frame.children)
    own = frame.time - sum(c.time for c in children)
    if own > 0:
        yield owner, own
    for child in children:
        yield from _walk(child, owner)


def charged(profiler: Profiler) -> list[tuple[str, float]]:
    root = profiler.last_session.root_frame(trim_stem=False)
    totals: dict[str, float] = {}
    for owner, seconds in _walk(root, "(outside src)"):
        totals[owner] = totals.get(owner, 0.0) + seconds
    return sorted(totals.items(), key=lambda kv: -kv[1])


def report(profiler: Profiler, title: str) -> str:
    duration = profiler.last_session.duration
    title = re.sub(r"/\S*/lawgov-bench-[^/]+/", "", title).replace(str(REPO) + "/", "")
    lines = [f"# {title}", f"# wall {duration:.2f} s (under pyinstrument, 1 ms sampling)", ""]
    lines.append("## time charged to the innermost src/lawgov_metrics function on the stack")
    lines.append(f"{'seconds':>8} {'share':>6}  function")
    for owner, seconds in charged(profiler)[:FLAT_ROWS]:
        lines.append(f"{seconds:8.2f} {seconds / duration:6.1%}  {owner}")
    lines.append("")
    lines.append("## call tree (pyinstrument, library frames collapsed)")
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    lines += [line for line in tree.splitlines() if line.strip()][:TREE_LINES]
    return "\n".join(lines) + "\n"


def main() -> None:
    kind, out, *args = sys.argv[1:]
    from _child import _keep_heap_top  # as the CLI's entry point does

    _keep_heap_top()
    profiler = Profiler(interval=0.001)
    if kind == "cli":
        profiler.start()
        from lawgov_metrics.cli import app

        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()), suppress(SystemExit):
            app(args=args, standalone_mode=False)
        profiler.stop()
        title = "lawgov-metrics " + " ".join(args)
    else:
        register, *paths = args
        profiler.start()
        from lawgov_metrics import evaluate, load_catalogue, read_submissions

        catalogue = load_catalogue()
        submission = read_submissions(paths, catalogue, register=register)
        evaluate(catalogue, submission, as_of=dt.date(2025, 6, 30))
        profiler.stop()
        title = f"load_catalogue → read_submissions({', '.join(Path(p).name for p in paths)}) → evaluate"
    Path(out).write_text(report(profiler, title), encoding="utf-8")


if __name__ == "__main__":
    main()
