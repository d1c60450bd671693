"""JSON output: one object, UTF-8, on the stream given (stdout for machine output)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, TextIO


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def dump_json(payload: dict[str, Any], stream: TextIO) -> None:
    """The payload as JSON on ``stream``; characters a terminal would act on are written as escapes.

    Written piece by piece: each top-level value indented as ``json.dumps(indent=2)`` would, and each item of
    a top-level list (a result, a unit-year, an issue) on one line of its own. A list of 800k results (10^4
    units) never becomes one string of 200M characters, and each line is encoded by the json module's C
    encoder (``indent`` would take its pure-Python one, ~4× slower): one record per line, easy to ``grep``.
    """
    from lawgov_metrics.render.safe_text import json_for_terminal
    from lawgov_metrics.results import LazyRecords, collector_paused

    def encoded(value: Any, level: int) -> str:
        text = json.dumps(_plain(value), ensure_ascii=False, indent=2, default=str)
        # a JSON string holds no raw line break, so each "\n" starts a line of the structure
        return json_for_terminal(text.replace("\n", "\n" + "  " * level))

    def line(item: Any) -> str:
        try:  # the payload's numbers are finite already (NaN is written as null upstream): no copy needed
            text = json.dumps(item, ensure_ascii=False, allow_nan=False, default=str)
        except (ValueError, TypeError):  # a NaN, or a key that is not text: the cleaned copy
            text = json.dumps(_plain(item), ensure_ascii=False, default=str)
        return json_for_terminal(text)

    with collector_paused():  # a copy of every dict and list of an item: nothing for the collector
        if not payload:
            stream.write("{}\n")
            return
        stream.write("{")
        for number, (key, value) in enumerate(payload.items()):
            stream.write(("," if number else "") + "\n  " + encoded(str(key), 1) + ": ")
            if isinstance(value, LazyRecords) and not len(value):
                stream.write("[]")
            elif isinstance(value, (list, tuple, LazyRecords)) and len(value):  # each item a line
                stream.write("[")
                for index, item in enumerate(value):
                    stream.write(("," if index else "") + "\n    " + line(item))
                stream.write("\n  ]")
            else:
                stream.write(encoded(value, 1))
        stream.write("\n}\n")


def write_json_atomic(payload: dict[str, Any], path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename: a reader never sees half a report."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            dump_json(payload, stream)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
