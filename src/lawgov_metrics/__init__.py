"""lawgov-metrics: score local government units against 海口市法治政府建设实施方案（2021—2025年）."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from lawgov_metrics.api import (
        Assessment,
        CheckReport,
        InputOverwriteError,
        Submission,
        check,
        evaluate,
        read_submissions,
        with_ledger_dataset,
    )
    from lawgov_metrics.catalogue import Catalogue, CatalogueError, load_catalogue

_API = {
    "Assessment",
    "CheckReport",
    "InputOverwriteError",
    "Submission",
    "check",
    "evaluate",
    "read_submissions",
    "load_catalogue",
    "Catalogue",
    "with_ledger_dataset",
}

__all__ = [
    "Assessment",
    "Catalogue",
    "CatalogueError",
    "CheckReport",
    "InputOverwriteError",
    "Submission",
    "__version__",
    "check",
    "evaluate",
    "load_catalogue",
    "read_submissions",
    "with_ledger_dataset",
]


def __getattr__(name: str) -> Any:
    # Lazy: `lawgov-metrics --help` must not pay for pydantic, pandas or openpyxl.
    if name in _API:
        from lawgov_metrics import api

        return getattr(api, name)
    if name == "CatalogueError":
        from lawgov_metrics.catalogue import CatalogueError

        return CatalogueError
    raise AttributeError(name)
