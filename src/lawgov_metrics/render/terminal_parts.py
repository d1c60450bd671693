"""What the terminal reports of ``score`` and ``check`` share: the placeholder for nothing, safe text and the
table style.

Both fit an 80-column terminal: short headers, long text folded. Colour only where the console has it —
pass the console through and rich drops styles when output is not a terminal or ``NO_COLOR`` is set. Every
text from a submission is wrapped in :class:`rich.text.Text` (never parsed as markup) after control
characters are replaced.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from lawgov_metrics.render.line_breaks import BreakableText
from lawgov_metrics.render.safe_text import terminal_text

NONE = "-"  # ASCII: ambiguous-width dashes misalign CJK terminals


def _t(value: Any, style: str = "") -> Text:
    """Safe text that breaks between Chinese characters, never inside an id or a number."""
    return BreakableText(terminal_text(value), style=style)


def _table(title: str | None, **kwargs: Any) -> Table:
    """A table in the reports' style; its title is safe text too (rich would parse a string as markup)."""
    return Table(
        title=None if title is None else _t(title),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
        expand=False,
        **kwargs,
    )
