"""Builders of the self-evaluation tests: the seed's 市民中心水电费 approved through the
workflow (with two rows the unit adds before submitting, so that every scoring branch
has a row), the 2025 evaluation round, and the figures of the hand computation."""

from decimal import Decimal

from indicators.models import Indicator
from projects.models import Goal, Project
from results.forms import editor_class
from results.models import Kind, ResultForm
from results.services import open_round

from .results_helpers import approve_seed

PROJECT = "市民中心水电费"
ADDED = [
    ("产出指标", "质量指标", "供水供电设备完好率", "≥95%", "行业标准"),
    ("效益指标", "社会效益指标", "节能降耗宣传覆盖", "有效覆盖", "计划标准"),
]


def add_rows(name=PROJECT):
    """The unit adds a ≥ row and a third qualitative row to the annual table."""
    goal = Goal.objects.get(project__name=name, project__year=2025, term=Goal.Term.ANNUAL)
    start = goal.indicators.count()
    for offset, (level1, level2, level3, value, basis) in enumerate(ADDED, start=1):
        Indicator.objects.create(
            goal=goal,
            position=start + offset,
            level1=level1,
            level2=level2,
            level3=level3,
            value=value,
            basis=basis,
        )


def approve_for_evaluation(users):
    add_rows()
    approved = approve_seed(users)
    assert PROJECT in approved
    return approved


def evaluation_round():
    return open_round(Kind.EVALUATION, 2025).round


def evaluation_form(name=PROJECT, year=2025):
    return (
        ResultForm.objects.with_rows()
        .prefetch_related("transitions__user")
        .get(project_name=name, round__kind=Kind.EVALUATION, round__year=year)
    )


# Every branch of the scoring (weights by default: 产出 incl. 成本 50 / 5 rows = 10 each,
# 效益 30 / 2 = 15 each, 满意度 10):
FIGURES = {
    "总成本": {"actual": "230万元"},  # ≤ met: 10
    "每月消耗水量": {"actual": "2100吨"},  # ≤ over: 10 × (3600 − 2100) / 1800 = 8.33
    "每月消耗电量": {"actual": "850000度"},  # ≤ beyond twice the target: 0
    "市民中心水电有无故障": {"level": "achieved", "points": "9.5"},  # 达成 (80–100 % of 10)
    "确保市民中心水电正常运转": {"level": "partial", "points": "10"},  # 部分达成 (60–80 % of 15)
    "市民中心服务水平": {"actual": "96%"},  # ＝ not met: 10 × 96 / 100 = 9.6
    "供水供电设备完好率": {"actual": "98%"},  # ≥ met: 10
    "节能降耗宣传覆盖": {"level": "missed", "points": "6"},  # 未达成 (0–60 % of 15)
}
REASONS = {
    "每月消耗水量": "夏季用水高峰超出计划；改进措施：加装节水器具。",
    "每月消耗电量": "新增设备用电未纳入计划；改进措施：重新测算用电指标。",
    "市民中心水电有无故障": "发生一次短时停电；改进措施：加强巡检。",
    "确保市民中心水电正常运转": "检修期间部分区域停水；改进措施：错峰检修。",
    "市民中心服务水平": "个别窗口评价偏低；改进措施：加强培训。",
    "节能降耗宣传覆盖": "宣传活动未全面开展；改进措施：下年度制定宣传计划。",
}
FUNDS = {"budget_full": "240", "executed": "216", "summary": "全年水电保障正常，部分指标未达成。"}
# 项目资金 by source: 200 appropriated this year (180 spent) and 40 carried over (36 spent).
PARTS = {
    "appropriation_initial": "240",
    "appropriation_full": "200",
    "appropriation_executed": "180",
    "carryover_full": "40",
    "carryover_executed": "36",
}
FUNDS = {**FUNDS, **PARTS}


def values(form, figures=FIGURES, funds=FUNDS, reasons=None):
    rows = list(form.rows.all())
    given = dict(funds)
    given["rows"] = [
        {
            "actual": "",
            "level": "",
            "points": "",
            "reason": (reasons or {}).get(row.level3, ""),
            **figures.get(row.level3, {}),
        }
        for row in rows
    ]
    return given


def editor(form, figures=FIGURES, funds=FUNDS, reasons=None):
    rows = list(form.rows.all())
    kind = editor_class(form)
    return kind(form, kind.data_from(values(form, figures, funds, reasons), form, rows), rows=rows)


def fill(form, figures=FIGURES, funds=FUNDS, reasons=None, user=None):
    """Fill `form` through the editor the browser uses; returns the saved form."""
    bound = editor(form, figures, funds, reasons)
    assert bound.is_valid(), bound.errors
    return bound.save(user)


def project_2025(name=PROJECT):
    return Project.objects.get(name=name, year=2025)


HAND = {
    "总成本": Decimal("10.00"),
    "每月消耗水量": Decimal("8.33"),
    "每月消耗电量": Decimal("0.00"),
    "市民中心水电有无故障": Decimal("9.50"),
    "确保市民中心水电正常运转": Decimal("10.00"),
    "市民中心服务水平": Decimal("9.60"),
    "供水供电设备完好率": Decimal("10.00"),
    "节能降耗宣传覆盖": Decimal("6.00"),
}


ADJUST_REASON = "夏季高温用水属合理增加"


def reviewed(users):
    """The form filled with the hand computation's figures and reasons, submitted, one score
    changed by the reviewer (每月消耗水量 8.33 → 9) and confirmed: total 73.10, 中."""
    from results.workflow import adjust_score

    fill(evaluation_form(), reasons=REASONS, user=users["filler"])
    form = evaluation_form()
    form.submit(users["filler"])
    water = form.rows.get(level3="每月消耗水量")
    adjust_score(form, users["reviewer"], water.pk, "9", ADJUST_REASON)
    form = evaluation_form()
    form.confirm(users["reviewer"], "同意")
    return evaluation_form()
