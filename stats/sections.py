"""The statistics page (统计分析) as a list of sections drawn by providers.

A provider is a function `provider(scope) -> Section | None`: it reads what it
needs through the `Scope` (the projects the user may view, the chosen year, the
years available, and grouped figures computed once per request) and returns a
titled section of charts. Every chart carries its table (the page prints it under
the chart, the Excel download writes it), so a chart never shows a figure that the
table does not.

`SECTIONS` lists the providers in page order. A later stage adds its own with
`register()` from its AppConfig.ready(), e.g. the monitoring and self-evaluation
stage (a `results` app):

    from stats.sections import register
    register(lights_by_unit, after="findings")   # 运行监控: lights by unit
    register(grades_by_unit)                      # 绩效自评: grades and average score

Providers must keep the page's query count independent of the number of projects
(one grouped query per figure, as below) and scope through `scope.projects`.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Sum

from indicators import library
from indicators.checks import ERROR, RULES, SEVERITY_LABELS, WARNING
from indicators.values import normalize_number
from projects.models import Project, ProjectType, Status

from . import tallies
from .models import RuleTally

SEVERITY_COLORS = {ERROR: "#b3261e", WARNING: "#d4a017"}


@dataclass
class Table:
    columns: list
    rows: list  # cells: str, int, Decimal or None (no figure: “—” on the page, empty in Excel)

    def is_numeric(self, index):
        return any(isinstance(row[index], (int, Decimal)) for row in self.rows)


@dataclass
class Series:
    name: str
    values: list
    axis: int = 0  # 0: the first value axis, 1: the second
    kind: str = ""  # "bar" or "line" (default: the chart's kind)
    stack: str = ""
    color: str = ""  # e.g. errors red, warnings amber (default: the palette)


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar", "line" or "pie"
    categories: list
    series: list
    table: Table
    axes: list = field(default_factory=list)  # value axis names, e.g. ["项目数（个）", "预算（万元）"]
    horizontal: bool = False
    note: str = ""
    yearly: bool = True  # about the chosen year (titled “2026年 …”); False: about every year

    def spec(self):
        """What static/js/stats.js draws (passed with json_script)."""
        return {
            "title": self.title,
            "kind": self.kind,
            "horizontal": self.horizontal,
            "categories": [str(category) for category in self.categories],
            "axes": self.axes,
            "series": [
                {
                    "name": series.name,
                    # None: no figure, no point (ECharts leaves a gap for null).
                    "values": [None if value is None else float(value) for value in series.values],
                    "axis": series.axis,
                    "kind": series.kind or self.kind,
                    "stack": series.stack,
                    "color": series.color,
                }
                for series in self.series
            ],
        }


@dataclass
class Section:
    key: str
    title: str
    charts: list
    note: str = ""


class Scope:
    """What the page is about: the projects `user` may view (all years) and a year."""

    def __init__(self, user, year=None):
        self.user = user
        self.projects = Project.objects.restrict(user, "view")
        self.years = sorted({row[0] for row in self.project_groups}, reverse=True)
        self.year = year if year in self.years else (self.years[0] if self.years else None)

    @cached_property
    def project_groups(self):
        """[(year, unit, type, status, projects, budget)] of every visible project, one query."""
        return list(
            self.projects.order_by()
            .values_list("year", "department__name", "project_type", "status")
            .annotate(count=Count("id"), budget=Sum("budget"))
        )

    @cached_property
    def stamp(self):
        """The tallies' signature, once the library (rule LIBRARY_UNIT reads it) and the
        tallies of the visible projects are up to date."""
        library.refresh_quietly()
        stamp = tallies.signature()
        tallies.refresh(self.projects, stamp)
        return stamp

    @cached_property
    def tally_groups(self):
        """[(year, unit, valued rows, qualitative rows, errors, warnings)], one query
        (from the projects to their tallies: the restricted queryset leads the join)."""
        return list(
            self.projects.filter(tally__signature=self.stamp)
            .order_by()
            .values_list("year", "department__name")
            .annotate(
                valued=Sum("tally__valued_rows"),
                qualitative=Sum("tally__qualitative_rows"),
                errors=Sum("tally__errors"),
                warnings=Sum("tally__warnings"),
            )
        )

    @cached_property
    def rule_groups(self):
        """[(year, rule, findings, projects)], one query."""
        self.stamp  # noqa: B018 (the tallies are refreshed first)
        return list(
            RuleTally.objects.filter(project__in=self.projects)
            .order_by()
            .values_list("project__year", "rule")
            .annotate(findings=Sum("count"), projects=Count("project"))
        )


def share(part, whole):
    """A percentage with one decimal (Decimal), 0 when there is nothing to divide."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def wan(amount):
    return Decimal(normalize_number((amount or Decimal(0)).quantize(Decimal("0.000001"))))


# -- the sections -------------------------------------------------------------------


def projects_section(scope):
    """项目与预算: projects and budget by unit, type and state, for the year."""
    rows = [row for row in scope.project_groups if row[0] == scope.year]
    units = {}
    for _, unit, _, status, count, budget in rows:
        figures = units.setdefault(
            unit, {"count": 0, "budget": Decimal(0), **dict.fromkeys(Status.values, 0)}
        )
        figures["count"] += count
        figures["budget"] += budget or 0
        figures[status] += count
    order = sorted(units, key=lambda unit: (-units[unit]["budget"], unit))
    by_unit = Chart(
        "by_unit",
        "各单位项目数与项目预算",
        "bar",
        order,
        [
            Series("项目数（个）", [units[unit]["count"] for unit in order]),
            Series("项目预算（万元）", [wan(units[unit]["budget"]) for unit in order], axis=1),
        ],
        Table(
            ["预算单位", "项目数", "项目预算（万元）", *Status.labels],
            [
                [
                    unit,
                    units[unit]["count"],
                    wan(units[unit]["budget"]),
                    *(units[unit][s] for s in Status.values),
                ]
                for unit in order
            ],
        ),
        axes=["项目数（个）", "项目预算（万元）"],
        horizontal=True,
    )
    charts = [by_unit]
    for key, title, choices, column in (
        ("by_type", "按项目类型", ProjectType, 2),
        ("by_status", "按状态", Status, 3),
    ):
        counts = dict.fromkeys(choices.values, 0)
        budgets = dict.fromkeys(choices.values, Decimal(0))
        for row in rows:
            counts[row[column]] = counts.get(row[column], 0) + row[4]
            budgets[row[column]] = budgets.get(row[column], Decimal(0)) + (row[5] or 0)
        labels = [choices(code).label for code in choices.values]
        charts.append(
            Chart(
                key,
                f"{title}统计项目数与项目预算",
                "bar",
                labels,
                [
                    Series("项目数（个）", [counts[code] for code in choices.values]),
                    Series("项目预算（万元）", [wan(budgets[code]) for code in choices.values], axis=1),
                ],
                Table(
                    [title.removeprefix("按"), "项目数", "项目预算（万元）"],
                    [
                        [label, counts[code], wan(budgets[code])]
                        for label, code in zip(labels, choices.values, strict=True)
                    ],
                ),
                axes=["项目数（个）", "项目预算（万元）"],
            )
        )
    return Section("projects", "项目与预算", charts)


def findings_section(scope):
    """审核检查: findings of the review rules, by rule, for the year."""
    found = {
        rule: (findings, projects)
        for year, rule, findings, projects in scope.rule_groups
        if year == scope.year
    }
    rules = [rule for rule in RULES if rule.code in found]
    rules.sort(key=lambda rule: (-found[rule.code][0], rule.code))
    chart = Chart(
        "by_rule",
        "审核发现（按规则）",
        "bar",
        [f"{rule.title}" for rule in rules],
        [
            Series(
                label,
                [found[rule.code][0] if rule.severity == severity else 0 for rule in rules],
                stack="severity",
                color=SEVERITY_COLORS[severity],
            )
            for severity, label in SEVERITY_LABELS.items()
        ],
        Table(
            ["规则代码", "规则", "级别", "发现数", "涉及项目数"],
            [
                [rule.code, rule.title, rule.severity_label, *found.get(rule.code, (0, 0))]
                for rule in sorted(RULES, key=lambda rule: (-found.get(rule.code, (0, 0))[0], rule.code))
            ],
        ),
        axes=["发现数（项）"],
        horizontal=True,
        note="按各项目当前内容运行审核规则（含未提交的草稿）；没有发现的规则只列在表中。",
    )
    return Section("findings", "审核检查", [chart])


def quality_section(scope):
    """指标设置: the share of qualitative rows (定性指标) by unit, for the year."""
    rows = [row for row in scope.tally_groups if row[0] == scope.year]
    rows.sort(key=lambda row: (-share(row[3], row[2]), row[1]))
    chart = Chart(
        "qualitative",
        "各单位定性指标占比",
        "bar",
        [row[1] for row in rows],
        [Series("定性指标占比（%）", [share(row[3], row[2]) for row in rows])],
        Table(
            ["预算单位", "有指标值的行数", "定性行数", "定性指标占比（%）"],
            [[row[1], row[2], row[3], share(row[3], row[2])] for row in rows],
        ),
        axes=["定性指标占比（%）"],
        horizontal=True,
        note="定性指标：指标值中没有数值的行（与审核规则“定性指标过多”的口径相同）。",
    )
    return Section("quality", "指标设置", [chart])


def trend_section(scope):
    """历年对比: the same figures for every year the user may see."""
    years = sorted(scope.years)
    if not years:
        return None
    figures = {
        year: dict.fromkeys(("count", "approved", "valued", "qualitative", "errors", "warnings"), 0)
        for year in years
    }
    budgets = dict.fromkeys(years, Decimal(0))
    for year, _, _, status, count, budget in scope.project_groups:
        figures[year]["count"] += count
        budgets[year] += budget or 0
        if status == Status.APPROVED:
            figures[year]["approved"] += count
    for year, _, valued, qualitative, errors, warnings in scope.tally_groups:
        for name, value in (
            ("valued", valued),
            ("qualitative", qualitative),
            ("errors", errors),
            ("warnings", warnings),
        ):
            figures[year][name] += value or 0
    labels = [f"{year}年" for year in years]
    volume = Chart(
        "trend_projects",
        "历年项目数与项目预算",
        "bar",
        labels,
        [
            Series("项目数（个）", [figures[year]["count"] for year in years]),
            Series("已批复项目数（个）", [figures[year]["approved"] for year in years]),
            Series("项目预算（万元）", [wan(budgets[year]) for year in years], axis=1, kind="line"),
        ],
        Table(
            ["年度", "项目数", "已批复项目数", "项目预算（万元）"],
            [
                [str(year), figures[year]["count"], figures[year]["approved"], wan(budgets[year])]
                for year in years
            ],
        ),
        axes=["项目数（个）", "项目预算（万元）"],
        yearly=False,
    )
    quality = Chart(
        "trend_findings",
        "历年审核发现与定性指标占比",
        "bar",
        labels,
        [
            Series(
                "错误（项）",
                [figures[year]["errors"] for year in years],
                stack="severity",
                color=SEVERITY_COLORS[ERROR],
            ),
            Series(
                "提示（项）",
                [figures[year]["warnings"] for year in years],
                stack="severity",
                color=SEVERITY_COLORS[WARNING],
            ),
            Series(
                "定性指标占比（%）",
                [share(figures[year]["qualitative"], figures[year]["valued"]) for year in years],
                axis=1,
                kind="line",
            ),
        ],
        Table(
            ["年度", "审核错误", "审核提示", "有指标值的行数", "定性行数", "定性指标占比（%）"],
            [
                [
                    str(year),
                    figures[year]["errors"],
                    figures[year]["warnings"],
                    figures[year]["valued"],
                    figures[year]["qualitative"],
                    share(figures[year]["qualitative"], figures[year]["valued"]),
                ]
                for year in years
            ],
        ),
        axes=["发现数（项）", "定性指标占比（%）"],
        yearly=False,
    )
    return Section("trend", "历年对比", [volume, quality])


SECTIONS = [projects_section, findings_section, quality_section, trend_section]
KEYS = {
    "projects": projects_section,
    "findings": findings_section,
    "quality": quality_section,
    "trend": trend_section,
}


def register(provider, after=None):
    """Add a section provider (e.g. from a later stage's AppConfig.ready()): at the end,
    or after the built-in section named `after` (projects, findings, quality, trend)."""
    if provider in SECTIONS:
        return
    if after is None:
        SECTIONS.append(provider)
    else:
        SECTIONS.insert(SECTIONS.index(KEYS[after]) + 1, provider)


def build(scope):
    """The sections of the page for `scope`, in order (providers with nothing to say omitted)."""
    if scope.year is None:
        return []
    return [section for section in (provider(scope) for provider in SECTIONS) if section is not None]
