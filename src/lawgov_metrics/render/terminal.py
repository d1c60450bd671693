"""The terminal report of ``score``: rows first (dataclasses), then rich tables.

Fits an 80-column terminal: short headers, unit names shortened for display (``海口市龙华区人民政府`` →
``龙华区``), long text broken between Chinese characters, never inside an id or a number
(:mod:`lawgov_metrics.render.line_breaks`). One unit over several years: a line of 得分率 per year, then the
latest year indicator by indicator. Colour only where the console has it — pass the console through and rich
drops styles when output is not a terminal or ``NO_COLOR`` is set. Every text from a submission is
wrapped in :class:`rich.text.Text` (never parsed as markup) after control characters are replaced.
The ``check`` report is :mod:`lawgov_metrics.render.terminal_check`; what the two share (the table style,
safe text, the placeholder for nothing) is :mod:`lawgov_metrics.render.terminal_parts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console, Group
from rich.text import Text

from lawgov_metrics.render.numbers import finite_number
from lawgov_metrics.render.terminal_parts import NONE, _t, _table
from lawgov_metrics.results import FAILING_STATUSES, NO_DATA_STATUSES, NOT_SUBMITTED, STATUS_LABELS

if TYPE_CHECKING:
    from lawgov_metrics.results import Assessment

STATUS_STYLES: dict[str, str] = {
    "met": "green",
    "not_met": "red",
    "missing": "dark_orange",
    "invalid": "bold magenta",
    "not_applicable": "bright_black",
    "not_yet_due": "bright_black",
    "not_published": "yellow",
}
TOP_FAILING = 10
# a table longer than this shows its first and last SHOWN_EACH_END rows and says how many it leaves out: a
# province's ten thousand units are read in the Excel report, not scrolled past (and drawing them took rich
# ~25 s); the top and the bottom of a ranking are what an analyst looks for on screen
MAX_TABLE_ROWS = 60
T = TypeVar("T")
SHOWN_EACH_END = 25
_PREFIXES = ("海口市",)
_SUFFIXES = ("人民政府",)


# ---------------------------------------------------------------- row models


@dataclass(frozen=True)
class Header:
    plan: str
    version: str
    sha256: str
    files: int
    errors: int
    warnings: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class RankRow:
    rank: str
    unit: str
    points: str
    max_points: str
    rate: str
    coverage: str
    grade: str
    not_met: int
    no_data: int  # 缺数据 and 未公开


@dataclass(frozen=True)
class RankTable:
    year: int
    group: str  # Chinese name of the kind units are ranked within
    rows: tuple[RankRow, ...]


@dataclass(frozen=True)
class FailingRow:
    clause: str
    indicator: str
    name: str
    counts: tuple[int, ...]  # per FAILING_STATUSES, 未达标 first

    @property
    def not_met(self) -> int:
        return self.counts[FAILING_STATUSES.index("not_met")]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ChapterMatrix:
    year: int
    chapters: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (unit shown, rate per chapter)


@dataclass(frozen=True)
class YearSection:
    year: int
    rankings: tuple[RankTable, ...]
    failing: tuple[FailingRow, ...]
    chapters: ChapterMatrix


@dataclass(frozen=True)
class DrillRow:
    clause: str
    name: str
    display: str
    target: str
    status: str
    points: str
    note: str


@dataclass(frozen=True)
class DrillYear:
    year: int
    summary: str
    rows: tuple[DrillRow, ...]


@dataclass(frozen=True)
class YearRate:
    """One year of a unit's result, for the year-by-year table of ``score --unit``."""

    year: int
    points: str
    max_points: str
    rate: str
    coverage: str
    rank: str
    grade: str


@dataclass(frozen=True)
class ScoreView:
    header: Header
    sections: tuple[YearSection, ...] = ()
    unit: str | None = None
    drill: tuple[DrillYear, ...] = ()  # the latest year in full (every year given when one was asked for)
    by_year: tuple[YearRate, ...] = ()  # every year scored, when there are several


# ---------------------------------------------------------------- formatting (presentation only)


def fmt_points(value: Any) -> str:
    number = finite_number(value)
    return NONE if number is None else f"{round(number, 2):g}"


def fmt_rate(value: Any, digits: int = 1) -> str:
    number = finite_number(value)
    return NONE if number is None else f"{number * 100:.{digits}f}%"


def short_names(units: Iterable[str]) -> dict[str, str]:
    """Display names without the city prefix and 人民政府 suffix, unless that makes two names alike."""
    units = list(dict.fromkeys(units))
    shortened = {}
    for unit in units:
        name = unit
        for prefix in _PREFIXES:
            name = name.removeprefix(prefix)
        for suffix in _SUFFIXES:
            name = name.removesuffix(suffix)
        shortened[unit] = name or unit  # 海口市人民政府 stays whole
    taken = list(shortened.values())
    return {
        unit: short if taken.count(short) == 1 and (short == unit or short not in units) else unit
        for unit, short in shortened.items()
    }


# ---------------------------------------------------------------- building the rows


def _header(assessment: Assessment) -> Header:
    catalogue = assessment.catalogue
    return Header(
        plan=catalogue.plan.title,
        version=catalogue.version,
        sha256=catalogue.sha256[:12],
        files=len(assessment.files),
        errors=assessment.error_count,
        warnings=len(assessment.issues_list) - assessment.error_count,
        years=assessment.years,
    )


def _rankings(assessment: Assessment, year: int, names: dict[str, str]) -> tuple[RankTable, ...]:
    catalogue = assessment.catalogue
    scores = assessment.scores[assessment.scores["year"] == year]
    order = {kind.id: i for i, kind in enumerate(catalogue.unit_kinds)}
    tables = []
    for group in sorted(set(scores["group"]), key=lambda g: order.get(str(g), len(order))):
        part = scores[scores["group"] == group].sort_values(["rank", "unit"], na_position="last")
        rows = tuple(
            RankRow(
                rank=NONE if finite_number(r["rank"]) is None else str(int(r["rank"])),
                unit=names.get(str(r["unit"]), str(r["unit"])),
                points=fmt_points(r["points"]) if r["submitted"] else NONE,
                max_points=fmt_points(r["max_points"]) if r["submitted"] else NONE,
                rate=fmt_rate(r["rate"]),
                coverage=fmt_rate(r["coverage"], digits=0),
                grade=str(r["grade"] or NONE) if r["submitted"] else NOT_SUBMITTED,
                not_met=int(r["not_met"]),
                no_data=sum(int(r[s]) for s in NO_DATA_STATUSES),
            )
            for r in part.to_dict("records")
        )
        kind = catalogue.kinds_by_id.get(str(group))
        tables.append(RankTable(year=year, group=kind.name if kind else str(group), rows=rows))
    return tuple(tables)


def _failing(assessment: Assessment, year: int) -> tuple[FailingRow, ...]:
    """Indicators most often 未达标 this year (never one with no 未达标), with their other failures beside."""
    results = assessment.results
    failing = results[(results["year"] == year) & results["status"].isin(FAILING_STATUSES)]
    if not (failing["status"] == "not_met").any():
        return ()
    counts = failing.groupby(["indicator", "status"], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(FAILING_STATUSES), fill_value=0)
    order = {ind.id: i for i, ind in enumerate(assessment.catalogue.indicators)}
    rows = []
    for indicator, row in counts.iterrows():
        ind = assessment.catalogue.indicators_by_id.get(str(indicator))
        if not int(row["not_met"]):
            continue
        rows.append(
            FailingRow(
                clause=ind.clause if ind else "",
                indicator=str(indicator),
                name=ind.name if ind else str(indicator),
                counts=tuple(int(row[s]) for s in FAILING_STATUSES),
            )
        )
    rows.sort(key=lambda r: (-r.not_met, -r.total, order.get(r.indicator, len(order))))
    return tuple(rows[:TOP_FAILING])


def _chapter_matrix(assessment: Assessment, year: int, names: dict[str, str]) -> ChapterMatrix:
    chapter_ids = tuple(c.id for c in assessment.catalogue.chapters)
    chapters = assessment.chapters[assessment.chapters["year"] == year]
    rates = {
        (str(u), str(c)): r
        for u, c, r in zip(chapters["unit"], chapters["chapter"], chapters["rate"], strict=True)
    }
    scores = assessment.scores
    units = scores.loc[(scores["year"] == year) & scores["submitted"].astype(bool), "unit"].astype("str")
    rows = tuple(
        (names.get(unit, unit), tuple(fmt_rate(rates.get((unit, c)), digits=0) for c in chapter_ids))
        for unit in dict.fromkeys(units)
    )
    return ChapterMatrix(year=year, chapters=chapter_ids, rows=rows)


def _by_year(assessment: Assessment, unit: str) -> tuple[YearRate, ...]:
    scores = assessment.scores[assessment.scores["unit"] == unit].sort_values("year")
    rows = []
    for s in scores.to_dict("records"):
        submitted = bool(s["submitted"])
        rows.append(
            YearRate(
                year=int(s["year"]),
                points=fmt_points(s["points"]) if submitted else NONE,
                max_points=fmt_points(s["max_points"]) if submitted else NONE,
                rate=fmt_rate(s["rate"]),
                coverage=fmt_rate(s["coverage"], digits=0),
                rank=NONE if finite_number(s["rank"]) is None else str(int(s["rank"])),
                grade=str(s["grade"] or NONE) if submitted else NOT_SUBMITTED,
            )
        )
    return tuple(rows)


def _drill(assessment: Assessment, unit: str, years_shown: Iterable[int]) -> tuple[DrillYear, ...]:
    scores = assessment.scores[assessment.scores["unit"] == unit]
    results = assessment.results[assessment.results["unit"] == unit]
    years = []
    for year in years_shown:
        score = scores[scores["year"] == year]
        part = results[results["year"] == year]
        if score.empty and part.empty:
            continue
        summary = ""
        if len(score) and not bool(score.iloc[0]["submitted"]):
            summary = f"{NOT_SUBMITTED}：本年度没有任何填报，不排名、不定等"
        elif len(score):
            s = score.iloc[0]
            rank = "" if finite_number(s["rank"]) is None else f" · 排名 {int(s['rank'])}"
            summary = (
                f"得分 {fmt_points(s['points'])}/{fmt_points(s['max_points'])} · 得分率 {fmt_rate(s['rate'])}"
                f" · 覆盖率 {fmt_rate(s['coverage'], digits=0)}{rank} · {s['grade'] or NONE}"
            )
        rows = tuple(
            DrillRow(
                clause=str(r["clause"]),
                name=str(r["name"]),
                display=str(r["display"] or NONE),
                target=str(r["target"]),
                status=str(r["status"]),
                points=f"{fmt_points(r['points'])}/{fmt_points(r['max_points'])}",
                note=str(r["note"]),
            )
            for r in part.to_dict("records")
        )
        years.append(DrillYear(year=year, summary=summary, rows=rows))
    return tuple(years)


def score_view(assessment: Assessment, unit: str | None = None) -> ScoreView:
    """The rows of the terminal report (or of one unit's drill-down)."""
    header = _header(assessment)
    if unit is not None:
        if unit not in set(assessment.results["unit"]) | set(assessment.scores["unit"]):
            raise ValueError(f"评估结果中没有单位「{unit}」")
        by_year = _by_year(assessment, unit)
        if len(by_year) > 1:  # several years: the latest in full, the others as one line each
            return ScoreView(
                header=header, unit=unit, drill=_drill(assessment, unit, [by_year[-1].year]), by_year=by_year
            )
        return ScoreView(header=header, unit=unit, drill=_drill(assessment, unit, assessment.years))
    names = short_names(assessment.scores["unit"].astype("str"))
    sections = tuple(
        YearSection(
            year=year,
            rankings=_rankings(assessment, year, names),
            failing=_failing(assessment, year),
            chapters=_chapter_matrix(assessment, year, names),
        )
        for year in assessment.years
    )
    return ScoreView(header=header, sections=sections)


# ---------------------------------------------------------------- drawing


def _status(status: str) -> Text:
    return Text(STATUS_LABELS.get(status, status), style=STATUS_STYLES.get(status, ""))


def _draw_header(header: Header, console: Console) -> None:
    problems = Text("数据问题：")
    problems.append(f"{header.errors} 个错误", style="red" if header.errors else "green")
    problems.append(" / ")
    problems.append(f"{header.warnings} 个警告", style="dark_orange" if header.warnings else "")
    lines = [
        _t(header.plan, style="bold"),
        _t(f"指标目录 {header.version}（sha256 {header.sha256 or NONE}）· 读取文件 {header.files} 个"),
        problems,
    ]
    if header.years:
        lines.append(Text("评估年度：" + "、".join(str(y) for y in header.years)))
    console.print(Group(*lines))


def _draw_rankings(table_rows: RankTable, console: Console) -> None:
    table = _table(f"{table_rows.year}年 {table_rows.group} 排名")
    table.add_column("排名", justify="right", no_wrap=True)
    table.add_column("单位", overflow="fold", min_width=8)
    for header in ("得分", "满分", "得分率", "覆盖率"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("等次", no_wrap=True)
    for header in ("未达标", "无数据"):
        table.add_column(header, justify="right", no_wrap=True)
    rows, left_out = _ends(table_rows.rows)
    for row in rows:
        if row is None:
            table.add_row("…", "…", *[""] * 7)
            table.caption = _left_out(left_out)
            continue
        table.add_row(
            row.rank,
            _t(row.unit),
            row.points,
            row.max_points,
            row.rate,
            row.coverage,
            _t(row.grade),
            Text(str(row.not_met), style=STATUS_STYLES["not_met"] if row.not_met else ""),
            Text(str(row.no_data), style=STATUS_STYLES["missing"] if row.no_data else ""),
        )
    console.print(table)


def _draw_failing(year: int, rows: tuple[FailingRow, ...], console: Console) -> None:
    if not rows:
        console.print(Text(f"{year}年 没有未达标的指标。", style="green"))
        return
    table = _table(f"{year}年 全市未达标最多的指标")
    table.add_column("条款", no_wrap=True)
    table.add_column("指标", overflow="fold", min_width=10)
    for status in FAILING_STATUSES:
        table.add_column(
            STATUS_LABELS[status], justify="right", no_wrap=True, header_style=STATUS_STYLES[status]
        )
    table.add_column("合计", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(_t(row.clause), _t(row.name), *map(str, row.counts), Text(str(row.total), style="bold"))
    console.print(table)


def _draw_chapters(matrix: ChapterMatrix, console: Console) -> None:
    table = _table(f"{matrix.year}年 各章得分率")
    table.add_column("单位", overflow="fold", min_width=8)
    for chapter in matrix.chapters:
        table.add_column(chapter, justify="right", no_wrap=True)
    rows, left_out = _ends(matrix.rows)
    for row in rows:
        if row is None:
            table.add_row("…", *[""] * len(matrix.chapters))
            table.caption = _left_out(left_out)
            continue
        unit, rates = row
        table.add_row(_t(unit), *rates)
    console.print(table)


def _ends(rows: tuple[T, ...]) -> tuple[list[T | None], int]:
    """All rows of a short table; of a long one, the first and last :data:`SHOWN_EACH_END` with ``None``
    (drawn as a line saying how many are left out) between them."""
    if len(rows) <= MAX_TABLE_ROWS:
        return list(rows), 0
    left_out = len(rows) - 2 * SHOWN_EACH_END
    return [*rows[:SHOWN_EACH_END], None, *rows[-SHOWN_EACH_END:]], left_out


def _left_out(count: int) -> Text:
    return Text(f"（“…”处有 {count} 个单位从略，完整名单见 -o 报告.xlsx 或 --format json）", style="dim")


def _draw_by_year(view: ScoreView, console: Console) -> None:
    console.print()
    table = _table(f"{view.unit} 历年得分率")
    table.add_column("年度", no_wrap=True)
    for header in ("得分", "满分", "得分率", "覆盖率", "排名"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("等次", no_wrap=True)
    for row in view.by_year:
        table.add_row(
            str(row.year), row.points, row.max_points, row.rate, row.coverage, row.rank, _t(row.grade)
        )
    console.print(table)
    console.print(Group(_t(f"以下为最近一年（{view.by_year[-1].year}年）的各项指标；其他年度请加 --year。")))


def _draw_drill(view: ScoreView, console: Console) -> None:
    if view.by_year:
        _draw_by_year(view, console)
    for year in view.drill:
        console.print()
        console.print(Group(_t(f"{view.unit} {year.year}年", style="bold")))
        if year.summary:
            console.print(Group(_t(year.summary)))  # a Group: print() would join Texts into a plain one
        table = _table(None)
        table.add_column("条款", no_wrap=True)
        table.add_column("指标（说明）", overflow="fold", ratio=3, min_width=10)
        table.add_column("数值", overflow="fold", ratio=2)
        table.add_column("目标", overflow="fold", ratio=2)
        table.add_column("状态", no_wrap=True)
        table.add_column("得分", justify="right", no_wrap=True)
        for row in year.rows:
            name = _t(row.name)
            if row.note:  # the note under the name: a seventh column would leave each too narrow at 80
                name.append("\n")
                name.append_text(_t(row.note, style="dim"))
            table.add_row(
                _t(row.clause), name, _t(row.display), _t(row.target), _status(row.status), row.points
            )
        console.print(table)


def render_terminal(assessment: Assessment, console: Console, *, unit: str | None = None) -> None:
    """The ``score`` report: header, rankings per kind and year, indicators most often failed, chapter
    rates; with ``unit``, that unit's indicators year by year instead."""
    view = score_view(assessment, unit)
    _draw_header(view.header, console)
    if view.unit is not None:
        _draw_drill(view, console)
        return
    for section in view.sections:
        console.print()
        for ranking in section.rankings:
            _draw_rankings(ranking, console)
        _draw_failing(section.year, section.failing, console)
        _draw_chapters(section.chapters, console)
