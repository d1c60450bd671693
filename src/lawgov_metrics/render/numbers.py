"""Numbers as the reports show them: :func:`finite_number` (blanks, text, NaN and ±inf become None)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_number"]


def finite_number(value: Any) -> float | None:
    """A cell or JSON value as a float; None for blanks, text, NaN and ±inf (renderers show those as “—”;
    a spreadsheet has no NaN or infinity, and xlsxwriter refuses them)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
