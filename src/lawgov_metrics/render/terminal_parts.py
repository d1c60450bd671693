"""What the terminal reports of ``score`` and ``check`` share: the placeholder for nothing, safe text and the
table style.

Both fit an 80-column terminal: short headers, long text folded. Colour only where the console has it —
pass the console through and rich drops styles when output is not a terminal or ``NO_COLOR`` is set. Every
text from a submission is wrapped in :class:`rich.text.Text` (never parsed as markup) after control
characters are replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from lawgov_metrics.render.breakable_text import BreakableText
from lawgov_metrics.render.safe_text import terminal_text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

NONE = "-"  # ASCII: ambiguous-width dashes misalign CJK terminals


def _t(value: Any, style: str = "") -> Text:
    """Safe text that breaks between Chinese characters, never inside an id or a number."""
    return BreakableText(terminal_text(value), style=style)


class ReportTable(Table):
    """A rich table that knows the width of its one-line columns before rich measures them.

    rich measures every cell of every column (a render of each, ~150 µs a cell) to lay a table out: 0.8 s
    for the ~30 tables of a five-year score. A column that never wraps (``no_wrap``) and holds only plain
    text is as wide as its widest text, so that width is given to rich as the column's fixed width and the
    measuring is left for the columns that fold. The layout is the same: rich treats a fixed width like a
    measured one that cannot wrap, in both its minimum and its maximum.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for column in self.columns:
            if column.no_wrap and column.width is None:
                widest = _plain_width([column.header, *column.cells])
                if widest is not None:
                    column.width = widest
        yield from super().__rich_console__(console, options)


def _plain_width(cells: list[Any]) -> int | None:
    """The widest cell, when every cell is a :class:`Text` or a string with no markup in it; else None."""
    widest = 0
    for cell in cells:
        if isinstance(cell, Text):
            if "\n" in cell.plain:
                return None
            size = cell.cell_len
        elif isinstance(cell, str) and "[" not in cell and "\n" not in cell:
            size = cell_len(cell)
        else:
            return None
        widest = max(widest, size)
    return widest


def _table(title: str | None, **kwargs: Any) -> Table:
    """A table in the reports' style; its title is safe text too (rich would parse a string as markup)."""
    return ReportTable(
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
