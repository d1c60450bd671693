"""How units write figures in published reports: an explicit answer instead of a figure, and figures
qualified with words.

Explicit answers (where a figure, date or 是/否 is expected; each a documented meaning):

========================================  ==================  ==========================================
written                                   answer              meaning
========================================  ==================  ==========================================
不适用, 不涉及, 无此项, N/A, NA, —, /       ``not_applicable``  the indicators reading the field are 不适用
                                                              (out of the maximum; the note names the cell)
未公开, 未统计, 不详, 无数据                 ``not_published``   no data, said on purpose: 未公开 (scores 0)
未发生, 无, 没有                           ``none_happened``   the figure 0 (a number field only; for 是/否
                                                              无 is 否, for a date it is refused)
========================================  ==================  ==========================================

Only a blank cell is 缺数据. A dash of any width alone (``—``, ``－``, ``-``) and a slash alone (``/``) are
read as 不适用, the convention of Chinese statistical tables.

Qualified figures: a count said in words around an exact number (``先后4次``, ``共12件``, ``全年3次``) is read
as that number; an approximate one (``超过98%``, ``402万余件``, ``约95%``, ``近100%``) is refused with a
message that says why and what to write, never "无法识别为数字".
"""

from __future__ import annotations

import re
from typing import Literal

from lawgov_metrics.intake.parse.cleaning import clean_text

Answer = Literal["not_applicable", "not_published", "none_happened"]

_ANSWERS: dict[str, Answer] = {
    **dict.fromkeys(
        ["不适用", "不涉及", "无此项", "n/a", "na", "n.a.", "—", "——", "-", "--", "–", "/", "\\"],
        "not_applicable",
    ),
    **dict.fromkeys(["未公开", "未统计", "不详", "无数据", "暂无数据", "未公布"], "not_published"),
    **dict.fromkeys(["未发生", "无", "没有", "无发生"], "none_happened"),
}

# words around an exact number: 先后4次, 共12件, 全年3次, 累计5人, 合计7项
_EXACT = re.compile(r"^(?:先后|共计|共|合计|累计|总计|全年|全部|计)\s*(?P<rest>[0-9].*)$")
# words that make a number approximate, and scaling units
_APPROXIMATE = re.compile(r"超过|以上|不少于|不低于|不足|不到|低于|高于|约|近|逾|余|多|左右|上下|大约|接近")
_SCALE = re.compile(r"[0-9.]\s*(万|亿|千|百)")


def explicit_answer(value: object) -> Answer | None:
    """The answer a cell gives instead of a figure, or None (a figure, a blank, or anything else)."""
    if not isinstance(value, str):
        return None
    text = clean_text(value).lower().replace(" ", "")
    if text in ("",):
        return None
    if set(text) <= {"—", "-", "–", "－"}:
        return "not_applicable"
    return _ANSWERS.get(text)


def exact_figure(value: object) -> object:
    """``先后4次`` → ``4次``: the words around an exact number dropped (the unit is left to the reader)."""
    if not isinstance(value, str):
        return value
    found = _EXACT.match(clean_text(value))
    return found.group("rest") if found else value


def qualified_reason(value: object) -> str | None:
    """Why a figure written with words cannot be read as a number, precisely; None if it is not that."""
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if not re.search(r"[0-9]", text):
        return None
    scale = _SCALE.search(text)
    if scale:
        return f"含数量级单位“{scale.group(1)}”（{text}）；请填写完整的数字，如 402万 → 4020000" + (
            "；“余/多”等约数请填写确切数值" if _APPROXIMATE.search(text) else ""
        )
    approximate = _APPROXIMATE.search(text)
    if approximate:
        return (
            f"“{text}”是约数或界限（“{approximate.group(0)}”），无法据此评估；请填写确切数值"
            "（如年度报告所列的件数、比率），无确切数值时请留空并在备注中说明"
        )
    return None
