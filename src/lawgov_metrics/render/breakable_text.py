""":class:`BreakableText`: a :class:`rich.text.Text` broken where :mod:`lawgov_metrics.render.line_breaks` says
a Chinese line may break (between Chinese characters, never inside an id or a number)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.containers import Lines
from rich.measure import Measurement
from rich.text import Text

from lawgov_metrics.render.line_breaks import break_offsets, pieces

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod


class BreakableText(Text):
    """:class:`rich.text.Text` broken between Chinese characters, never inside an id or a number.

    In a table cell or a :class:`rich.console.Group`; ``console.print(text)`` alone would join it into a plain
    Text first (rich merges the Texts of one print call)."""

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.plain.splitlines() or [""]
        widest = max(cell_len(line) for line in lines)
        narrowest = max((cell_len(p.rstrip()) for line in lines for p in pieces(line)), default=widest)
        return Measurement(narrowest, widest)

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap or overflow == "ignore":
            return super().wrap(
                console, width, justify=justify, overflow=overflow, tab_size=tab_size, no_wrap=no_wrap
            )
        wrap_justify = justify or self.justify or "default"
        wrap_overflow = overflow or self.overflow or "fold"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            new_lines = line.divide(break_offsets(line.plain, width))
            for part in new_lines:
                part.rstrip_end(width)
            new_lines.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)
            for part in new_lines:
                part.truncate(width, overflow=wrap_overflow)
            lines.extend(new_lines)
        return lines
