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
    """The payload as JSON on ``stream``; characters a terminal would act on are written as escapes."""
    from lawgov_metrics.render.safe_text import json_for_terminal
    from lawgov_metrics.results import collector_paused

    with collector_paused():  # a copy of every dict and list of the payload: nothing for the collector
        text = json.dumps(_plain(payload), ensure_ascii=False, indent=2, default=str)
    stream.write(json_for_terminal(text))
    stream.write("\n")


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
