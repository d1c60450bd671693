"""Text from a submission, made safe for the report it is written into.

``safe_cell_text``  a spreadsheet cell: never a formula, never an error value, never a corrupt file.
                    Excel treats a cell that starts with ``= + - @`` (or their full-width forms, or a
                    tab/CR/LF before them in CSV exports) as a formula. The xlsx writer stores every text
                    as a string cell (so ``#N/A`` stays text, not an error value) and gives a text that
                    :func:`is_formula_like` the quote-prefix cell style — Excel's own “'” typed before
                    a text: the value stays exactly what the unit wrote (``=SUM(A1)``, ``-5``), shown as
                    text, and editing the cell cannot turn it into a formula.
``xml_text``        XML 1.0 text (JUnit): characters XML cannot carry become U+FFFD.
``terminal_text``   a terminal: control characters (ESC sequences, bells, backspaces) and the invisible
                    bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE, U+2066–2069 isolates, U+200E/F
                    marks …, which reorder what is shown: "Trojan Source") become U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any

EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) per cell
TRUNCATED = "…（已截断）"
REPLACEMENT = "\ufffd"

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets (the full-width
# forms are converted by Chinese input methods and by some spreadsheet locales).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
# Leading blanks do not protect: spreadsheet imports commonly trim them before parsing.
_LEADING_BLANKS = " \u3000\u00a0"

# Not allowed anywhere in XML 1.0: C0 controls but tab/LF/CR, lone surrogates, U+FFFE and U+FFFF.
# A superset of openpyxl's ILLEGAL_CHARACTERS_RE, which misses the last three.
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# For a terminal, every C0/C1 control but tab and newline (ESC starts colour and cursor sequences), the
# bidirectional formatting characters (ALM U+061C, LRM/RLM U+200E/F, embeddings and overrides U+202A–202E,
# isolates U+2066–2069) and the line/paragraph separators U+2028/2029 that some terminals break lines at.
_TERMINAL_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a frame
        return ""
    return value if isinstance(value, str) else str(value)


def xml_text(value: Any) -> str:
    """Text that XML 1.0 can carry: illegal characters replaced by U+FFFD."""
    return XML_ILLEGAL_RE.sub(REPLACEMENT, _text(value))


def terminal_text(value: Any) -> str:
    """Text safe to print: control characters (but tab and newline) and bidirectional controls replaced by
    U+FFFD."""
    return _TERMINAL_CONTROL_RE.sub(REPLACEMENT, _text(value))


def json_for_terminal(text: str) -> str:
    """JSON text with every character :func:`terminal_text` replaces written as a ``\\uXXXX`` escape instead
    (JSON leaves C1 and bidirectional controls raw): inert on a terminal, the same text to any JSON reader."""
    return _TERMINAL_CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_for_terminal(text: str) -> str:
    """XML text (already :func:`xml_text`-clean) with the characters a terminal acts on written as character
    references (``&#x202E;``): inert on a terminal, the same text to any XML reader."""
    return _TERMINAL_CONTROL_RE.sub(lambda m: f"&#x{ord(m.group()):X};", text)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` typed into a cell as a formula (its writer then stores it
    with the quote-prefix style)."""
    stripped = text.lstrip(_LEADING_BLANKS)
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _cap(text: str, limit: int) -> str:
    """At most ``limit`` UTF-16 code units (Excel's own count), ending in a visible truncation mark."""
    if len(text) <= limit // 2 or _utf16_len(text) <= limit:
        return text
    budget = limit - _utf16_len(TRUNCATED)
    kept, used = [], 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        kept.append(ch)
        used += width
    return "".join(kept) + TRUNCATED


def safe_cell_text(value: Any, limit: int = EXCEL_CELL_LIMIT) -> str:
    """The text to write into a spreadsheet cell (always written as a string cell).

    - ``None``/NaN → ``""``; anything else → ``str``;
    - XML-illegal characters (e.g. ``\\x07``) → U+FFFD, instead of openpyxl's IllegalCharacterError;
    - longer than Excel's 32,767 characters → cut, ending in ``…（已截断）``.

    Text that would start a formula (``= + - @``, full-width ``＝ ＋ － ＠``, tab, CR, LF, even after leading
    blanks) is left as written: the writer stores it as a string cell with the quote-prefix style (see
    :func:`is_formula_like`), never with an apostrophe inside the value.
    """
    return _cap(xml_text(value), limit)
