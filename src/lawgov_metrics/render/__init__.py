"""Renderers: one per output format behind one interface.

``SCORE_FORMATS`` / ``CHECK_FORMATS`` map each ``--format`` name the CLI offers to a callable
``(payload, out, **options) -> None``. ``out`` is a text stream (stdout for machine output) or, for
``table``, a ``rich.console.Console`` (a plain stream is wrapped in one). Options: ``unit=`` for the
``score`` table (one unit's indicators), ``fail_under=`` for ``score`` (JUnit shows each unit-year below
it as a failing case), ``strict=`` for ``check`` (warnings fail too); renderers that
have no use for an option ignore it, so the CLI can call every format alike.

The Excel report is written to a path, not a stream: :func:`lawgov_metrics.render.xlsx.write_xlsx`.

``check`` renderers draw the ``check --format json`` payload (:class:`CheckPayload`,
``schemas/check.schema.json``); they take that dict or any report with ``as_dict(strict=...)``. The
payload's shape and :func:`check_payload` live in :mod:`lawgov_metrics.render.payload` (re-exported here),
so the renderers never import this registry back.

Nothing here imports pandas, rich or openpyxl at import time: the CLI's ``--help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TextIO

from lawgov_metrics.render.payload import CheckPayload, check_payload

if TYPE_CHECKING:
    from rich.console import Console

    from lawgov_metrics.results import Assessment

__all__ = [
    "CHECK_FORMATS",
    "SCORE_FORMATS",
    "CheckPayload",
    "CheckRenderer",
    "ScoreRenderer",
    "check_payload",
    "render_check_json",
    "render_json",
]


# ---------------------------------------------------------------- renderers behind one interface


class ScoreRenderer(Protocol):
    def __call__(
        self, assessment: Assessment, out: Any, /, *, unit: str | None = None, fail_under: float | None = None
    ) -> None: ...


class CheckRenderer(Protocol):
    def __call__(self, report: Any, out: Any, /, *, strict: bool = False) -> None: ...


def render_json(
    assessment: Assessment, stream: TextIO, /, *, unit: str | None = None, fail_under: float | None = None
) -> None:
    """``score --format json``: :meth:`Assessment.as_dict` (``schemas/score.schema.json``).
    ``unit`` and ``fail_under`` are ignored: the caller narrows the assessment, the exit code says the rest."""
    from lawgov_metrics.render.jsonout import dump_json

    dump_json(assessment.json_payload(), stream)


def render_check_json(report: Any, stream: TextIO, /, *, strict: bool = False) -> None:
    """``check --format json`` (``schemas/check.schema.json``)."""
    from lawgov_metrics.render.jsonout import dump_json

    dump_json(check_payload(report, strict=strict), stream)


def _console(out: Console | TextIO) -> Console:
    from rich.console import Console

    return out if isinstance(out, Console) else Console(file=out)


def _score_table(
    assessment: Assessment,
    out: Console | TextIO,
    /,
    *,
    unit: str | None = None,
    fail_under: float | None = None,
) -> None:
    from lawgov_metrics.render.terminal import render_terminal

    render_terminal(assessment, _console(out), unit=unit)


def _score_junit(
    assessment: Assessment, out: TextIO, /, *, unit: str | None = None, fail_under: float | None = None
) -> None:
    from lawgov_metrics.render.junit import junit_for_score

    out.write(junit_for_score(assessment, fail_under=fail_under))


def _check_table(report: Any, out: Console | TextIO, /, *, strict: bool = False) -> None:
    from lawgov_metrics.render.terminal_check import render_check_terminal

    render_check_terminal(report, _console(out), strict=strict)


def _check_junit(report: Any, out: TextIO, /, *, strict: bool = False) -> None:
    from lawgov_metrics.render.junit import junit_for_check

    out.write(junit_for_check(report, strict=strict))


# The CLI's --format choices are these keys; tests check every offered name has a renderer.
SCORE_FORMATS: dict[str, ScoreRenderer] = {
    "table": _score_table,
    "json": render_json,
    "junit": _score_junit,
}
CHECK_FORMATS: dict[str, CheckRenderer] = {
    "table": _check_table,
    "json": render_check_json,
    "junit": _check_junit,
}
