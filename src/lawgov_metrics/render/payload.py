"""The ``check --format json`` payload every ``check`` renderer draws: its shape (:class:`CheckPayload`,
``schemas/check.schema.json``) and :func:`check_payload`, which takes that dict or any report with
``as_dict(strict=...)``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypedDict

__all__ = ["CheckPayload", "check_payload"]


class CheckedFilePayload(TypedDict):
    file: str
    units: list[str]
    years: list[int]
    errors: int
    warnings: int


class CheckSummaryPayload(TypedDict):
    files: int
    errors: int
    warnings: int
    strict: bool


class CheckPayload(TypedDict):
    """``check --format json``: ``ok``, each file's units, years and problem counts, every issue
    (``Issue.as_record()``) and a summary."""

    ok: bool
    files: list[CheckedFilePayload]
    issues: list[dict[str, Any]]
    summary: CheckSummaryPayload


class _HasCheckDict(Protocol):
    def as_dict(self, strict: bool = ...) -> dict[str, Any]: ...


def check_payload(report: _HasCheckDict | Mapping[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """The check report as its JSON payload (a payload is passed through unchanged)."""
    if isinstance(report, Mapping):
        return dict(report)
    return report.as_dict(strict=strict)
