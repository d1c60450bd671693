"""Problems found in a catalogue: each with its key path, a Chinese message and (once located) a line."""

from __future__ import annotations

from dataclasses import dataclass, replace

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class CatalogueProblem:
    path: KeyPath
    message: str
    file: str = ""
    line: int | None = None

    @property
    def dotted_path(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "（根）"

    def located(self, file: str, line: int | None) -> CatalogueProblem:
        return replace(self, file=file, line=line)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "指标目录")
        return f"{where}: {self.dotted_path}: {self.message}"


class CatalogueError(Exception):
    """Every problem of a catalogue at once. Raised from validation; located by the loader."""

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
