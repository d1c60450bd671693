"""Chinese line breaking for the terminal reports: ids and numbers are never cut in two.

rich breaks a line only at spaces and folds a longer "word" at the column's edge, so in a narrow column
``100%（53/53）`` becomes ``100%（53/53`` / ``）`` and ``normative_doc_filing_rate`` is cut anywhere. Chinese
text has no spaces: a line may break between any two Chinese characters. :class:`BreakableText` breaks
there (and at spaces) but keeps every run of Latin letters, digits and signs whole (an id, a number, a
date, ``53/53``), keeps closing punctuation off the start of a line and opening punctuation off its end
(禁则) — a run longer than 20 (a path) may break after a slash — and tells the table its narrowest width (the widest unbreakable piece), so the table gives the
column room for it. A piece wider than the whole column is folded, as rich would.

The breaking itself (:func:`pieces`, :func:`break_offsets`, :func:`wrap`) needs only rich's display widths;
the :class:`rich.text.Text` that uses it in tables is :mod:`lawgov_metrics.render.breakable_text`.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from rich.cells import cell_len, chop_cells  # display width only: the help page imports no more of rich

_CLOSING = set(
    "，。、；：！？）」』】》〕〉”’%‰…·.,;:!?)]}"
)  # never starts a line (``.xlsx`` stays with its name)
_OPENING = set("（「『【《〔〈“‘([{<")  # never ends one


LONG_RUN = 20  # a run longer than this may break after a slash: a path, never a number like 53/53
_PATH_PARTS = re.compile(r"[^/]*/\s*|[^/]+")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def pieces(text: str) -> list[str]:
    """``text`` cut where a line may break, each piece with its trailing spaces: a Chinese character alone,
    a run of narrow characters (an id, a number) whole, punctuation kept with its neighbour."""
    raw: list[str] = []
    for char in text:
        last = raw[-1][-1] if raw else ""
        if char.isspace() and raw:
            raw[-1] += char
        elif not char.isspace() and not _wide(char) and last and not last.isspace() and not _wide(last):
            raw[-1] += char  # the run goes on
        else:
            raw.append(char)
    raw = [
        part for piece in raw for part in (_PATH_PARTS.findall(piece) if len(piece) > LONG_RUN else [piece])
    ]
    merged: list[str] = []
    for piece in raw:
        if merged and (piece[0] in _CLOSING or merged[-1][-1] in _OPENING):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def break_offsets(text: str, width: int) -> list[int]:
    """Character offsets at which to break ``text`` so every line fits ``width`` cells."""
    offsets: list[int] = []
    position = 0
    used = 0
    for piece in pieces(text):
        size = cell_len(piece.rstrip())
        if used and used + size > width:
            offsets.append(position)
            used = 0
        if size > width:  # wider than the column: fold it, as rich does
            parts = chop_cells(piece, width)
            for part in parts[:-1]:
                position += len(part)
                offsets.append(position)
            used = cell_len(parts[-1])
            position += len(parts[-1])
            continue
        used += cell_len(piece)
        position += len(piece)
    return [o for o in offsets if 0 < o < len(text)]


def wrap(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells (line ends kept as breaks), trailing spaces
    dropped: what :class:`~lawgov_metrics.render.breakable_text.BreakableText` shows, as plain strings."""
    lines: list[str] = []
    for line in text.split("\n"):
        cuts = [0, *break_offsets(line, width), len(line)]
        lines += [line[a:b].rstrip() for a, b in pairwise(cuts)] if line else [""]
    return lines
