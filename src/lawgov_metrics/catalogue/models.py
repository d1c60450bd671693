"""Pydantic models of ``indicators.yaml``: the plan's promises as checked, immutable data.

Formulas are declarative (named aggregations, conditions and ratios over named fields); nothing here
is ever evaluated as code. Cross-references are checked in :mod:`lawgov_metrics.catalogue.checks`,
called from :meth:`Catalogue._cross_check`, so a broken catalogue reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from lawgov_metrics.catalogue.targets import TargetValue

Id = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="ASCII 标识，小写字母开头")
]
Chapter = Annotated[
    str, Field(min_length=1, max_length=16, description="章的标识，须在 chapters 中定义（如 七、3）")
]
Scalar = str | int | float | bool


MAX_MAGNITUDE = 1e15  # no figure of a plan is near it; 1e308 points would overflow every sum to inf


class Model(BaseModel):
    """Base of every catalogue model: unknown keys are refused, instances are immutable, numbers are finite
    (NaN and ±inf refused) and at most :data:`MAX_MAGNITUDE` in size — in points, targets, bands and bounds."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: object) -> object:
        for number in value if isinstance(value, tuple) else (value,):
            if (
                isinstance(number, (int, float))
                and not isinstance(number, bool)
                and abs(number) > MAX_MAGNITUDE
            ):
                shown = (
                    f"{number:.6g}" if isinstance(number, float) else f"{number.bit_length()} 位二进制的整数"
                )
                raise ValueError(f"数值过大（绝对值应不超过 {MAX_MAGNITUDE:.0e}），现为 `{shown}`")
        return value


# ---------------------------------------------------------------- plan, chapters, unit kinds


class Period(Model):
    start: int = Field(ge=2000, le=2100, description="规划起始年")
    end: int = Field(ge=2000, le=2100, description="规划终止年")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("规划期终止年早于起始年")
        return self

    @property
    def years(self) -> range:
        return range(self.start, self.end + 1)


class Plan(Model):
    title: str = Field(description="方案全称")
    issuer: str = Field(description="印发机关")
    period: Period
    source: str = Field(default="", description="方案原文出处")


class ChapterDef(Model):
    id: Chapter
    title: str


class UnitKind(Model):
    """A kind of assessed unit. Named agencies (市司法局 …) sit ``within`` a general kind and are ranked there."""

    id: Id
    name: str
    within: Id | None = Field(default=None, description="具名机关所属的一般单位类别（排名在该类别内进行）")
    aliases: tuple[str, ...] = Field(default=(), description="单位名称的其他写法，如 海口市司法局")
    description: str = ""


class UnitProperty(Model):
    """A yes/no property of a unit, a column of the units register (行政执法单位 是/否), for ``applies_when``."""

    id: Id
    name: str = Field(description="单位名册中的列名，填 是/否；留空或没有此列时取 default")
    default: bool = Field(default=True, description="名册未写明时的取值")
    description: str = ""


# ---------------------------------------------------------------- conditions and ledgers

ConditionOp = Literal["eq", "ne", "in", "not_in", "ge", "gt", "le", "lt", "is_null", "not_null"]


class Condition(Model):
    """One declarative filter on a ledger column, e.g. ``{column: level, op: in, value: [特别重大, 重大]}``."""

    column: Id
    op: ConditionOp = "eq"
    value: Scalar | tuple[Scalar, ...] | None = None

    @model_validator(mode="after")
    def _value_fits_op(self) -> Condition:
        if self.op in ("is_null", "not_null"):
            if self.value is not None:
                raise ValueError(f"条件 {self.op} 不需要 value")
        elif self.op in ("in", "not_in"):
            if not isinstance(self.value, tuple) or not self.value:
                raise ValueError(f"条件 {self.op} 的 value 应为非空列表")
        elif self.value is None or isinstance(self.value, tuple):
            raise ValueError(f"条件 {self.op} 的 value 应为单个值")
        return self


ColumnType = Literal["text", "id", "int", "number", "date", "datetime", "bool", "choice"]


class LedgerColumn(Model):
    id: Id
    name: str = Field(description="中文表头")
    type: ColumnType
    required: bool = False
    choices: tuple[str, ...] = Field(default=(), description="choice 类型的可选值")
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = Field(default=(), description="表头的其他写法")

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> LedgerColumn:
        if self.type == "choice" and not self.choices:
            raise ValueError("choice 类型的列必须列出 choices")
        if self.type != "choice" and self.choices:
            raise ValueError("只有 choice 类型的列可以有 choices")
        return self


class Ledger(Model):
    """A record-level sheet (台账) a unit already keeps."""

    id: Id
    name: str = Field(description="台账名称，也是模板中的工作表名")
    description: str = ""
    columns: tuple[LedgerColumn, ...] = Field(min_length=1)
    period_column: Id = Field(description="决定记录所属年度（及半年、季度）的日期列")
    key: tuple[Id, ...] = Field(default=(), description="唯一标识一条记录的列，用于发现重复记录")

    def column(self, column_id: str) -> LedgerColumn | None:
        return next((c for c in self.columns if c.id == column_id), None)


# ---------------------------------------------------------------- fields

FieldType = Literal["count", "number", "percent", "hours", "date", "bool"]
Granularity = Literal["year", "half", "quarter"]


class Derivation(Model):
    """How a field is computed from a ledger: count / sum / count_distinct of rows meeting ``where``."""

    ledger: Id
    agg: Literal["count", "sum", "count_distinct"]
    column: Id | None = Field(default=None, description="sum、count_distinct 的列")
    where: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _column_when_needed(self) -> Derivation:
        if self.agg == "count" and self.column is not None:
            raise ValueError("count 统计行数，不需要 column")
        if self.agg != "count" and self.column is None:
            raise ValueError(f"{self.agg} 需要指定 column")
        return self


class FieldDef(Model):
    """A base figure a unit reports, directly or through a ledger."""

    id: Id
    name: str
    unit: str = Field(description="计量单位：件、人、次、学时、%、日期、是否 …")
    type: FieldType
    period: Granularity = Field(default="year", description="填报周期：year 年度、half 半年、quarter 季度")
    min: float | None = Field(default=None, description="下限（含）；count 类型默认 0")
    max: float | None = Field(default=None, description="上限（含）；percent 类型默认 1")
    part_of: Id | None = Field(default=None, description="本字段是该字段的一部分，不得大于它")
    derive: Derivation | None = None
    roll_up: Literal["sum"] | None = Field(
        default=None,
        description=(
            "sum：上级单位（区政府）某年度、期间未填报本字段时，取其下属单位（单位名册“所属区”为该区的镇（街道）、"
            "区政府部门）填报数之和；上级自己填报的数值从不被替换，小于下属单位合计时给出警告"
        ),
    )
    aliases: tuple[str, ...] = Field(default=(), description="中文名称的其他写法")
    description: str = ""

    @property
    def lower_bound(self) -> float | None:
        if self.min is not None:
            return self.min
        return 0.0 if self.type in ("count", "number", "percent", "hours") else None

    @property
    def upper_bound(self) -> float | None:
        if self.max is not None:
            return self.max
        return 1.0 if self.type == "percent" else None


# ---------------------------------------------------------------- targets and scoring

CompareOp = Literal[">=", ">", "<=", "<", "=="]


class Threshold(Model):
    """``op value``; the plan's 以上、不少于、以内、以下 include the bound (民法典 第1259条), so ``>=``/``<=``."""

    op: CompareOp = ">="
    value: TargetValue


class YearOffsetDate(Model):
    """A date relative to the assessed year Y: ``year_offset: 1, month: 1, day: 31`` is Y+1-01-31."""

    year_offset: int = Field(default=0, ge=-1, le=2)
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_date(self) -> YearOffsetDate:
        dt.date(2024, self.month, self.day)  # leap year: any valid month/day passes
        return self

    def for_year(self, year: int) -> dt.date:
        return dt.date(year + self.year_offset, self.month, self.day)


class AllOrNothing(Model):
    rule: Literal["all_or_nothing"] = "all_or_nothing"


class Proportional(Model):
    """Points × min(1, actual / target) for ``>=`` targets."""

    rule: Literal["proportional"]


class Band(Model):
    min: float = Field(description="实际值不低于此值（含）")
    share: float = Field(ge=0, le=1, description="得分比例")


class Bands(Model):
    rule: Literal["bands"]
    bands: tuple[Band, ...] = Field(min_length=1)


class Deduction(Model):
    """Points − per_shortfall × shortfall, never below points − cap (每少一次扣0.3分，累计不超过1.2分)."""

    rule: Literal["deduction"]
    per_shortfall: float = Field(gt=0)
    cap: float | None = Field(default=None, gt=0)


Scoring = Annotated[AllOrNothing | Proportional | Bands | Deduction, Field(discriminator="rule")]


class PointsOverride(Model):
    kinds: tuple[Id, ...] = Field(default=(), description="适用的单位类别；空表示全部")
    years: tuple[int, ...] = Field(default=(), description="适用的年度；空表示全部")
    points: float = Field(ge=0)


class Grade(Model):
    name: str
    min_rate: float = Field(ge=0, le=1, description="得分率不低于此值（含）")


# ---------------------------------------------------------------- indicators


class YearRange(Model):
    start: int | None = Field(default=None, alias="from")
    end: int | None = Field(default=None, alias="to")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class IndicatorBase(Model):
    id: Id
    name: str
    chapter: Chapter
    clause: str = Field(
        pattern=r"^[一二三四五六七八九十百零〇0-9]+(\.[0-9]+)*$",
        description="方案条款序号，如 二十四、12、3.2",
    )
    quote: str = Field(min_length=4, description="方案原文，逐字引用")
    applies_to: tuple[Id, ...] = Field(min_length=1, description="适用的单位类别")
    applies_when: tuple[Id, ...] = Field(
        default=(), description="另须单位具有的属性（unit_properties 的 id）"
    )
    effective: YearRange = Field(default_factory=YearRange, description="生效年度")
    points: float = Field(ge=0)
    points_overrides: tuple[PointsOverride, ...] = ()
    scoring: Scoring = Field(default_factory=AllOrNothing)
    notes: tuple[str, ...] = Field(default=(), description="口径说明、边界情形")

    def points_for(self, kind: str, year: int) -> float:
        """Catalogue points, overridden by the last matching override for this unit kind and year."""
        points = self.points
        for override in self.points_overrides:
            if (not override.kinds or kind in override.kinds) and (
                not override.years or year in override.years
            ):
                points = override.points
        return points


class RatioIndicator(IndicatorBase):
    """numerator / denominator against a threshold; a zero denominator is 不适用."""

    kind: Literal["ratio"]
    numerator: Id
    denominator: Id
    rate: Id | None = Field(
        default=None,
        description="单位公开发布的比率（percent 字段）：未填分子、分母时据此判断；都填时以分子、分母为准",
    )
    target: Threshold


class CountIndicator(IndicatorBase):
    """A count in every period of the field's granularity (每半年1次 means each half-year)."""

    kind: Literal["count"]
    field: Id
    target: Threshold


class Roster(Model):
    """Who must meet a per-person minimum: the people listed in a ledger (optionally filtered)."""

    ledger: Id
    person: Id
    where: tuple[Condition, ...] = ()


class Activity(Model):
    """What each person did: rows of a ledger, counted or summed per person."""

    ledger: Id
    person: Id
    amount: Id | None = Field(default=None, description="按人求和的列；省略则按记录条数计")
    where: tuple[Condition, ...] = ()


class PerPersonIndicator(IndicatorBase):
    """Share of the roster whose yearly amount reaches ``minimum`` (e.g. 60 学时)."""

    kind: Literal["per_person"]
    roster: Roster
    activity: Activity
    minimum: float = Field(gt=0)
    target: Threshold = Field(default_factory=lambda: Threshold(op=">=", value=1.0))


class CumulativeIndicator(IndicatorBase):
    """Like per_person, but each person's amount is summed over the plan period (5年内轮训2次)."""

    kind: Literal["cumulative"]
    roster: Roster
    activity: Activity
    minimum: float = Field(gt=0)
    target: Threshold = Field(default_factory=lambda: Threshold(op=">=", value=1.0))


class DeadlineIndicator(IndicatorBase):
    """A date field due on a date relative to the assessed year."""

    kind: Literal["deadline"]
    field: Id
    due: YearOffsetDate
    opens: YearOffsetDate | None = Field(
        default=None, description="时间窗口的开始（含）：早于此日的日期不算按时"
    )


class DurationIndicator(IndicatorBase):
    """Share of ledger records whose start→end span is within ``max`` (working days, hours or days)."""

    kind: Literal["duration"]
    ledger: Id
    start: Id
    end: Id
    unit: Literal["workday", "hour", "day"]
    max: float = Field(ge=0)
    where: tuple[Condition, ...] = ()
    target: Threshold = Field(default_factory=lambda: Threshold(op=">=", value=1.0))


class MilestoneIndicator(IndicatorBase):
    """Done by a fixed date; before the due year 未到期 unless already done."""

    kind: Literal["milestone"]
    field: Id = Field(description="是否完成（bool 字段）")
    date_field: Id | None = Field(default=None, description="完成日期（date 字段）")
    due: dt.date


class TrendIndicator(IndicatorBase):
    """A ratio (numerator / denominator) better than last year's or at the bound; or one count (``field``:
    人员数量逐年增加) strictly above (``down``: below) last year's."""

    kind: Literal["trend"]
    field: Id | None = Field(default=None, description="单一计数的逐年趋势（如人员数量）；与分子、分母二选一")
    numerator: Id | None = None
    denominator: Id | None = None
    rate: Id | None = Field(
        default=None,
        description="单位公开发布的比率（percent 字段）：未填分子、分母时据此判断；都填时以分子、分母为准",
    )
    direction: Literal["up", "down"]
    bound: float | None = Field(default=None, description="比率已达到即视为达标的上限（提高）或下限（降低）")

    @model_validator(mode="after")
    def _one_measure(self) -> TrendIndicator:
        ratio = (self.numerator, self.denominator, self.rate, self.bound)
        if self.field is not None and any(v is not None for v in ratio):
            raise ValueError("计数的逐年趋势（field）不写 numerator、denominator、rate、bound")
        if self.field is None and None in ratio[:2] + ratio[3:]:
            raise ValueError("比率的逐年趋势需要 numerator、denominator 与 bound（或改写 field 单一计数）")
        return self


class BooleanIndicator(IndicatorBase):
    kind: Literal["boolean"]
    field: Id


Indicator = Annotated[
    RatioIndicator
    | CountIndicator
    | PerPersonIndicator
    | CumulativeIndicator
    | DeadlineIndicator
    | DurationIndicator
    | MilestoneIndicator
    | TrendIndicator
    | BooleanIndicator,
    Field(discriminator="kind"),
]

INDICATOR_KINDS: dict[str, str] = {
    "ratio": "比率",
    "count": "期间次数",
    "per_person": "人均达标",
    "cumulative": "规划期累计",
    "deadline": "时限报送",
    "duration": "办理时长",
    "milestone": "节点任务",
    "trend": "逐年趋势",
    "boolean": "是否落实",
}


# ---------------------------------------------------------------- the catalogue


class Catalogue(Model):
    """The whole of ``indicators.yaml``."""

    version: str = Field(description="指标目录版本")
    plan: Plan
    chapters: tuple[ChapterDef, ...] = Field(min_length=1)
    unit_kinds: tuple[UnitKind, ...] = Field(min_length=1)
    unit_properties: tuple[UnitProperty, ...] = Field(default=(), description="单位名册中的是/否属性列")
    fields: tuple[FieldDef, ...] = ()
    ledgers: tuple[Ledger, ...] = ()
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = Field(min_length=1)

    _sha256: str = PrivateAttr(default="")
    _source: str = PrivateAttr(default="")

    @property
    def sha256(self) -> str:
        """SHA-256 of the catalogue file as loaded (empty for a catalogue built in code)."""
        return self._sha256

    @property
    def source(self) -> str:
        return self._source

    @model_validator(mode="after")
    def _cross_check(self) -> Catalogue:
        from lawgov_metrics.catalogue.checks import cross_check

        problems = cross_check(self)
        if problems:
            from lawgov_metrics.catalogue.errors import CatalogueError

            raise CatalogueError(problems)
        return self

    # lookups: built once per catalogue; the model itself stays plain data
    @cached_property
    def fields_by_id(self) -> dict[str, FieldDef]:
        return {f.id: f for f in self.fields}

    @cached_property
    def ledgers_by_id(self) -> dict[str, Ledger]:
        return {ledger.id: ledger for ledger in self.ledgers}

    @cached_property
    def indicators_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def kinds_by_id(self) -> dict[str, UnitKind]:
        return {k.id: k for k in self.unit_kinds}

    def chapter_title(self, chapter: str) -> str:
        return next((c.title for c in self.chapters if c.id == chapter), chapter)

    def general_kind(self, kind_id: str) -> str:
        """The kind a unit is ranked within: a named agency's ``within``, else the kind itself."""
        return self.kinds_by_id[kind_id].within or kind_id
