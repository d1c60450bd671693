"""Standard output that never loses a byte without saying so.

Python's buffered stdout takes a write the disk cut short as complete: under ``ulimit -f`` (or on a disk
that fills up) ``write`` of 5,000 bytes puts 1,024 in the file, keeps the rest in its buffer, returns 5,000,
and the next flush reports success — the report ends half-way and the exit code says all is well. When
standard output is a file or a pipe, the CLI writes through :class:`StrictStdout` instead: straight to the
file descriptor, every byte or an ``OSError`` (which ``lawgov_metrics.cli.main`` turns into one Chinese line
and exit code 2).
"""

from __future__ import annotations

import os
from typing import TextIO, cast


def strict_stdout(stream: TextIO) -> TextIO:
    """``stream`` itself on a terminal (or without a file descriptor), else a :class:`StrictStdout` over it."""
    try:
        if stream.isatty():
            return stream
        stream.flush()
        return cast(TextIO, StrictStdout(stream))
    except (AttributeError, OSError, ValueError):  # no file descriptor behind it: leave it be
        return stream


class StrictStdout:
    """A text stream written straight to a file descriptor, unbuffered: every byte, or an OSError."""

    closed = False

    def __init__(self, stream: TextIO) -> None:
        self._fd = stream.fileno()
        self.encoding = stream.encoding
        self.errors = stream.errors

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        view = memoryview(text.encode(self.encoding, self.errors or "strict"))
        while view:
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:  # a non-blocking pipe that is full: wait until it drains
                import select

                select.select([], [self._fd], [])
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""
