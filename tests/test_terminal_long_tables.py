"""A ranking of thousands of units shows its top and bottom and says how many it leaves out; a short one
shows every unit (the sample's largest kind has 32)."""

from __future__ import annotations

from rich.console import Console

from lawgov_metrics.render.terminal import MAX_TABLE_ROWS, SHOWN_EACH_END, RankRow, RankTable, _draw_rankings


def _table(count: int) -> RankTable:
    rows = tuple(
        RankRow(str(i), f"单位{i:05d}", "10", "20", "50.0%", "100%", "合格", 0, 0)
        for i in range(1, count + 1)
    )
    return RankTable(year=2024, group="镇（街道）", rows=rows)


def _drawn(table: RankTable) -> str:
    console = Console(width=100, record=True, color_system=None)
    _draw_rankings(table, console)
    return console.export_text()


def test_a_short_ranking_lists_every_unit() -> None:
    text = _drawn(_table(MAX_TABLE_ROWS))
    assert all(f"单位{i:05d}" in text for i in range(1, MAX_TABLE_ROWS + 1))
    assert "从略" not in text


def test_a_long_ranking_shows_both_ends_and_counts_the_rest() -> None:
    text = _drawn(_table(10_000))
    shown = [i for i in range(1, 10_001) if f"单位{i:05d}" in text]
    assert shown == [*range(1, SHOWN_EACH_END + 1), *range(10_001 - SHOWN_EACH_END, 10_001)]
    assert f"“…”处有 {10_000 - 2 * SHOWN_EACH_END} 个单位从略" in text
