"""The monitoring and self-evaluation sections of the statistics page (统计分析): lights
by unit; grades by unit with the average score.

A provider for `stats.sections` (registered in `ResultsConfig.ready`): for the
chosen year, the latest monitoring round's forms of the projects the user may
view, counted by unit and project light, with the execution of the funds. One
grouped query, whatever the number of forms.
"""

from decimal import Decimal

from django.db.models import Count, Sum

from stats.sections import Chart, Section, Series, Table, share, wan

from . import scoring
from .models import Kind, Light, ResultForm, Round

LIGHT_COLORS = {Light.GREEN: "#2e7d32", Light.YELLOW: "#d4a017", Light.RED: "#b3261e", Light.NONE: "#9e9e9e"}
SHOWN = (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)


def monitoring_section(scope):
    """运行监控: the forms of the year's latest round by unit and light."""
    round_ = Round.objects.filter(kind=Kind.MONITORING, year=scope.year).order_by("-cutoff", "-pk").first()
    if round_ is None:
        return None
    groups = (
        ResultForm.objects.filter(round=round_, project__in=scope.projects)
        .order_by()
        .values_list("project__department__name", "light")
        .annotate(forms=Count("pk"), budget=Sum("budget_full"), executed=Sum("executed"))
    )
    units = {}
    for unit, light, forms, budget, executed in groups:
        figures = units.setdefault(
            unit, {"lights": dict.fromkeys(SHOWN, 0), "budget": Decimal(0), "executed": Decimal(0)}
        )
        figures["lights"][Light(light)] += forms
        figures["budget"] += budget or 0
        figures["executed"] += executed or 0
    if not units:
        return None
    order = sorted(
        units,
        key=lambda unit: (-units[unit]["lights"][Light.RED], -units[unit]["lights"][Light.YELLOW], unit),
    )
    chart = Chart(
        "monitoring_lights",
        f"运行监控预警（{round_}）",
        "bar",
        order,
        [
            Series(
                light.label,
                [units[unit]["lights"][light] for unit in order],
                stack="light",
                color=LIGHT_COLORS[light],
            )
            for light in SHOWN
        ],
        Table(
            [
                "预算单位",
                "监控表",
                *(light.label for light in SHOWN),
                "全年预算数（万元）",
                "执行数（万元）",
                "执行率（%）",
            ],
            [
                [
                    unit,
                    sum(units[unit]["lights"].values()),
                    *(units[unit]["lights"][light] for light in SHOWN),
                    wan(units[unit]["budget"]),
                    wan(units[unit]["executed"]),
                    share(units[unit]["executed"], units[unit]["budget"]),
                ]
                for unit in order
            ],
        ),
        axes=["监控表（份）"],
        horizontal=True,
        note="项目预警取各指标与资金执行中最严重的一项；执行率为执行数合计 ÷ 全年预算数合计。",
    )
    return Section("monitoring", "绩效运行监控", [chart])


GRADES = tuple(label for _, label in scoring.GRADES)
GRADE_COLORS = {"优": "#2e7d32", "良": "#6a9f3a", "中": "#d4a017", "差": "#b3261e", "未评分": "#9e9e9e"}
UNSCORED = "未评分"


def evaluation_section(scope):
    """绩效自评: the year's self-evaluations by unit and grade, with the average score."""
    round_ = Round.objects.filter(kind=Kind.EVALUATION, year=scope.year).order_by("-cutoff", "-pk").first()
    if round_ is None:
        return None
    groups = (
        ResultForm.objects.filter(round=round_, project__in=scope.projects)
        .order_by()
        .values_list("project__department__name", "grade")
        .annotate(forms=Count("pk"), scored=Count("total"), total=Sum("total"))
    )
    shown = (*GRADES, UNSCORED)
    units = {}
    for unit, grade, forms, scored, total in groups:
        figures = units.setdefault(
            unit, {"grades": dict.fromkeys(shown, 0), "scored": 0, "total": Decimal(0)}
        )
        figures["grades"][grade or UNSCORED] += forms
        figures["scored"] += scored
        figures["total"] += total or 0
    if not units:
        return None

    def average(figures):
        """The unit's average score; None (shown “—”, not drawn) when none is scored."""
        if not figures["scored"]:
            return None
        return (figures["total"] / figures["scored"]).quantize(Decimal("0.01"))

    def rank(unit):  # best average first, the units without a score last
        score = average(units[unit])
        return (score is None, -(score or 0), unit)

    order = sorted(units, key=rank)
    chart = Chart(
        "evaluation_grades",
        f"绩效自评等级与平均分（{round_}）",
        "bar",
        order,
        [
            *(
                Series(
                    grade,
                    [units[unit]["grades"][grade] for unit in order],
                    stack="grade",
                    color=GRADE_COLORS[grade],
                )
                for grade in shown
            ),
            Series("平均分", [average(units[unit]) for unit in order], axis=1, kind="line", color="#1f4e79"),
        ],
        Table(
            ["预算单位", "自评表", *shown, "已评分", "平均分"],
            [
                [
                    unit,
                    sum(units[unit]["grades"].values()),
                    *(units[unit]["grades"][grade] for grade in shown),
                    units[unit]["scored"],
                    average(units[unit]),
                ]
                for unit in order
            ],
        ),
        axes=["自评表（份）", "平均分"],
        note=(
            "等级：优 ≥ 90分，良 80–90分，中 60–80分，差 < 60分；平均分为已评分自评表总分的平均值"
            "（没有已评分自评表的单位为“—”）。"
        ),
    )
    return Section("evaluation", "绩效自评", [chart])
