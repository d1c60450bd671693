"""lawgov-metrics: score local government units against 海口市法治政府建设实施方案（2021—2025年）."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from lawgov_metrics.catalogue import Catalogue, CatalogueError, load_catalogue

__all__ = ["Catalogue", "CatalogueError", "__version__", "load_catalogue"]


def __getattr__(name: str) -> Any:
    # Lazy: `lawgov-metrics --help` must not pay for pydantic, pandas or openpyxl.
    if name in ("Catalogue", "CatalogueError", "load_catalogue"):
        from lawgov_metrics import catalogue

        return getattr(catalogue, name)
    raise AttributeError(name)
