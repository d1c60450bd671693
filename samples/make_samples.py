#!/usr/bin/env python3
"""Generate the bundled Haikou sample data: units register, 2021–2025 submissions, flawed workbooks.

    python samples/make_samples.py [--out samples] [--only UNIT ...] [--years 2024 ...] [--no-flawed]

Everything is deterministic: the master seed is 20211231 and every unit draws from its own
``random.Random(f"20211231/{unit}")``, so a subset (``--only``/``--years``) comes out exactly as in a full
run. Nothing depends on the wall clock: workbook properties, the template's ``generated_at`` and the zip
entries carry fixed times, so the same environment writes byte-identical files.

Each workbook is ``build_template(...)`` for the unit's kind, filled in: the summary values of the fields
reported directly, and the ledgers (台账) the derived fields are counted from. A hidden per-unit quality
decides how often a promise of the plan is kept; most units improve year on year.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import random
import re
import sys
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar

REPO = Path(__file__).resolve().parents[1]
try:
    import lawgov_metrics  # noqa: F401
except ImportError:  # a source checkout without an installed package
    sys.path.insert(0, str(REPO / "src"))

from lawgov_metrics import layout  # noqa: E402
from lawgov_metrics.catalogue import Catalogue, load_catalogue  # noqa: E402
from lawgov_metrics.catalogue.applicability import (  # noqa: E402
    fields_for_kind,
    indicators_for_kind,
    ledgers_for_kind,
    resolve_kind,
)
from lawgov_metrics.catalogue.models import Condition, FieldDef  # noqa: E402
from lawgov_metrics.render.template import build_template  # noqa: E402

SEED = 20211231
YEARS = tuple(range(2021, 2026))
FLAWED_YEAR = 2024
MISSING_FILES = {("三门坡镇", 2021), ("海口市信访局", 2022)}  # unit-years that sent nothing
LONG_TABLE_YEAR = 2025
LONG_TABLE_UNITS = ("海口市教育局", "海口市民政局", "海口市水务局")  # 2025 summary only in the long CSV
DISTRICTS = ("秀英区", "龙华区", "琼山区", "美兰区")

# ================================================================ units


@dataclass(frozen=True)
class Profile:
    """Yearly sizes of a unit's ledgers (means; each unit-year varies around them)."""

    lit: float = 0  # 行政诉讼案件 concluded
    enf: int = 0  # 行政执法人员
    staff: int = 40  # 国家工作人员
    req: float = 20  # 依申请公开
    prop: float = 20  # 建议提案
    docs: float = 2  # 行政规范性文件
    major: float = 3  # 重大行政执法决定


@dataclass(frozen=True)
class Unit:
    name: str
    kind_name: str  # 单位类别 as the catalogue names it
    aliases: tuple[str, ...]
    district: str  # 所属区
    abbr: str  # 文号前缀, e.g. 海司 → 海司规〔2024〕1号
    profile: Profile


def _dept(name: str, abbr: str, kind: str = "市直部门", aliases: Iterable[str] = (), **sizes: Any) -> Unit:
    short = name.removeprefix("海口市").removeprefix("人民政府")
    return Unit(name, kind, (f"市{short}", *aliases), "", abbr, Profile(**sizes))


CITY = Unit(
    "海口市人民政府",
    "市政府",
    ("海口市政府", "市政府"),
    "",
    "海府",
    Profile(lit=80, staff=56, req=300, prop=130, docs=14),
)
DISTRICT_UNITS = [
    Unit(
        f"{d}人民政府",
        "区政府",
        (d, f"海口市{d}人民政府", f"{d}政府"),
        d,
        abbr,
        Profile(lit=lit, enf=enf, staff=staff, req=req, prop=prop, docs=docs, major=major),
    )
    for d, abbr, lit, enf, staff, req, prop, docs, major in (
        ("秀英区", "秀府", 48, 110, 65, 160, 45, 5, 22),
        ("龙华区", "龙府", 95, 170, 80, 360, 80, 8, 40),
        ("琼山区", "琼山府", 70, 140, 70, 240, 60, 6, 30),
        ("美兰区", "美府", 85, 160, 75, 320, 75, 7, 36),
    )
]
# Haikou's city departments by their current names; sizes are rough orders of magnitude.
DEPARTMENTS = [
    _dept(
        "海口市发展和改革委员会",
        "海发改",
        aliases=("海口市发改委",),
        lit=2,
        enf=14,
        staff=45,
        req=40,
        prop=60,
        docs=3,
        major=2,
    ),
    _dept("海口市教育局", "海教", lit=3, enf=20, staff=45, req=60, prop=80, docs=3, major=2),
    _dept(
        "海口市科学技术工业信息化局",
        "海科工信",
        aliases=("海口市科工信局",),
        lit=1,
        enf=15,
        staff=34,
        req=20,
        prop=40,
        docs=2,
        major=1,
    ),
    _dept("海口市公安局", "海公", lit=30, enf=220, staff=68, req=120, prop=50, docs=3, major=25),
    _dept("海口市民政局", "海民", lit=3, enf=12, staff=30, req=30, prop=40, docs=2, major=1),
    _dept("海口市司法局", "海司", "市司法局", lit=15, enf=30, staff=52, req=40, prop=30, docs=3, major=3),
    _dept("海口市财政局", "海财", lit=2, enf=10, staff=41, req=30, prop=30, docs=3, major=1),
    _dept(
        "海口市人力资源和社会保障局",
        "海人社",
        aliases=("海口市人社局",),
        lit=20,
        enf=40,
        staff=45,
        req=80,
        prop=40,
        docs=3,
        major=4,
    ),
    _dept(
        "海口市自然资源和规划局",
        "海资规",
        aliases=("海口市自规局",),
        lit=35,
        enf=80,
        staff=60,
        req=280,
        prop=60,
        docs=4,
        major=10,
    ),
    _dept("海口市生态环境局", "海环", lit=8, enf=60, staff=34, req=60, prop=40, docs=2, major=12),
    _dept(
        "海口市住房和城乡建设局",
        "海建",
        aliases=("海口市住建局",),
        lit=15,
        enf=50,
        staff=45,
        req=120,
        prop=70,
        docs=4,
        major=8,
    ),
    _dept("海口市交通运输和港航局", "海交港", lit=10, enf=90, staff=41, req=40, prop=60, docs=2, major=10),
    _dept("海口市水务局", "海水", lit=4, enf=35, staff=30, req=25, prop=40, docs=2, major=4),
    _dept("海口市农业农村局", "海农", lit=4, enf=40, staff=38, req=30, prop=50, docs=2, major=4),
    _dept("海口市商务局", "海商", lit=1, enf=12, staff=26, req=15, prop=30, docs=2, major=1),
    _dept(
        "海口市旅游和文化广电体育局",
        "海旅文",
        aliases=("海口市旅文局",),
        lit=3,
        enf=40,
        staff=38,
        req=25,
        prop=40,
        docs=2,
        major=4,
    ),
    _dept(
        "海口市卫生健康委员会",
        "海卫健",
        aliases=("海口市卫健委",),
        lit=6,
        enf=60,
        staff=41,
        req=60,
        prop=60,
        docs=3,
        major=6,
    ),
    _dept("海口市退役军人事务局", "海退役", lit=2, enf=10, staff=22, req=15, prop=20, docs=1, major=0.5),
    _dept(
        "海口市应急管理局",
        "海应急",
        "市应急管理局",
        lit=3,
        enf=45,
        staff=30,
        req=20,
        prop=25,
        docs=2,
        major=6,
    ),
    _dept("海口市审计局", "海审", lit=1, enf=12, staff=34, req=10, prop=15, docs=1, major=1),
    _dept(
        "海口市市场监督管理局",
        "海市监",
        "市市场监督管理局",
        aliases=("海口市市场监管局",),
        lit=12,
        enf=180,
        staff=52,
        req=80,
        prop=40,
        docs=3,
        major=18,
    ),
    _dept("海口市统计局", "海统", lit=1, enf=10, staff=19, req=10, prop=10, docs=1, major=0.5),
    _dept("海口市医疗保障局", "海医保", lit=3, enf=20, staff=26, req=20, prop=20, docs=2, major=2),
    _dept(
        "海口市综合行政执法局",
        "海综执",
        "市综合行政执法局",
        lit=25,
        enf=240,
        staff=60,
        req=60,
        prop=50,
        docs=3,
        major=30,
    ),
    _dept(
        "海口市行政审批服务局",
        "海审批",
        "审批服务局",
        lit=4,
        enf=20,
        staff=45,
        req=40,
        prop=30,
        docs=3,
        major=2,
    ),
    _dept(
        "海口市大数据管理局",
        "海数",
        "市大数据管理局",
        lit=1,
        enf=10,
        staff=19,
        req=10,
        prop=15,
        docs=1,
        major=0.5,
    ),
    _dept("海口市园林环卫局", "海园环", lit=2, enf=15, staff=34, req=15, prop=30, docs=1, major=1),
    _dept(
        "海口市人民政府国有资产监督管理委员会",
        "海国资",
        aliases=("海口市国资委",),
        lit=1,
        enf=10,
        staff=22,
        req=10,
        prop=12,
        docs=1,
        major=0.5,
    ),
    _dept(
        "海口市人民政府外事办公室",
        "海外事",
        aliases=("海口市外事办",),
        lit=0.5,
        enf=10,
        staff=19,
        req=10,
        prop=10,
        docs=1,
        major=0.3,
    ),
    _dept("海口市信访局", "海信", lit=2, enf=10, staff=22, req=30, prop=12, docs=1, major=0.5),
    _dept("海口市机关事务管理局", "海机管", lit=1, enf=10, staff=22, req=8, prop=10, docs=1, major=0.5),
    _dept(
        "海口市住房保障和房产管理局",
        "海房",
        aliases=("海口市住保房管局",),
        lit=8,
        enf=30,
        staff=30,
        req=60,
        prop=40,
        docs=2,
        major=3,
    ),
]
TOWN_NAMES = {
    "秀英区": ("秀英街道", "海秀街道", "长流镇", "西秀镇", "石山镇", "永兴镇"),
    "龙华区": ("中山街道", "滨海街道", "金贸街道", "大同街道", "城西镇", "新坡镇"),
    "琼山区": ("府城街道", "滨江街道", "国兴街道", "龙塘镇", "云龙镇", "三门坡镇"),
    "美兰区": ("海府街道", "白龙街道", "海甸街道", "人民路街道", "灵山镇", "演丰镇"),
}


def _town(district: str, name: str) -> Unit:
    official = f"{district}{name}办事处" if name.endswith("街道") else f"{district}{name}人民政府"
    short = f"{name}办事处" if name.endswith("街道") else f"{name}人民政府"
    return Unit(name, "镇（街道）", (official, short), district, "", Profile(enf=0, staff=0, req=0))


TOWNS = [_town(d, n) for d, names in TOWN_NAMES.items() for n in names]
UNITS: list[Unit] = [CITY, *DISTRICT_UNITS, *DEPARTMENTS, *TOWNS]
# 行政执法单位（单位名册的属性列）: departments without administrative enforcement powers say 否; the
# indicators of 各行政执法单位 / 行政执法人员 (applies_when: [enforcement]) do not concern them.
NO_ENFORCEMENT_POWERS = frozenset({"海口市人民政府外事办公室", "海口市信访局", "海口市机关事务管理局"})

# ================================================================ calendar

_CAL_START, _CAL_END = dt.date(2019, 1, 1), dt.date(2026, 12, 31)
WORKDAYS: list[dt.date] = [
    _CAL_START + dt.timedelta(days=i)
    for i in range((_CAL_END - _CAL_START).days + 1)
    if chinese_calendar.is_workday(_CAL_START + dt.timedelta(days=i))
]


def workday_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (n = 0: the day itself)."""
    return day if n == 0 else WORKDAYS[bisect.bisect_right(WORKDAYS, day) + n - 1]


def workdays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return WORKDAYS[bisect.bisect_left(WORKDAYS, start) : bisect.bisect_right(WORKDAYS, end)]


def a_workday(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return WORKDAYS[rng.randrange(bisect.bisect_left(WORKDAYS, start), bisect.bisect_right(WORKDAYS, end))]


def last_workday_before(day: dt.date) -> dt.date:
    return WORKDAYS[bisect.bisect_left(WORKDAYS, day) - 1]


def spring_festival_start(year: int) -> dt.date:
    """First day of the Spring Festival holiday (春节假期) of ``year``."""
    day = dt.date(year, 1, 10)
    while chinese_calendar.get_holiday_detail(day) != (True, chinese_calendar.Holiday.spring_festival.value):
        day += dt.timedelta(days=1)
    return day


def a_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def half_bounds(year: int, half: int) -> tuple[dt.date, dt.date]:
    return (
        (dt.date(year, 1, 1), dt.date(year, 6, 30))
        if half == 1
        else (dt.date(year, 7, 1), dt.date(year, 12, 31))
    )


# ================================================================ text pools

SURNAMES = "王陈李林吴黄符张刘周郑冯邢云梁蔡钟何许杨谢韩庞羊朱邱罗唐曾潘麦苏"
GIVEN = "海明华南琼志芳丽伟强军平红霞文武建国晓东雪梅春燕玉婷俊杰宏亮颖慧敏静秀英琳思宇浩然子涵欣怡嘉豪立新振兴昌盛学良德茂"
LAWS = (
    "习近平法治思想",
    "《中华人民共和国宪法》",
    "《中华人民共和国民法典》",
    "《中华人民共和国行政处罚法》",
    "《中华人民共和国行政许可法》",
    "《中华人民共和国行政强制法》",
    "《中华人民共和国行政复议法》",
    "《中华人民共和国行政诉讼法》",
    "《中华人民共和国海南自由贸易港法》",
    "《优化营商环境条例》",
    "《中华人民共和国政府信息公开条例》",
    "《重大行政决策程序暂行条例》",
    "《中华人民共和国安全生产法》",
    "《中华人民共和国突发事件应对法》",
    "《信访工作条例》",
    "《中华人民共和国数据安全法》",
    "《中华人民共和国个人信息保护法》",
    "《海南自由贸易港公平竞争条例》",
    "《法治政府建设实施纲要（2021—2025年）》",
    "《海南省优化营商环境条例》",
)
DOC_TOPICS = (
    "城市道路占用挖掘管理",
    "户外广告设施设置管理",
    "住房公积金提取管理",
    "农村宅基地审批管理",
    "城市生活垃圾分类管理",
    "中小企业发展专项资金管理",
    "公共租赁住房管理",
    "共享电动自行车管理",
    "历史文化街区保护",
    "建筑工地扬尘污染防治",
    "政府投资项目管理",
    "餐饮服务食品安全监督管理",
    "旅游民宿管理",
    "城市绿地养护管理",
    "消防安全网格化管理",
    "养老服务补贴发放",
    "高层次人才住房保障",
    "停车场建设和管理",
    "海域使用管理",
    "防汛防风应急物资储备管理",
)
TRADE_NAMES = (
    "椰城琼华南洋海韵新港鸿达远航金海蓝湾椰风琼州万绿滨江椰林云海凯旋明珠盛华兴业恒泰博远嘉禾鼎盛海岸天涯星辰"
)
INDUSTRIES = (
    "科技",
    "贸易",
    "餐饮管理",
    "旅游开发",
    "文化传媒",
    "建筑工程",
    "电子商务",
    "农业开发",
    "医药",
    "物流",
    "信息技术",
    "供应链管理",
    "酒店管理",
    "教育咨询",
    "健康管理",
    "国际贸易",
    "新能源",
    "装饰工程",
    "网络科技",
    "商务咨询",
)
DRILLS = (
    "防台风",
    "防汛排涝",
    "森林防火",
    "危险化学品泄漏",
    "地震应急疏散",
    "城市内涝",
    "人员密集场所火灾",
    "燃气泄漏",
    "校园安全",
    "水上搜救",
)
EVENTS = (
    ("强降雨致城区内涝", "较大"),
    ("道路交通事故", "一般"),
    ("在建工地围挡倒塌", "一般"),
    ("商住楼燃气泄漏", "较大"),
    ("集体食物中毒", "重大"),
    ("农贸市场火灾", "较大"),
    ("台风登陆影响", "重大"),
    ("涉海船舶搁浅", "一般"),
    ("山林火情", "较大"),
    ("危化品运输车侧翻", "重大"),
    ("自建房局部坍塌", "重大"),
    ("供水管网爆管停水", "一般"),
)
POSTS = ("行政检查", "行政处罚", "行政许可", "行政强制", "法制审核", "执法大队", "执法中队")
OTHER_ACTIVITIES = (
    "“12·4”国家宪法日宣传活动",
    "民法典宣传月活动",
    "“八五”普法推进会",
    "法治政府建设示范创建推进会",
    "全民国家安全教育日学习活动",
)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


ID_REGIONS = (
    "460105",
    "460106",
    "460107",
    "460108",
    "460108",
    "460106",
    "460200",
    "460400",
    "469005",
    "469002",
    "469006",
    "469021",
    "469022",
    "469023",
    "469024",
    "430102",
    "440104",
    "360102",
    "410105",
    "450102",
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 6, 3, 1)


def id_number(rng: random.Random, born_from: int = 1965, born_to: int = 2001) -> str:
    """An 18-digit 居民身份证号 (GB 11643) with a correct check digit; 'X' happens."""
    born = a_day(rng, dt.date(born_from, 1, 1), dt.date(born_to, 12, 31))
    body = f"{rng.choice(ID_REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    total = sum(
        int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    return body + "10X98765432"[total % 11]


def company_name(rng: random.Random) -> str:
    trade = "".join(rng.sample(TRADE_NAMES, 2))
    return f"{rng.choice(('海口', '海南'))}{trade}{rng.choice(INDUSTRIES)}有限公司"


# ================================================================ simulated people


@dataclass
class Person:
    pid: str  # 人员编号 (身份证号) or 执法证号
    name: str
    joined: int
    left: int = 9999
    position: str = ""
    head: bool = False  # 承担行政执法职能的部门负责人
    legis: bool = False  # 政府立法工作人员
    legal: bool = False  # 从事政府法治工作
    qualified_from: int = 9999  # 取得法律职业资格的年度
    plan: list[int] = field(default_factory=list)  # years of planned rotations / off-job training

    def active(self, year: int) -> bool:
        return self.joined <= year < self.left


# ================================================================ citywide calendar


@dataclass(frozen=True)
class Citywide:
    """Dates set by the city (市司法局, 市委党校) that every unit's records share."""

    enf_training: dict[int, list[dt.date]]  # 全市行政执法业务培训
    rotation: dict[int, list[dt.date]]  # 全市行政执法人员轮训
    legis_rotation: dict[int, list[dt.date]]  # 政府立法工作人才轮训
    offjob: dict[int, list[dt.date]]  # 法治专题脱产培训（党校）


def citywide_calendar() -> Citywide:
    rng = random.Random(f"{SEED}/citywide")

    def days(year: int, months: Iterable[int]) -> list[dt.date]:
        return [a_workday(rng, dt.date(year, m, 3), dt.date(year, m, 26)) for m in months]

    return Citywide(
        enf_training={y: days(y, (4, 7, 10)) for y in YEARS},
        rotation={y: days(y, (3, 5, 9, 11)) for y in YEARS},
        legis_rotation={y: days(y, (6, 11)) for y in YEARS},
        offjob={y: days(y, (4, 10)) for y in YEARS},
    )


# ================================================================ one unit-year's data


@dataclass
class UnitYear:
    unit: Unit
    kind_id: str
    year: int
    summary: dict[tuple[str, str], Any] = field(
        default_factory=dict
    )  # (field, period) → value, direct fields
    derived: dict[tuple[str, str], Any] = field(default_factory=dict)  # derived fields also given in 汇总表
    ledgers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def jitter(rng: random.Random, mean: float, spread: float = 0.25) -> int:
    return max(0, round(mean * rng.uniform(1 - spread, 1 + spread)))


def poissonish(rng: random.Random, mean: float) -> int:
    """Small counts: Poisson by inversion (means up to ~30), else a jittered mean."""
    if mean <= 0:
        return 0
    if mean > 30:
        return jitter(rng, mean, 0.2)
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class UnitSim:
    """A unit across 2021–2025: its people persist, its quality drifts, its ledgers are drawn year by year."""

    def __init__(self, cat: Catalogue, unit: Unit, quality: float, slope: float, city: Citywide) -> None:
        self.cat, self.unit, self.quality, self.slope, self.city = cat, unit, quality, slope, city
        self.kind_id = resolve_kind(cat, unit.kind_name).id
        self.general = cat.general_kind(self.kind_id)
        self.rng = random.Random(f"{SEED}/{unit.name}")
        rng = self.rng
        p = unit.profile
        if self.general == "town":  # towns vary around common sizes
            p = Profile(enf=rng.randint(10, 35), staff=rng.randint(20, 40), req=rng.uniform(10, 40))
        self.profile = p
        self.fields = fields_for_kind(cat, self.kind_id)
        self.ledger_ids = [led.id for led in ledgers_for_kind(cat, self.kind_id)]
        self.indicators = indicators_for_kind(cat, self.kind_id)
        self.staff: list[Person] = []
        self.enforcers: list[Person] = []
        self.next_cert = 1
        self.case_numbers: set[str] = set()
        self.unit_code = UNITS.index(unit) + 1
        # litigation: 出庭应诉率 up, 败诉率 down, 执行到位率 up for most units (a few drift the other way)
        improving = rng.random() < 0.85
        self.head0 = clip(rng.uniform(0.25, 0.55) + 0.3 * quality, 0.2, 0.95)
        self.head_step = rng.uniform(0.04, 0.12) if improving else rng.uniform(-0.06, 0.0)
        self.loss0 = clip(rng.uniform(0.08, 0.25) - 0.08 * quality, 0.02, 0.3)
        self.loss_step = rng.uniform(0.01, 0.035) if improving else rng.uniform(-0.03, 0.0)
        self.exec0 = clip(rng.uniform(0.5, 0.8) + 0.15 * quality, 0.4, 0.98)
        self.exec_step = rng.uniform(0.02, 0.08) if improving else rng.uniform(-0.05, 0.0)
        self.qualified_step = rng.random() < 0.8  # legal staff gaining 法律职业资格 over the years
        # plan-period duties per person (轮训2次, 脱产培训1次): a unit either sees to everyone or lets a few slip
        self.complete = {duty: rng.random() < quality + 0.1 for duty in ("rotation", "offjob", "legis")}
        # milestones: when the unit got there (a weak unit may be late)
        late = rng.random() > quality
        self.milestones = {
            "inter_province_done": dt.date(2023, 4, 18)
            if late
            else dt.date(2022, rng.randint(6, 11), rng.randint(1, 28)),
            "reconsideration_system_done": dt.date(2022, rng.randint(3, 9), rng.randint(1, 28)),
            "supervision_system_done": dt.date(2025, 5, 20)
            if late and rng.random() < 0.5
            else dt.date(rng.choice((2023, 2024)), rng.randint(2, 11), rng.randint(1, 28)),
            "unified_query_done": dt.date(2023, rng.randint(3, 11), rng.randint(1, 28)),
            "platforms_interconnected": dt.date(2023, 3, 15)
            if late
            else dt.date(2022, rng.randint(5, 12), rng.randint(1, 28)),
        }
        self.base = {
            "gov_service_items": rng.randint(1600, 2200)
            if self.kind_id == "approval_bureau"
            else rng.randint(850, 1300),
            "joint_inspection_items": rng.randint(6, 40),
            "inspection_staff": rng.randint(12, 36),
        }

    # ------------------------------------------------------------ quality

    def p(self, year: int) -> float:
        return clip(self.quality + self.slope * (year - YEARS[0]), 0.08, 0.97)

    def meets(self, year: int) -> dict[str, bool]:
        p = self.p(year)
        return {i.id: self.rng.random() < p for i in self.indicators}

    # ------------------------------------------------------------ people

    def _staff_member(self, year: int) -> Person:
        rng = self.rng
        person = Person(id_number(rng), person_name(rng), joined=year)
        person.position = rng.choice(
            ("科员", "科员", "科员", "四级主任科员", "一级主任科员", "二级调研员", "副科长", "科长")
        )
        return person

    def _roster(self, year: int) -> list[Person]:
        rng, size = self.rng, self.profile.staff
        if not self.staff:
            self.staff = [
                self._staff_member(year - rng.randint(1, 20)) for _ in range(jitter(rng, size, 0.1))
            ]
            people = self.staff
            for person in rng.sample(people, max(2, len(people) // 12)):
                person.head, person.position = True, rng.choice(("局长", "副局长", "科长", "大队长", "主任"))
            for person in rng.sample(people, max(2, len(people) // 10)):
                person.legal = True
                if rng.random() < 0.45:
                    person.qualified_from = 2000
            if self.general == "city_dept":
                for person in rng.sample(people, rng.randint(2, 4)):
                    person.legis = True
        else:
            for person in self.staff:
                if person.active(year) and rng.random() < 0.06:
                    person.left = year
            active = sum(p.active(year) for p in self.staff)
            for _ in range(max(0, round(size * rng.uniform(0.95, 1.05)) - active)):
                new = self._staff_member(year)
                new.legal = rng.random() < 0.1
                self.staff.append(new)
            if self.qualified_step:  # 法考: a legal worker or two qualifies this year
                candidates = [p for p in self.staff if p.active(year) and p.legal and p.qualified_from > year]
                for person in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
                    person.qualified_from = year
        for person in self.staff:
            if not person.plan and person.active(year):
                span = [y for y in YEARS if y >= max(year, person.joined)]
                if person.head:  # 任期内至少1次法治专题脱产培训
                    person.plan = [rng.choice(span)] if self.complete["offjob"] or rng.random() < 0.8 else [0]
                elif person.legis:  # 5年内轮训2次
                    k = 2 if self.complete["legis"] or rng.random() < 0.7 else 1
                    person.plan = sorted(rng.sample(span, min(k, len(span))))
        return [p for p in self.staff if p.active(year)]

    def _enforcer(self, year: int) -> Person:
        rng = self.rng
        person = Person(f"HK{self.unit_code:03d}{self.next_cert:05d}", person_name(rng), joined=year)
        self.next_cert += 1
        person.position = rng.choice(POSTS)
        return person

    def _enforcement_roster(self, year: int) -> list[Person]:
        rng, size = self.rng, self.profile.enf
        if not self.enforcers:
            self.enforcers = [
                self._enforcer(year - rng.randint(1, 15)) for _ in range(max(10, jitter(rng, size, 0.1)))
            ]
        else:
            for person in self.enforcers:
                if person.active(year) and rng.random() < 0.07:
                    person.left = year
            active = sum(p.active(year) for p in self.enforcers)
            for _ in range(max(0, max(10, round(size * rng.uniform(0.95, 1.06))) - active)):
                self.enforcers.append(self._enforcer(year))
        for person in self.enforcers:
            if not person.plan and person.active(year):
                span = [y for y in YEARS if y >= max(year, person.joined)]
                k = 2 if self.complete["rotation"] or rng.random() < 0.9 else 1
                person.plan = sorted(rng.choices(span, k=k)) if len(span) < k else sorted(rng.sample(span, k))
        return [p for p in self.enforcers if p.active(year)]

    # ------------------------------------------------------------ the year

    def year(self, year: int) -> UnitYear:
        out = UnitYear(self.unit, self.kind_id, year)
        meets = self.meets(year)
        ledgers = self.ledger_ids
        if "study_activities" in ledgers:
            out.ledgers["study_activities"] = self.study_activities(year, meets)
        if "staff_roster" in ledgers:
            roster, study = self.staff_records(year, meets)
            out.ledgers["staff_roster"], out.ledgers["staff_study"] = roster, study
        if "enforcement_staff" in ledgers:
            staff, training = self.enforcement_records(year, meets)
            out.ledgers["enforcement_staff"], out.ledgers["enforcement_training"] = staff, training
        if "normative_docs" in ledgers:
            out.ledgers["normative_docs"] = self.normative_docs(year, meets)
        if "litigation_cases" in ledgers:
            out.ledgers["litigation_cases"] = self.litigation(year)
        if "info_requests" in ledgers:
            out.ledgers["info_requests"] = self.info_requests(year, meets)
        if "proposals" in ledgers:
            out.ledgers["proposals"] = self.proposals(year, meets)
        if "opinion_events" in ledgers:
            out.ledgers["opinion_events"] = self.opinion_events(year, meets)
        if "business_startups" in ledgers:
            out.ledgers["business_startups"] = self.business_startups(year, meets)
        out.ledgers = {lid: out.ledgers[lid] for lid in ledgers}  # the template's sheet order
        out.summary = self.direct_values(year, meets, out)
        # a few cells left empty (缺数据), more often in weaker units
        rng = self.rng
        if out.summary and rng.random() < 0.12 * (1.5 - self.quality):
            for key in rng.sample(sorted(out.summary), min(len(out.summary), rng.randint(1, 3))):
                del out.summary[key]
        # ~10% of unit-years also give derived fields in 汇总表, equal to what their ledgers count
        if rng.random() < 0.10:
            for f in self.fields:
                if f.derive is not None and rng.random() < 0.7:
                    for period, value in derive_values(
                        self.cat, f, out.ledgers.get(f.derive.ledger, []), year
                    ).items():
                        out.derived[(f.id, period)] = value
        return out

    # ------------------------------------------------------------ 学法与培训活动台账

    def study_activities(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng, unit = self.rng, self.unit
        rows: list[dict[str, Any]] = []
        meeting = {"city_gov": "市政府常务会议", "district_gov": "区政府常务会议"}.get(
            self.general, "局党组（班子）会议"
        )
        for ind in self.indicators:
            if ind.kind != "count":
                continue
            f = self.cat.fields_by_id[ind.field]
            if f.derive is None or f.derive.ledger != "study_activities":
                continue
            activity = next(
                c.value if isinstance(c.value, str) else c.value[0]  # type: ignore[index]
                for c in f.derive.where
                if c.column == "activity_type"
            )
            target = int(ind.target.value)
            spans = (
                [half_bounds(year, 1), half_bounds(year, 2)]
                if f.period == "half"
                else [(dt.date(year, 1, 1), dt.date(year, 12, 31))]
            )
            for n_span, (start, end) in enumerate(spans):
                met = meets[ind.id] if n_span == 0 else self.rng.random() < self.p(year)
                if activity == "全市行政执法业务培训":  # the sessions every unit's staff attend
                    days = self.city.enf_training[year]
                else:
                    count = (
                        target + rng.choice((0, 0, 0, 1, 1, 2))
                        if met
                        else rng.choice(range(target))
                        if target > 1
                        else 0
                    )
                    if not met and target > 1 and rng.random() < 0.6:
                        count = target - 1
                    pool = workdays_between(start, end)
                    days = (
                        sorted(rng.sample(pool, count))
                        if count <= len(pool)
                        else sorted(rng.choices(pool, k=count))
                    )
                for n, day in enumerate(days, start=1):
                    rows.append(self._activity(day, activity, n, meeting, year))
        offset = rng.randrange(len(OTHER_ACTIVITIES))
        for n in range(rng.randint(1, 3)):
            day = a_workday(rng, dt.date(year, 1, 4), dt.date(year, 12, 25))
            title = OTHER_ACTIVITIES[(n + offset) % len(OTHER_ACTIVITIES)]
            rows.append(
                {
                    "held_on": day,
                    "activity_type": "其他",
                    "title": f"{year}年{title}",
                    "organizer": unit.name,
                    "participants": rng.randint(20, 200),
                    "evidence": "活动方案、现场照片",
                }
            )
        rows.sort(key=lambda r: (r["held_on"], r["activity_type"], r["title"]))
        return rows

    def _activity(self, day: dt.date, activity: str, n: int, meeting: str, year: int) -> dict[str, Any]:
        rng, unit = self.rng, self.unit
        law = rng.choice(LAWS)
        half = "上" if day.month <= 6 else "下"
        organizer = unit.name
        titles = {
            "中心组学法": f"理论学习中心组专题学法（第{n}次）：{law}",
            "会前学法": f"{meeting}会前学法：{law}",
            "法治专题培训班": f"{year}年度法治专题培训班（第{n}期）",
            "领导干部法治专题培训班": f"{year}年领导干部法治专题培训班（第{n}期）",
            "法治专题讲座": f"法治专题讲座（第{n}讲）：{law}解读",
            "案卷评查": f"{year}年{half}半年行政执法案卷评查",
            "全市政府立法业务培训": f"{year}年全市政府立法业务培训班（第{n}期）",
            "全市行政执法业务培训": f"{year}年全市行政执法业务培训（第{n}期）",
            "镇（街道）综合行政执法业务培训": f"镇（街道）综合行政执法业务培训（第{n}期）",
            "应急管理执法人员法治培训": f"应急管理执法人员法治培训（第{n}期）：《中华人民共和国安全生产法》",
            "应急预案演练": f"{year}年{rng.choice(DRILLS)}应急预案演练",
            "公平竞争审查业务培训": f"公平竞争审查业务培训（第{n}期）",
            "行政调解业务培训": f"行政调解业务培训（第{n}期）",
            "行政裁决业务培训": f"{year}年行政裁决业务培训",
            "行政复议委员会会议": f"海口市人民政府行政复议委员会{year}年第{n}次会议",
            "行政复议履行情况专项督察": f"{year}年行政复议决定书、意见书、建议书履行情况专项督察",
            "全市行政复议人员业务培训": f"{year}年全市行政复议人员业务培训（第{n}期）",
            "全市行政复议人员轮训": f"{year}年全市行政复议人员轮训（第{n}期）",
            "政府与法院行政诉讼工作座谈会": f"{year}年{half}半年政府与法院行政诉讼工作座谈会",
            "行政败诉案件闭门反思会": f"{year}年行政败诉案件闭门反思会（第{n}次）",
            "司法建议检察建议落实情况检查": f"{year}年司法建议、检察建议落实情况检查",
            "行政执法监督专项行动": f"{year}年{rng.choice(('涉企', '城市管理领域', '生态环境领域', '食品药品领域'))}行政执法监督专项行动（第{n}次）",
            "行政执法监督业务培训交流": f"{year}年行政执法监督业务培训交流（第{n}次）",
            "政府信息公开落实情况专项检查": f"{year}年重点领域政府信息公开落实情况专项检查（第{n}次）",
            "依申请公开工作业务培训": f"依申请公开工作业务培训（第{n}期）",
            "政府承诺台账专项检查": f"{year}年政府承诺台账建立和执行情况专项检查（第{n}次）",
        }
        if activity in ("全市行政执法业务培训",):
            organizer = "海口市司法局"
        title = titles.get(activity, f"{activity}（第{n}次）")
        if activity in ("案卷评查", "政府与法院行政诉讼工作座谈会") and n > 1:
            title += f"（第{n}次）"
        evidence = rng.choice(
            (
                f"{unit.abbr or '会议'}纪要〔{year}〕{rng.randint(1, 60)}号",
                "签到表、现场照片",
                "培训通知、课件、签到表",
                "工作通知及总结报告",
            )
        )
        return {
            "held_on": day,
            "activity_type": activity,
            "title": title,
            "organizer": organizer,
            "participants": rng.randint(12, 260),
            "evidence": evidence,
        }

    # ------------------------------------------------------------ 国家工作人员名册、学法台账

    def staff_records(
        self, year: int, meets: dict[str, bool]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        people = self._roster(year)
        roster_date = dt.date(year, 12, 31)
        roster = [
            {
                "roster_date": roster_date,
                "staff_id": p.pid,
                "person_name": p.name,
                "position": p.position,
                "enforcement_dept_head": p.head,
                "legislative_staff": p.legis,
                "legal_work": p.legal,
                "legal_qualification": p.qualified_from <= year,
            }
            for p in people
        ]
        hours_ok = meets.get("staff_study_hours", True)
        hearing_ok = meets.get("court_hearing_attendance", True)
        short_hours = (
            set()
            if hours_ok
            else {p.pid for p in rng.sample(people, max(1, round(len(people) * rng.uniform(0.02, 0.12))))}
        )
        no_hearing = (
            set()
            if hearing_ok
            else {p.pid for p in rng.sample(people, max(1, round(len(people) * rng.uniform(0.03, 0.2))))}
        )
        study: list[dict[str, Any]] = []
        y0, y1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for p in people:
            total = rng.randint(18, 32) if p.pid in short_hours else rng.randint(40, 64)
            online = total if rng.random() < 0.4 else min(total - 4, rng.randint(12, 30))
            rest = total - online
            study.append(
                {
                    "studied_on": a_workday(rng, dt.date(year, 11, 20), dt.date(year, 12, 28)),
                    "staff_id": p.pid,
                    "study_type": "网络学法",
                    "topic": f"{year}年度网络学法（海南省干部在线学习平台）",
                    "hours": online,
                }
            )
            if rest > 0:
                study.append(
                    {
                        "studied_on": a_workday(rng, y0, y1),
                        "staff_id": p.pid,
                        "study_type": "集中学法",
                        "topic": f"集中学习{rng.choice(LAWS)}",
                        "hours": rest,
                    }
                )
            if p.pid not in no_hearing:
                study.append(
                    {
                        "studied_on": a_workday(rng, dt.date(year, 3, 1), dt.date(year, 11, 30)),
                        "staff_id": p.pid,
                        "study_type": "旁听庭审",
                        "topic": "旁听行政诉讼案件庭审",
                        "hours": rng.choice((2, 3, 3, 4)),
                    }
                )
            if p.head and year in p.plan:
                study.append(
                    {
                        "studied_on": rng.choice(self.city.offjob[year]),
                        "staff_id": p.pid,
                        "study_type": "法治专题脱产培训",
                        "topic": "市委党校法治专题脱产培训班",
                        "hours": 40,
                    }
                )
            if p.legis and year in p.plan:
                study.append(
                    {
                        "studied_on": rng.choice(self.city.legis_rotation[year]),
                        "staff_id": p.pid,
                        "study_type": "政府立法工作人才轮训",
                        "topic": "全市政府立法工作人才轮训",
                        "hours": 16,
                    }
                )
        study.sort(key=lambda r: (r["studied_on"], r["staff_id"]))
        return roster, study

    # ------------------------------------------------------------ 行政执法人员名册、培训台账

    def enforcement_records(
        self, year: int, meets: dict[str, bool]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng = self.rng
        people = self._enforcement_roster(year)
        roster_date = dt.date(year, 12, 31)
        staff = [
            {"roster_date": roster_date, "certificate_no": p.pid, "person_name": p.name, "post": p.position}
            for p in people
        ]
        short = (
            set()
            if meets.get("enforcement_training_hours", True)
            else {p.pid for p in rng.sample(people, max(1, round(len(people) * rng.uniform(0.02, 0.1))))}
        )
        training: list[dict[str, Any]] = []
        citywide = self.city.enf_training[year]
        for p in people:
            target = rng.randint(36, 56) if p.pid in short else rng.randint(60, 84)
            city_day = rng.choice(citywide)
            city_hours = rng.choice((8, 12, 16))
            n_rot = p.plan.count(year)
            rot_days = sorted(rng.sample(self.city.rotation[year], n_rot))
            records = [(city_day, f"{year}年全市行政执法业务培训", "全市行政执法业务培训", city_hours)]
            records += [(d, f"{year}年全市行政执法人员轮训", "全市行政执法人员轮训", 16) for d in rot_days]
            done = sum(r[3] for r in records)
            if target - done > 0 and rng.random() < 0.4:
                unit_hours = min(target - done, rng.choice((16, 20, 24)))
                records.append(
                    (
                        a_workday(rng, dt.date(year, 2, 1), dt.date(year, 11, 30)),
                        f"{rng.choice(LAWS)}专题培训",
                        "本单位业务培训",
                        unit_hours,
                    )
                )
                done += unit_hours
            if target - done > 0:
                records.append(
                    (
                        a_workday(rng, dt.date(year, 11, 15), dt.date(year, 12, 28)),
                        f"{year}年度行政执法人员网络培训",
                        "网络培训",
                        target - done,
                    )
                )
            training += [
                {"trained_on": d, "certificate_no": p.pid, "course": c, "training_type": t, "hours": h}
                for d, c, t, h in records
            ]
        training.sort(key=lambda r: (r["trained_on"], r["certificate_no"]))
        return staff, training

    # ------------------------------------------------------------ 行政规范性文件台账

    def normative_docs(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng, unit = self.rng, self.unit
        n = poissonish(rng, self.profile.docs)
        days = sorted(a_workday(rng, dt.date(year, 1, 10), dt.date(year, 12, 20)) for _ in range(n))
        unfiled = (
            set()
            if meets.get("normative_doc_filing_rate", True) or n == 0
            else set(rng.sample(range(n), min(n, rng.randint(1, 2))))
        )
        unreviewed = (
            set()
            if meets.get("normative_doc_review_rate", True) or n == 0
            else set(rng.sample(range(n), min(n, rng.randint(1, 2))))
        )
        rows = []
        for i, day in enumerate(days):
            filed = i not in unfiled
            reviewed = filed and i not in unreviewed
            result = (rng.choice(("合法",) * 12 + ("责令纠正",)) if reviewed else "审查中") if filed else None
            rows.append(
                {
                    "doc_no": f"{unit.abbr}规〔{year}〕{i + 1}号",
                    "title": f"{unit.name.removesuffix('人民政府') if self.general != 'city_dept' else '海口市'}{rng.choice(DOC_TOPICS)}{rng.choice(('办法', '实施细则', '规定', '暂行办法', '实施意见'))}",
                    "issued_on": day,
                    "filed": filed,
                    "filed_on": workday_after(day, rng.randint(3, 18)) if filed else None,
                    "reviewed": reviewed if filed else None,
                    "review_result": result,
                }
            )
        return rows

    # ------------------------------------------------------------ 行政诉讼案件台账

    def litigation(self, year: int) -> list[dict[str, Any]]:
        rng = self.rng
        t = year - YEARS[0]
        n = poissonish(rng, self.profile.lit * rng.uniform(0.85, 1.15))
        if n == 0:
            return []
        lost_rate = clip(self.loss0 - self.loss_step * t + rng.uniform(-0.015, 0.015), 0, 1)
        head_rate = clip(self.head0 + self.head_step * t + rng.uniform(-0.03, 0.03), 0, 1)
        exec_rate = clip(self.exec0 + self.exec_step * t + rng.uniform(-0.03, 0.03), 0, 1)
        n_lost = min(n, round(lost_rate * n))
        outcomes = ["败诉"] * n_lost + rng.choices(
            ("胜诉", "驳回起诉", "撤诉", "调解结案", "其他"), weights=(55, 20, 18, 5, 2), k=n - n_lost
        )
        rng.shuffle(outcomes)
        hearing_p = {"胜诉": 0.92, "败诉": 0.95, "调解结案": 0.8, "驳回起诉": 0.35, "撤诉": 0.2, "其他": 0.5}
        hearing = [rng.random() < hearing_p[o] for o in outcomes]
        heard = [i for i, h in enumerate(hearing) if h]
        appeared = set(rng.sample(heard, round(head_rate * len(heard))))
        debtor = [
            i
            for i, o in enumerate(outcomes)
            if (o == "败诉" and rng.random() < 0.7) or (o == "调解结案" and rng.random() < 0.3)
        ]
        executed = set(rng.sample(debtor, round(exec_rate * len(debtor))))
        court = {"city_gov": "01", "district_gov": "01"}.get(self.general)
        numbers = self.case_numbers  # a 案号 is unique for good, not just within a year
        rows = []
        for i, outcome in enumerate(outcomes):
            concluded = a_workday(rng, dt.date(year, 1, 4), dt.date(year, 12, 30))
            filed = workday_after(concluded - dt.timedelta(days=rng.randint(60, 320)), 1)
            while True:
                if rng.random() < 0.75:
                    case_no = f"（{filed.year}）琼{court or rng.choice(('0105', '0106', '0107', '0108'))}行初{rng.randint(1, 1800)}号"
                else:
                    case_no = f"（{filed.year}）琼{'行终' if court else '01行终'}{rng.randint(1, 900)}号"
                if case_no not in numbers:
                    numbers.add(case_no)
                    break
            rows.append(
                {
                    "case_no": case_no,
                    "filed_on": filed,
                    "concluded_on": concluded,
                    "outcome": outcome,
                    "hearing_held": hearing[i],
                    "head_appeared": (i in appeared) if hearing[i] else None,
                    "agency_is_debtor": i in debtor,
                    "executed": (i in executed) if i in debtor else None,
                }
            )
        rows.sort(key=lambda r: r["concluded_on"])
        return rows

    # ------------------------------------------------------------ 依申请公开台账

    def info_requests(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng = self.rng
        mean = self.profile.req * (1 + 0.05 * (year - YEARS[0]))
        n = max(10, min(400, jitter(rng, mean, 0.2)))
        received = sorted(a_day(rng, dt.date(year, 1, 1), dt.date(year, 12, 31)) for _ in range(n))
        late = (
            set()
            if meets.get("disclosure_timely_reply_rate", True)
            else set(rng.sample(range(n), min(n, rng.randint(1, max(1, n // 30)))))
        )
        rows = []
        for i, day in enumerate(received):
            lawful = rng.random() < 0.93
            due = workday_after(day, 20)
            if not lawful:  # 不符合法定要求：告知补正，不计答复时限
                rows.append(
                    {
                        "request_no": f"GK{year}{i + 1:04d}",
                        "received_on": day,
                        "lawful_request": False,
                        "due_on": None,
                        "replied_on": workday_after(day, rng.randint(1, 7)),
                        "replied_in_time": None,
                    }
                )
                continue
            if day >= dt.date(year, 12, 24) and rng.random() < 0.5:  # still open when the year closed
                rows.append(
                    {
                        "request_no": f"GK{year}{i + 1:04d}",
                        "received_on": day,
                        "lawful_request": True,
                        "due_on": due,
                        "replied_on": None,
                        "replied_in_time": None,
                    }
                )
                continue
            replied = (
                workday_after(due, rng.randint(1, 12))
                if i in late
                else workday_after(day, rng.randint(3, 20))
            )
            rows.append(
                {
                    "request_no": f"GK{year}{i + 1:04d}",
                    "received_on": day,
                    "lawful_request": True,
                    "due_on": due,
                    "replied_on": replied,
                    "replied_in_time": replied <= due,
                }
            )
        return rows

    # ------------------------------------------------------------ 建议提案办理台账

    def proposals(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng = self.rng
        n = max(10, min(150, jitter(rng, self.profile.prop, 0.2)))
        kinds = rng.choices(("人大代表建议", "政协委员提案", "人大常委会审议意见"), weights=(46, 46, 8), k=n)
        kinds.sort(key=("人大代表建议", "政协委员提案", "人大常委会审议意见").index)
        prefix = {"人大代表建议": "RD", "政协委员提案": "ZX", "人大常委会审议意见": "SY"}
        counters = dict.fromkeys(prefix, 0)
        evaluated = [i for i in range(n) if rng.random() < 0.95]
        allowed = math.floor(0.05 * len(evaluated))
        if meets.get("npc_cppcc_proposal_satisfaction", True):
            unhappy = rng.randint(0, allowed)
        else:
            unhappy = allowed + rng.randint(1, max(1, len(evaluated) // 10))
        unhappy_set = set(rng.sample(evaluated, min(unhappy, len(evaluated))))
        rows = []
        for i, kind in enumerate(kinds):
            counters[kind] += 1
            if kind == "人大常委会审议意见":
                assigned = a_workday(rng, dt.date(year, 3, 1), dt.date(year, 11, 30))
            else:  # 海口市两会之后集中交办
                assigned = a_workday(rng, dt.date(year, 2, 20), dt.date(year, 4, 15))
            satisfaction = None
            if i in evaluated:
                satisfaction = (
                    "不满意" if i in unhappy_set else rng.choice(("满意", "满意", "满意", "基本满意"))
                )
            rows.append(
                {
                    "proposal_no": f"{prefix[kind]}{year}-{counters[kind]:03d}",
                    "proposal_type": kind,
                    "assigned_on": assigned,
                    "replied_on": workday_after(assigned, rng.randint(25, 60)),
                    "satisfaction": satisfaction,
                }
            )
        return rows

    # ------------------------------------------------------------ 突发事件舆情台账

    def opinion_events(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng = self.rng
        place = self.unit.district or "海口市"
        picks = rng.sample(EVENTS, rng.randint(2, 6))
        events = [(f"{place}{name}", level) for name, level in picks]
        if year == 2024:  # 超强台风“摩羯”，2024年9月6日登陆
            events.append(("超强台风“摩羯”防御和灾后恢复", "特别重大"))
        elif rng.random() < 0.3:
            events.append((f"{place}特大暴雨洪涝灾害", "特别重大"))
        release_ok = meets.get("opinion_release_within_5h", True)
        press_ok = meets.get("opinion_press_conference_within_24h", True)
        majors = [i for i, (_, level) in enumerate(events) if level in ("特别重大", "重大")]
        slow_release = set() if release_ok or not majors else {rng.choice(majors)}
        slow_press = set() if press_ok or not majors else {rng.choice(majors)}
        rows = []
        for i, (name, level) in enumerate(events):
            if name.startswith("超强台风"):
                occurred = dt.datetime(2024, 9, 6, 16, 20)
            else:
                occurred = dt.datetime.combine(
                    a_day(rng, dt.date(year, 1, 5), dt.date(year, 12, 20)),
                    dt.time(rng.randint(0, 23), rng.choice(range(0, 60, 5))),
                )
            major = level in ("特别重大", "重大")
            hours = (
                rng.uniform(5.3, 9)
                if i in slow_release
                else rng.uniform(0.5, 4.8)
                if major
                else rng.uniform(0.8, 10)
            )
            release = occurred + dt.timedelta(minutes=round(hours * 60))
            press = None
            if major:
                if i in slow_press:
                    press = (
                        None
                        if rng.random() < 0.4
                        else occurred + dt.timedelta(minutes=rng.randint(25 * 60, 40 * 60))
                    )
                else:
                    press = occurred + dt.timedelta(minutes=rng.randint(5 * 60, 23 * 60 + 30))
            elif level == "较大" and rng.random() < 0.3:
                press = occurred + dt.timedelta(minutes=rng.randint(12 * 60, 48 * 60))
            rows.append(
                {
                    "event_no": "",
                    "event_name": name,
                    "level": level,
                    "occurred_at": occurred,
                    "first_release_at": release,
                    "press_conference_at": press,
                }
            )
        rows.sort(key=lambda r: r["occurred_at"])
        for n, row in enumerate(rows, start=1):
            row["event_no"] = f"YQ{year}-{n:02d}"
        return rows

    # ------------------------------------------------------------ 企业开办办件台账

    def business_startups(self, year: int, meets: dict[str, bool]) -> list[dict[str, Any]]:
        rng = self.rng
        t = year - YEARS[0]
        n = round((2300 + 500 * t) * rng.uniform(0.95, 1.05))
        days = workdays_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        season = {
            1: 0.7,
            2: 0.6,
            3: 1.2,
            4: 1.15,
            5: 1.1,
            6: 1.05,
            7: 1.0,
            8: 0.95,
            9: 1.1,
            10: 0.9,
            11: 1.1,
            12: 1.0,
        }
        accepted = sorted(rng.choices(days, weights=[season[d.month] for d in days], k=n))
        all_in_time = meets["business_startup_one_workday"]
        late_share = 0.0 if all_in_time else clip(0.05 - 0.01 * t - 0.03 * self.quality, 0.002, 0.06)
        same_day = clip(0.5 + 0.07 * t + 0.1 * self.quality, 0, 0.9)
        done: list[tuple[dt.date, dt.date | None]] = []
        for day in accepted:
            r = rng.random()
            if not all_in_time and day >= dt.date(year, 12, 29) and rng.random() < 0.3:
                done.append((day, None))  # still open on 31 December
            elif r < late_share:
                done.append((day, workday_after(day, rng.randint(2, 4))))
            elif r < late_share + same_day:
                done.append((day, day))
            else:
                done.append((day, workday_after(day, 1)))
        # accepted on the last working day before National Day (and Spring Festival), finished on the first
        # working day after it: one working day, however many calendar days the holiday takes
        for holiday in (dt.date(year, 10, 1), spring_festival_start(year)):
            before = last_workday_before(holiday)
            done += [(before, workday_after(before, 1))] * rng.randint(4, 8)
        done.sort(key=lambda d: d[0])
        rows = [
            {
                "application_no": f"QYKB{year}{i + 1:06d}",
                "company_name": company_name(rng),
                "accepted_on": day,
                "completed_on": end,
            }
            for i, (day, end) in enumerate(done)
        ]
        return rows

    # ------------------------------------------------------------ 汇总表: fields reported directly

    def direct_values(self, year: int, meets: dict[str, bool], uy: UnitYear) -> dict[tuple[str, str], Any]:
        rng = self.rng
        ok = lambda ind: meets.get(ind, rng.random() < self.p(year))  # noqa: E731
        yes = lambda ind: "是" if ok(ind) else "否"  # noqa: E731
        nxt = year + 1
        values: dict[str, Any] = {}

        def on_time(ind: str, start: dt.date, due: dt.date, late_until: dt.date) -> dt.date:
            return (
                a_workday(rng, start, due)
                if ok(ind)
                else a_workday(rng, due + dt.timedelta(days=1), late_until)
            )

        def share(ind: str, whole: int, target: float) -> int:
            need = math.ceil(target * whole - 1e-9)
            if whole == 0:
                return 0
            if ok(ind):
                return rng.randint(need, whole) if target < 1 else whole
            return max(0, need - rng.randint(1, max(1, round(whole * 0.08))))

        wanted = {f.id for f in self.fields if f.derive is None}
        items = self.base["gov_service_items"] + 25 * (year - YEARS[0]) + rng.randint(-10, 10)
        values["gov_service_items"] = items
        values["gov_service_items_in_centre"] = share("service_items_in_centre_rate", items, 0.9)
        values["gov_service_items_one_window"] = share("one_window_acceptance_rate", items, 0.9)
        eligible = round(items * rng.uniform(0.86, 0.94))
        values["gov_service_items_online_eligible"] = eligible
        online = share("full_online_service_rate", eligible, 0.95)
        if year < 2023:  # the 95% target starts in 2023; earlier years were still climbing
            online = round(eligible * rng.uniform(0.78, 0.93))
        values["gov_service_items_full_online"] = online
        joint = self.base["joint_inspection_items"] + rng.randint(0, 4)
        values["joint_inspection_items"] = joint
        values["joint_inspection_items_random"] = share("joint_inspection_double_random_rate", joint, 1.0)
        for flag, date_field in (
            ("inter_province_done", "inter_province_done_date"),
            ("reconsideration_system_done", "reconsideration_system_done_date"),
            ("supervision_system_done", "supervision_system_done_date"),
            ("unified_query_done", "unified_query_done_date"),
            ("platforms_interconnected", "platforms_interconnected_date"),
        ):
            done_on = self.milestones[flag]
            values[flag] = "是" if done_on.year <= year else "否"
            values[date_field] = done_on if done_on.year <= year else None
        values["hotline_12345_24x7"] = yes("hotline_12345_24x7")
        values["cannot_handle_window_set"] = yes("cannot_handle_window")
        values["business_env_inspection_planned"] = yes("business_env_special_inspection")
        values["normative_doc_catalogue_online"] = yes("normative_doc_catalogue_online")
        values["normative_doc_review_notices"] = rng.randint(1, 3) if ok("normative_doc_review_notice") else 0
        values["decision_catalogue_published_on"] = on_time(
            "decision_catalogue_q1", dt.date(year, 1, 15), dt.date(year, 3, 31), dt.date(year, 5, 31)
        )
        values["post_decision_evaluations"] = rng.randint(1, 3) if ok("post_decision_evaluation") else 0
        made = rng.randint(4, 14) if self.general == "city_gov" else rng.randint(3, 10)
        values["major_decisions_made"] = made
        values["major_decisions_legality_reviewed"] = share("decision_legality_review_rate", made, 1.0)
        values["town_typical_cases_published"] = yes("town_enforcement_typical_cases")
        major = poissonish(rng, self.profile.major if self.general != "town" else rng.uniform(0.5, 5))
        values["major_enforcement_decisions"] = major
        values["major_enforcement_decisions_reviewed"] = share(
            "major_enforcement_legal_review_rate", major, 1.0
        )
        values["enforcement_stats_report_date"] = on_time(
            "enforcement_stats_annual_report", dt.date(nxt, 1, 4), dt.date(nxt, 1, 31), dt.date(nxt, 2, 28)
        )
        values["typical_cases_published_on"] = on_time(
            "enforcement_typical_cases_early_year",
            dt.date(nxt, 2, 1),
            dt.date(nxt, 3, 31),
            dt.date(nxt, 4, 30),
        )
        values["publicity_list_published"] = yes("publicity_responsibility_list")
        enforcers = len({r["certificate_no"] for r in uy.ledgers.get("enforcement_staff", [])})
        need = math.ceil(0.05 * enforcers)  # 法制审核人员不少于执法人员的5%
        values["legal_review_staff"] = (
            need + rng.randint(0, 2) if ok("legal_review_staff_share") else max(0, need - rng.randint(1, 2))
        )
        values["reconsideration_online_column"] = yes("reconsideration_decisions_online")
        new_staff = rng.randint(2, 8) if self.kind_id == "justice_bureau" else rng.randint(0, 4)
        values["new_reconsideration_staff"] = new_staff
        values["new_reconsideration_staff_qualified"] = share(
            "new_reconsideration_staff_qualified_rate", new_staff, 1.0
        )
        values["litigation_notices"] = rng.randint(1, 2) if ok("litigation_situation_notice") else 0
        quarterly = ok("lost_case_quarterly_report")
        for q in ("Q1", "Q2", "Q3", "Q4"):
            values[f"lost_case_quarterly_reports/{q}"] = 1 if quarterly or rng.random() < 0.6 else 0
        values["litigation_report_date"] = on_time(
            "litigation_report_before_april", dt.date(nxt, 2, 10), dt.date(nxt, 3, 31), dt.date(nxt, 4, 28)
        )
        inspectors = self.base["inspection_staff"] + rng.randint(-2, 3)
        values["inspection_staff"] = inspectors
        values["inspection_staff_on_clues"] = share("inspection_staff_on_clues_share", inspectors, 2 / 3)
        values["accountability_report_date"] = on_time(
            "accountability_report_q1", dt.date(nxt, 1, 10), dt.date(nxt, 3, 31), dt.date(nxt, 4, 30)
        )
        values["fines_decoupled"] = yes("enforcement_funds_decoupled")
        values["commitment_ledger_established"] = yes("government_commitment_ledger")
        brain = {2021: 17, 2022: 30, 2023: 41 if self.quality > 0.45 else 37, 2024: 46, 2025: 52}[year]
        values["city_brain_units"] = brain + rng.randint(0, 2)
        values["head_law_reports"] = rng.randint(2, 4) if ok("head_law_reporting") else 1
        submitted = on_time(
            "annual_report_submitted", dt.date(nxt, 1, 20), dt.date(nxt, 3, 1), dt.date(nxt, 3, 31)
        )
        values["annual_report_submitted_on"] = submitted
        published_from = max(submitted + dt.timedelta(days=3), dt.date(nxt, 2, 20))
        values["annual_report_published_on"] = (
            a_workday(rng, min(published_from, dt.date(nxt, 3, 30)), dt.date(nxt, 4, 1))
            if ok("annual_report_published")
            else a_workday(rng, dt.date(nxt, 4, 2), dt.date(nxt, 4, 30))
        )
        # 备案审查 is the reviewing body's: 市司法局 for the city, each district for its departments and towns
        received = rng.randint(8, 30) if self.general == "district_gov" else rng.randint(25, 60)
        values["normative_filings_received"] = received
        values["normative_filings_reviewed"] = share("normative_doc_review_rate", received, 1.0)
        # commitments added in catalogue 2021-2025.3 (drawn last, so the earlier figures stay as they were)
        reviewers = int(values.get("legal_review_staff") or 0)
        values["legal_review_staff_with_background"] = share("legal_review_staff_background_rate", reviewers, 1.0)
        values["penalty_exemption_lists_published"] = yes("penalty_exemption_lists")
        values["enforcement_publicity_recording"] = yes("enforcement_publicity_and_recording")
        decisions = rng.randint(40, 160) if self.general == "city_gov" else rng.randint(5, 40)
        values["reconsideration_decisions_issued"] = decisions
        values["reconsideration_decisions_published"] = share(
            "reconsideration_decisions_published_rate", decisions, 1.0
        )
        values["annual_work_points_made"] = yes("annual_work_points")
        done_on = self.milestones["inter_province_done"]  # the same sentence, the same programme
        values["one_net_door_once_done"] = "是" if done_on.year <= year else "否"
        values["one_net_door_once_done_date"] = done_on if done_on.year <= year else None
        out: dict[tuple[str, str], Any] = {}
        for key, value in values.items():
            fid, _, period = key.partition("/")
            if fid in wanted and value is not None:
                out[(fid, period or "Y")] = value
        missing = (
            wanted
            - {fid for fid, _ in out}
            - {f.id for f in self.fields if f.type == "percent" and f.id.endswith("_reported")}  # counts given
            - {
                "inter_province_done_date",
                "reconsideration_system_done_date",
                "supervision_system_done_date",
                "unified_query_done_date",
                "platforms_interconnected_date",
                "one_net_door_once_done_date",
            }
        )
        assert not missing, f"{self.unit.name}: no generator for {sorted(missing)}"
        return out


# ================================================================ derived values (as the engine counts them)


def _holds(record: dict[str, Any], cond: Condition) -> bool:
    value = record.get(cond.column)
    match cond.op:
        case "is_null":
            return value is None
        case "not_null":
            return value is not None
        case "eq":
            return value is not None and value == cond.value
        case "ne":
            return value is not None and value != cond.value
        case "in":
            return value in cond.value  # type: ignore[operator]
        case "not_in":
            return value is not None and value not in cond.value  # type: ignore[operator]
        case "ge":
            return value is not None and value >= cond.value
        case "gt":
            return value is not None and value > cond.value
        case "le":
            return value is not None and value <= cond.value
        case "lt":
            return value is not None and value < cond.value
    raise AssertionError(cond.op)


def derive_values(cat: Catalogue, f: FieldDef, records: list[dict[str, Any]], year: int) -> dict[str, int]:
    """A derived field's value per period of its granularity, from one unit-year's ledger records."""
    assert f.derive is not None
    ledger = cat.ledgers_by_id[f.derive.ledger]
    periods = {"year": ("Y",), "half": ("H1", "H2"), "quarter": ("Q1", "Q2", "Q3", "Q4")}[f.period]
    out = {}
    for period in periods:
        rows = [
            r
            for r in records
            if _in_period(r[ledger.period_column], year, period) and all(_holds(r, c) for c in f.derive.where)
        ]
        if f.derive.agg == "count":
            out[period] = len(rows)
        elif f.derive.agg == "count_distinct":
            out[period] = len({r[f.derive.column] for r in rows if r.get(f.derive.column) is not None})
        else:
            out[period] = sum(r[f.derive.column] for r in rows if r.get(f.derive.column) is not None)
    return out


def _in_period(day: dt.date, year: int, period: str) -> bool:
    if day.year != year:
        return False
    if period == "Y":
        return True
    if period.startswith("H"):
        return (day.month <= 6) == (period == "H1")
    return (day.month - 1) // 3 + 1 == int(period[1])


# ================================================================ writing workbooks


@dataclass
class Locator:
    """Where things landed in a filled workbook (for planting mistakes and naming their cells)."""

    summary_rows: dict[str, int]  # field id → row
    period_cols: dict[str, str]  # period code → column letter
    ledger_cols: dict[str, dict[str, str]]  # ledger id → column id → letter

    def cell(self, field_id: str, period: str = "Y") -> str:
        return f"{self.period_cols[period]}{self.summary_rows[field_id]}"


def excel_value(column_type: str, value: Any) -> Any:
    if value is None:
        return None
    if column_type == "bool" or isinstance(value, bool):
        return "是" if value else "否"
    return value


def fill_workbook(
    cat: Catalogue, uy: UnitYear, *, unit: str | None, year: int | None, summary: bool = True
) -> tuple[Any, Locator]:
    """The unit's template, filled. ``unit``/``year`` None: a blank template's header left for the clerk."""
    from openpyxl.utils import get_column_letter

    wb = build_template(cat, kind=uy.kind_id, unit=unit, year=year)
    stamp_template(wb, uy.year)
    ws = wb[layout.SUMMARY_SHEET]
    header = {ws.cell(row=layout.SUMMARY_HEADER_ROW, column=c).value: c for c in range(1, ws.max_column + 1)}
    period_cols = {
        code: get_column_letter(header[name])
        for code, name in layout.PERIOD_COLUMNS.items()
        if name in header
    }
    rows = {
        ws.cell(row=r, column=1).value: r
        for r in range(layout.SUMMARY_FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(row=r, column=1).value
    }
    loc = Locator(rows, period_cols, {})
    if summary:
        for (fid, period), value in sorted({**uy.summary, **uy.derived}.items()):
            ws[loc.cell(fid, period)] = value
    for ledger_id, records in uy.ledgers.items():
        ledger = cat.ledgers_by_id[ledger_id]
        sheet = wb[ledger.name]
        types = [c.type for c in ledger.columns]
        loc.ledger_cols[ledger_id] = {
            c.id: get_column_letter(i) for i, c in enumerate(ledger.columns, start=1)
        }
        datetime_cols = [i for i, t in enumerate(types) if t == "datetime"]
        for record in records:
            sheet.append([excel_value(c.type, record.get(c.id)) for c in ledger.columns])
            for i in datetime_cols:
                cell = sheet.cell(row=sheet.max_row, column=i + 1)
                if cell.value is not None:
                    cell.number_format = "yyyy-mm-dd hh:mm"
    return wb, loc


def stamp_template(wb: Any, year: int) -> None:
    """build_template stamps the wall clock; samples carry a fixed time (the template of year Y: early Y+1)."""
    generated = f"{year + 1}-01-06T01:30:00+00:00"
    meta = wb[layout.META_SHEET]
    for row in meta.iter_rows(min_col=1, max_col=2):
        if row[0].value == "generated_at":
            row[1].value = generated
    guide = wb[layout.GUIDE_SHEET]
    for row in guide.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "模板生成于" in cell.value:
                cell.value = re.sub(
                    r"模板生成于 \d{4}-\d{2}-\d{2}", f"模板生成于 {generated[:10]}", cell.value
                )


def workbook_bytes(wb: Any, year: int) -> bytes:
    """Save with fixed document times and zip entry times, so a rerun writes the same bytes."""
    created = dt.datetime(year + 1, 1, 6, 1, 30)
    modified = dt.datetime(year + 1, 3, 20, 8, 0)
    wb.properties.created = created
    raw = io.BytesIO()
    wb.save(raw)
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=modified.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data, compresslevel=9)
    return out.getvalue()


def cell_values_digest(path: Path) -> str:
    """SHA-256 over every sheet's cell values (what a reader sees), independent of zip and style bytes."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    h = hashlib.sha256()
    for ws in wb.worksheets:
        h.update(f"[{ws.title}:{ws.sheet_state}]".encode())
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    h.update(f"{cell.coordinate}={cell.value!r};".encode())
    return h.hexdigest()


# ================================================================ the register and long tables


def write_register(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["单位名称", "单位类别", "别名", "所属区", "行政执法单位"])
    for u in UNITS:
        enforcement = "否" if u.name in NO_ENFORCEMENT_POWERS else "是"
        writer.writerow([u.name, u.kind_name, ";".join(u.aliases), u.district, enforcement])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def long_value(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def long_rows(cat: Catalogue, uy: UnitYear, *, by_id: Iterable[str] = ()) -> list[list[str]]:
    ids = set(by_id)
    rows = []
    for f in fields_for_kind(cat, uy.kind_id):
        for period in layout.GRANULARITY_PERIODS[f.period]:
            if (f.id, period) in uy.summary:
                rows.append(
                    [
                        uy.unit.name,
                        str(uy.year),
                        f.id if f.id in ids else f.name,
                        long_value(uy.summary[(f.id, period)]),
                        layout.PERIOD_COLUMNS[period],
                    ]
                )
    return rows


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(
        [layout.LONG_UNIT, layout.LONG_YEAR, layout.LONG_FIELD, layout.LONG_VALUE, layout.LONG_PERIOD]
    )
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))


# ================================================================ flawed workbooks


@dataclass
class Planted:
    file: str
    code: str
    sheet: str
    cell: str
    note: str


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def make_flawed(cat: Catalogue, data: dict[tuple[str, int], UnitYear], out: Path) -> list[Planted]:
    """Copies of 2024 submissions, each with a few typical mistakes; EXPECTED.yaml lists every one."""
    planted: list[Planted] = []
    files: list[
        tuple[str, str, str]
    ] = []  # file, unit, how the copy differs from the original besides the mistakes

    def uy_of(unit: str) -> UnitYear:
        return data[(unit, FLAWED_YEAR)]

    def save(wb: Any, name: str, unit: str, note: str = "") -> None:
        (out / name).write_bytes(workbook_bytes(wb, FLAWED_YEAR))
        files.append((name, unit, note))

    def plant(name: str, code: str, sheet: str, cell: str, note: str) -> None:
        planted.append(Planted(name, code, sheet, cell, note))

    S = layout.SUMMARY_SHEET

    # 01 汇总表：负数、部分大于整体、文字填在数字格
    name, unit = "01-汇总表数值错误.xlsx", "海口市统计局"
    uy = uy_of(unit)
    wb, loc = fill_workbook(cat, uy, unit=unit, year=FLAWED_YEAR)
    ws = wb[S]
    assert {
        ("legal_review_staff", "Y"),
        ("joint_inspection_items", "Y"),
        ("major_enforcement_decisions", "Y"),
    } <= set(uy.summary)
    ws[loc.cell("legal_review_staff")] = -2
    plant(name, "value-negative", S, loc.cell("legal_review_staff"), "法制审核人员数填了 -2")
    whole = uy.summary[("joint_inspection_items", "Y")]
    ws[loc.cell("joint_inspection_items_random")] = whole + 3
    plant(
        name,
        "part-exceeds-whole",
        S,
        loc.cell("joint_inspection_items_random"),
        f"实行“双随机”抽查的事项 {whole + 3} 项，多于联合抽查事项清单的 {whole} 项",
    )
    ws[loc.cell("major_enforcement_decisions")] = "若干"
    plant(name, "value-type", S, loc.cell("major_enforcement_decisions"), "重大行政执法决定件数填了“若干”")
    save(wb, name, unit)

    # 02 汇总表：错误值、没有计算结果的公式、与台账不一致
    name, unit = "02-错误值公式与台账不符.xlsx", "海口市审计局"
    uy = uy_of(unit)
    wb, loc = fill_workbook(cat, uy, unit=unit, year=FLAWED_YEAR)
    ws = wb[S]
    ws[loc.cell("legal_review_staff")] = "#DIV/0!"
    assert ws[loc.cell("legal_review_staff")].data_type == "e"
    plant(name, "value-error-cell", S, loc.cell("legal_review_staff"), "法制审核人员数为错误值 #DIV/0!")
    assert {
        ("legal_review_staff", "Y"),
        ("major_enforcement_decisions", "Y"),
        ("major_enforcement_decisions_reviewed", "Y"),
    } <= set(uy.summary)
    ws[loc.cell("major_enforcement_decisions_reviewed")] = f"={loc.cell('major_enforcement_decisions')}"
    plant(
        name,
        "value-formula",
        S,
        loc.cell("major_enforcement_decisions_reviewed"),
        f"经法制审核的件数写成公式 ={loc.cell('major_enforcement_decisions')}，文件由程序生成、没有计算结果",
    )
    counted = derive_values(
        cat, cat.fields_by_id["proposals_evaluated"], uy.ledgers["proposals"], FLAWED_YEAR
    )["Y"]
    ws[loc.cell("proposals_evaluated")] = counted + 3
    plant(
        name,
        "ledger-conflict",
        S,
        loc.cell("proposals_evaluated"),
        f"已办复并有满意度评价的建议提案填 {counted + 3} 件，《建议提案办理台账》计得 {counted} 件",
    )
    save(wb, name, unit)

    # 03 台账：超出范围、不在可选值中、必填项为空
    name, unit = "03-台账取值错误.xlsx", "长流镇"
    uy = uy_of(unit)
    wb, loc = fill_workbook(cat, uy, unit=unit, year=FLAWED_YEAR)
    training = cat.ledgers_by_id["enforcement_training"]
    i = next(i for i, r in enumerate(uy.ledgers["enforcement_training"]) if r["training_type"] == "网络培训")
    cell = f"{loc.ledger_cols['enforcement_training']['hours']}{i + 2}"
    wb[training.name][cell] = 250
    plant(name, "value-out-of-range", training.name, cell, "一次网络培训记了 250 学时（上限 200）")
    activities = cat.ledgers_by_id["study_activities"]
    i = next(i for i, r in enumerate(uy.ledgers["study_activities"]) if r["activity_type"] == "其他")
    cell = f"{loc.ledger_cols['study_activities']['activity_type']}{i + 2}"
    wb[activities.name][cell] = "普法宣传活动"
    plant(name, "value-choice", activities.name, cell, "活动类型“普法宣传活动”不在可选值中")
    study = cat.ledgers_by_id["staff_study"]
    i = len(uy.ledgers["staff_study"]) // 2
    cell = f"{loc.ledger_cols['staff_study']['topic']}{i + 2}"
    wb[study.name][cell] = None
    plant(name, "value-required", study.name, cell, "学法记录的“内容”为空")
    save(wb, name, unit)

    # 04 台账：重复记录、日期不在年度内、身份证号存成数字
    name, unit = "04-重复记录日期与编号.xlsx", "海口市退役军人事务局"
    uy = uy_of(unit)
    wb, loc = fill_workbook(cat, uy, unit=unit, year=FLAWED_YEAR)
    requests = cat.ledgers_by_id["info_requests"]
    ws = wb[requests.name]
    source_row = len(uy.ledgers["info_requests"]) // 3 + 2
    ws.append([c.value for c in ws[source_row]])
    cell = f"{loc.ledger_cols['info_requests']['request_no']}{ws.max_row}"
    plant(
        name, "record-duplicate", requests.name, cell, f"第 {source_row} 行的申请又录了一遍（申请编号相同）"
    )
    i = next(i for i, r in enumerate(uy.ledgers["study_activities"]) if r["activity_type"] == "其他")
    cell = f"{loc.ledger_cols['study_activities']['held_on']}{i + 2}"
    wb[activities.name][cell] = dt.date(2019, uy.ledgers["study_activities"][i]["held_on"].month, 12)
    plant(name, "date-out-of-year", activities.name, cell, "2024 年的活动日期写成了 2019 年")
    roster = cat.ledgers_by_id["staff_roster"]
    i = next(i for i, r in enumerate(uy.ledgers["staff_roster"]) if r["staff_id"].isdigit())
    cell = f"{loc.ledger_cols['staff_roster']['staff_id']}{i + 2}"
    wb[roster.name][cell] = float(uy.ledgers["staff_roster"][i]["staff_id"][:15] + "000")  # what Excel keeps
    plant(name, "value-id-precision", roster.name, cell, "18 位身份证号被存成数字，后 3 位已变成 000")
    save(wb, name, unit)

    # 05–06, 08: header mistakes, in a template downloaded without the unit / year filled in
    name, unit = "05-单位不在名册.xlsx", "石山镇"
    wb, loc = fill_workbook(cat, uy_of(unit), unit=None, year=FLAWED_YEAR)
    wb[S]["B2"] = "海口市不存在局"
    plant(name, "unit-unknown", S, "B2", "填报单位“海口市不存在局”不在单位名册中")
    save(wb, name, unit, "用未预填单位的模板填写（_meta 中 unit 为空），其余数据同原件")

    name, unit = "06-未填单位.xlsx", "龙塘镇"
    wb, loc = fill_workbook(cat, uy_of(unit), unit=None, year=FLAWED_YEAR)
    plant(name, "unit-missing", S, "B2", "填报单位未填写")
    save(wb, name, unit, "用未预填单位的模板填写（_meta 中 unit 为空），其余数据同原件")

    # 07 隐藏的工作表
    name, unit = "07-隐藏工作表.xlsx", "演丰镇"
    uy = uy_of(unit)
    wb, loc = fill_workbook(cat, uy, unit=unit, year=FLAWED_YEAR)
    hidden = wb.create_sheet("学法台账（旧）", index=len(wb.sheetnames) - 1)
    for r in wb[study.name].iter_rows(min_row=1, max_row=21, values_only=True):
        hidden.append(list(r))
    hidden.sheet_state = "hidden"
    plant(
        name,
        "sheet-hidden",
        "学法台账（旧）",
        "",
        "隐藏的工作表“学法台账（旧）”里有 20 条学法记录，不会被读取",
    )
    save(wb, name, unit)

    name, unit = "08-年度无效.xlsx", "新坡镇"
    wb, loc = fill_workbook(cat, uy_of(unit), unit=unit, year=None)
    wb[S]["B3"] = "2024年度上半年"
    plant(name, "year-invalid", S, "B3", "填报年度写成“2024年度上半年”")
    save(wb, name, unit, "用未预填年度的模板填写（_meta 中 year 为空），其余数据同原件")

    # 09 长表 CSV（GB18030）：字段用中文名或标识混写、单位用别名；未知字段、期间无效、数值不是数字
    name, unit = "09-长表-市司法局.csv", "海口市司法局"
    uy = uy_of(unit)
    rows = long_rows(cat, uy, by_id=[f.id for f in fields_for_kind(cat, uy.kind_id)][::2])
    for row in rows[1::4]:
        row[0] = "市司法局"  # the kind's alias names the register's only 市司法局
    rows.insert(5, ["海口市司法局", str(FLAWED_YEAR), "行政执法案卷评查优秀率", "0.85", "全年"])
    plant(name, "field-unknown", "", f"C{5 + 2}", "字段“行政执法案卷评查优秀率”不在指标目录中")
    q_rows = [
        i
        for i, r in enumerate(rows)
        if r[2] in ("lost_case_quarterly_reports", "行政败诉案件、执行不到位案件季报报送次数")
    ]
    rows[q_rows[-1]][4] = "第五季度"
    plant(name, "period-invalid", "", f"E{q_rows[-1] + 2}", "期间写成“第五季度”")
    h = next(
        i
        for i, r in enumerate(rows)
        if r[2] in ("head_law_reports", cat.fields_by_id["head_law_reports"].name)
    )
    rows[h][3] = "约3人"
    plant(name, "value-type", "", f"D{h + 2}", "数值写成“约3人”")
    write_csv(out / name, rows, "gb18030")
    files.append(
        (
            name,
            unit,
            "GB18030 编码；市司法局的 2024 年直接填报项，部分字段用标识、部分用中文名，部分行单位写作别名“市司法局”",
        )
    )

    lines = [
        "# 示例中故意埋下的错误（由 samples/make_samples.py 生成，请勿手改）。",
        "# 每个文件都是 haikou/2024/ 下同名单位原件的副本（original），除下列错误外数据相同；",
        "# cell 为 A1 格式；台账错误指向出错的那个单元格；CSV 的单元格按列字母与行号（表头为第 1 行），sheet 为空。",
        "files:",
    ]
    for file, unit, note in files:
        original = f"../haikou/{FLAWED_YEAR}/{unit}.xlsx"
        lines.append(
            f"  - {{file: {_yaml_str(file)}, unit: {_yaml_str(unit)}, year: {FLAWED_YEAR}, original: {_yaml_str(original)}"
            + (f", note: {_yaml_str(note)}" if note else "")
            + "}"
        )
    lines.append("issues:")
    for p in planted:
        lines.append(
            f"  - {{file: {_yaml_str(p.file)}, code: {p.code}, sheet: {_yaml_str(p.sheet)}, cell: {_yaml_str(p.cell)}, note: {_yaml_str(p.note)}}}"
        )
    (out / "EXPECTED.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted


# ================================================================ main


QUALITY_FLOOR = {
    "海口市人民政府": 0.8,
    "海口市司法局": 0.85,
    "海口市行政审批服务局": 0.72,
}  # the lead units lead


def draw_qualities() -> dict[str, tuple[float, float]]:
    """Each unit's hidden quality (chance a promise is kept) and its yearly drift, drawn once in register order."""
    rng = random.Random(SEED)
    out = {}
    for unit in UNITS:
        quality = 0.25 + 0.72 * rng.betavariate(2.2, 1.6)
        slope = rng.uniform(0.01, 0.06) if rng.random() < 0.85 else rng.uniform(-0.04, 0.0)
        out[unit.name] = (max(quality, QUALITY_FLOOR.get(unit.name, 0.0)), slope)
    return out


def write_unit(
    cat: Catalogue, unit: Unit, out: Path, years: Iterable[int]
) -> tuple[int, dict[tuple[str, int], UnitYear]]:
    """Simulate one unit over the whole plan period and write its workbooks for ``years``."""
    sim = UnitSim(cat, unit, *draw_qualities()[unit.name], citywide_calendar())
    data = {(unit.name, y): sim.year(y) for y in YEARS}
    written = 0
    for year in years:
        if (unit.name, year) in MISSING_FILES:
            continue
        uy = data[(unit.name, year)]
        long_only = year == LONG_TABLE_YEAR and unit.name in LONG_TABLE_UNITS
        wb, _ = fill_workbook(cat, uy, unit=unit.name, year=year, summary=not long_only)
        path = out / "haikou" / str(year) / f"{unit.name}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(workbook_bytes(wb, year))
        written += 1
    return written, data


_WORKER_CATALOGUE: Catalogue | None = None


def _job(task: tuple[str, str, list[int], bool, str]) -> tuple[int, dict[tuple[str, int], UnitYear]]:
    global _WORKER_CATALOGUE
    name, out, years, keep, catalogue = task
    if _WORKER_CATALOGUE is None:  # inherited when forked, loaded once per process otherwise
        _WORKER_CATALOGUE = load_catalogue(catalogue)
    unit = next(u for u in UNITS if u.name == name)
    written, data = write_unit(_WORKER_CATALOGUE, unit, Path(out), years)
    return written, data if keep else {}


def run_units(
    cat: Catalogue, catalogue: str, units: list[tuple[Unit, list[int], bool]], out: Path, jobs: int
) -> tuple[int, dict[tuple[str, int], UnitYear]]:
    """Every unit in its own task (its own random stream), so the result does not depend on ``jobs``."""
    global _WORKER_CATALOGUE
    _WORKER_CATALOGUE = cat
    tasks = [(u.name, str(out), years, keep, catalogue) for u, years, keep in units]
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            results = list(pool.map(_job, tasks))
    else:
        results = [_job(t) for t in tasks]
    data: dict[tuple[str, int], UnitYear] = {}
    for _, d in results:
        data.update(d)
    return sum(w for w, _ in results), data


def clean_outputs(out: Path) -> None:
    for sub in ("haikou", "flawed"):
        folder = out / sub
        if folder.is_dir():
            for path in sorted(folder.rglob("*"), reverse=True):
                if path.is_file() and path.suffix in (".xlsx", ".csv", ".yaml"):
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成 lawgov-metrics 的海口示例数据")
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent), help="输出目录（默认 samples/）"
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="只写这些单位的工作簿（其余照常模拟，结果不变）"
    )
    parser.add_argument("--years", nargs="*", type=int, default=None, help="只写这些年度的工作簿")
    parser.add_argument("--no-flawed", action="store_true", help="不生成 flawed/")
    parser.add_argument("--catalogue", default=str(REPO / "indicators.yaml"))
    parser.add_argument(
        "--jobs", type=int, default=min(4, os.cpu_count() or 1), help="并行进程数（不影响结果）"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    out = Path(args.out)
    cat = load_catalogue(args.catalogue)
    partial = args.only is not None or args.years is not None
    if not partial:
        clean_outputs(out)
    names = {u.name for u in UNITS}
    unknown = set(args.only or ()) - names
    if unknown:
        parser.error(f"不在单位名册中：{'、'.join(sorted(unknown))}")
    write_units = [u for u in UNITS if args.only is None or u.name in args.only]
    write_years = [y for y in YEARS if args.years is None or y in args.years]
    flawed_units = {
        "海口市统计局",
        "海口市审计局",
        "长流镇",
        "海口市退役军人事务局",
        "石山镇",
        "龙塘镇",
        "演丰镇",
        "新坡镇",
        "海口市司法局",
    }
    do_flawed = not args.no_flawed and not partial
    keep = (flawed_units if do_flawed else set()) | (
        set(LONG_TABLE_UNITS) if LONG_TABLE_YEAR in write_years else set()
    )
    tasks = [
        (u, write_years if u in write_units else [], u.name in keep)
        for u in UNITS
        if u in write_units or u.name in keep
    ]

    write_register(out / "haikou" / "units.csv")
    written, data = run_units(cat, args.catalogue, tasks, out, args.jobs)
    if LONG_TABLE_YEAR in write_years:
        rows = [row for name in LONG_TABLE_UNITS for row in long_rows(cat, data[(name, LONG_TABLE_YEAR)])]
        write_csv(out / "haikou" / "long" / f"{LONG_TABLE_YEAR}-部门汇总.csv", rows, "utf-8")
    planted: list[Planted] = []
    if do_flawed:
        (out / "flawed").mkdir(parents=True, exist_ok=True)
        planted = make_flawed(cat, data, out / "flawed")

    files = [
        p
        for p in out.rglob("*")
        if p.is_file() and p.parent != out and p.suffix in (".xlsx", ".csv", ".yaml")
    ]
    size = sum(p.stat().st_size for p in files)
    kinds: dict[str, int] = {}
    for u in UNITS:
        kinds[u.kind_name] = kinds.get(u.kind_name, 0) + 1
    qualities = draw_qualities()
    qs = sorted(q for q, _ in qualities.values())
    print(f"单位 {len(UNITS)} 个：" + "、".join(f"{k} {n}" for k, n in kinds.items()), file=sys.stderr)
    print(
        f"工作簿 {written} 个（{min(write_years)}—{max(write_years)}）；flawed 埋错 {len(planted)} 处",
        file=sys.stderr,
    )
    print(
        f"质量分位（10/50/90%）：{qs[len(qs) // 10]:.2f} / {qs[len(qs) // 2]:.2f} / {qs[len(qs) * 9 // 10]:.2f}",
        file=sys.stderr,
    )
    print(
        f"文件 {len(files)} 个，共 {size / 1e6:.1f} MB，用时 {time.monotonic() - started:.0f} 秒 → {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
