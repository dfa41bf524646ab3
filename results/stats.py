"""The monitoring section of the statistics page (统计分析): lights by unit.

A provider for `stats.sections` (registered in `ResultsConfig.ready`): for the
chosen year, the latest monitoring round's forms of the projects the user may
view, counted by unit and project light, with the execution of the funds. One
grouped query, whatever the number of forms.
"""

from decimal import Decimal

from django.db.models import Count, Sum

from stats.sections import Chart, Section, Series, Table, share, wan

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
