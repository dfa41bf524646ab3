"""Progress and lights of the monitoring form, against computations written out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from results.models import Basis, Light, ResultForm, ResultRow, Round, thresholds, time_share
from results.services import evaluate_round

from .results_helpers import FUNDS, REASONS, approve_seed, fill, form_of, monitoring_round
from .workflow_helpers import people


@pytest.fixture
def round_(seed, django_user_model):
    users = people(django_user_model)
    approve_seed(users)
    return monitoring_round()


def by_level3(form):
    return {row.level3: row for row in form.rows.all()}


def test_the_example_gives_one_red_one_yellow_one_green_row_as_computed_by_hand(round_):
    fill(form_of(round_=round_))
    form = form_of(round_=round_)
    rows = by_level3(form)

    # 截至6月30日: six months of twelve.
    share = Decimal(6) / Decimal(12)
    assert share == Decimal("0.5")
    # 总成本 ≤266万元 is spending against its ceiling, judged against the time share:
    # 100/266 = 0.37594, / 0.5 = 0.7519: below 80 %, not below 60 % → 黄.
    cost = rows["总成本"]
    assert cost.basis == Basis.SPENDING
    assert (cost.progress, cost.expected) == (Decimal("0.3759"), Decimal("0.5000"))
    assert Decimal(100) / Decimal(266) / share < Decimal("0.8")
    assert Decimal(100) / Decimal(266) / share >= Decimal("0.6")
    assert cost.light == Light.YELLOW
    # 服务窗口工作人员数量 等于35人 is a level (expected 100 % of the target at any time):
    # 20/35 = 0.5714 < 0.6 → 红.
    staff = rows["服务窗口工作人员数量"]
    assert staff.basis == Basis.LEVEL
    assert (staff.progress, staff.expected) == (Decimal("0.5714"), Decimal("1.0000"))
    assert staff.light == Light.RED
    # 群众满意度 ≥98%: 97/98 = 0.9898 ≥ 0.8 → 绿.
    satisfaction = rows["群众满意度"]
    assert (satisfaction.progress, satisfaction.light) == (Decimal("0.9898"), Light.GREEN)
    # Qualitative rows take the light of 完成目标可能性 (确定能 → 绿).
    assert rows["优化政务服务环境"].basis == Basis.QUALITATIVE
    assert rows["优化政务服务环境"].light == Light.GREEN
    assert not any(row.ahead for row in rows.values())

    # Funds: 100 of 266 万元 executed = 37.59 %, against 50 % → 0.7519 → 黄.
    assert form.execution_rate == Decimal("0.3759")
    assert form.funds_light == Light.YELLOW
    # The project takes the worst light; two rows are behind (黄 and 红).
    assert form.light == Light.RED
    assert (form.behind, form.ahead) == (2, 0)


def test_the_time_share_counts_months():
    assert time_share(date(2025, 6, 30)) == Decimal("0.5")
    assert time_share(date(2025, 12, 31)) == Decimal(1)
    assert time_share(date(2025, 7, 31)) == Decimal(7) / Decimal(12)
    assert time_share(date(2025, 6, 15)) == (Decimal(5) + Decimal(15) / Decimal(30)) / Decimal(12)
    assert Round(cutoff=date(2025, 6, 30)).period == "截至6月"
    assert Round(cutoff=date(2025, 6, 15)).period == "截至6月15日"


def row(target, level1="产出指标", level2="数量指标", **values):
    from indicators.values import parse_value

    parsed = parse_value(target)
    return ResultRow(
        position=1,
        level1=level1,
        level2=level2,
        level3="指标",
        target=target,
        comparator=parsed.comparator or "",
        number=parsed.number,
        unit=parsed.unit,
        **values,
    )


def evaluated(target, actual, share="0.5", **fields):
    result = row(target, actual=actual, **fields)
    result.evaluate(Decimal(share), thresholds())
    return result


@pytest.mark.parametrize(
    ("target", "actual", "basis", "light", "ahead"),
    [
        # cumulative output (数量, ≥): against the time share
        ("≥12次", "6次", Basis.CUMULATIVE, Light.GREEN, False),  # 0.5 / 0.5 = 1
        ("≥12次", "4次", Basis.CUMULATIVE, Light.YELLOW, False),  # 0.333 / 0.5 = 0.667
        ("≥12次", "3次", Basis.CUMULATIVE, Light.RED, False),  # 0.25 / 0.5 = 0.5
        ("≥12次", "8次", Basis.CUMULATIVE, Light.GREEN, True),  # 0.667 / 0.5 = 1.33: 超前
        # spending against a ceiling: behind the time share, or beyond the ceiling
        ("≤100万元", "50万元", Basis.SPENDING, Light.GREEN, False),
        ("≤100万元", "1200000元", Basis.SPENDING, Light.RED, False),  # 120万元 > 100万元
        ("≤100万元", "0.0035亿元", Basis.SPENDING, Light.YELLOW, False),  # 35万元: 0.35 / 0.5 = 0.7
        # a non-money ceiling holds or not
        ("≤2小时", "1.5小时", Basis.CEILING, Light.GREEN, False),
        ("≤2小时", "3小时", Basis.CEILING, Light.RED, False),
        ("＜5%", "5%", Basis.CEILING, Light.RED, False),
        # levels: rates and ＝ targets against the whole target
        ("≥98%", "97", Basis.LEVEL, Light.GREEN, False),  # unit omitted: the target's
        ("≥90%", "70%", Basis.LEVEL, Light.YELLOW, False),  # 0.778
        ("等于35人", "35人", Basis.LEVEL, Light.GREEN, False),
    ],
)
def test_each_kind_of_row(target, actual, basis, light, ahead):
    result = evaluated(target, actual)
    assert (result.basis, result.light, result.ahead) == (basis, light, ahead)


def test_money_converts_and_other_units_must_match():
    cost = row("≤266万元", level1="成本指标", level2="经济成本指标")
    assert cost.measure("1000000元") == Decimal(100)
    assert cost.measure("100") == Decimal(100)
    staff = row("等于35人")
    assert staff.value_error("20人") is None
    assert "单位“个”与年度指标值“等于35人”的单位“人”不一致" in staff.value_error("20个")
    assert "应为数值" in staff.value_error("基本到位")
    assert row("确保优化").value_error("基本到位") is None  # qualitative: any text


def test_qualitative_rows_take_the_light_of_the_likelihood():
    for likelihood, light in (
        ("certain", Light.GREEN),
        ("possible", Light.YELLOW),
        ("impossible", Light.RED),
    ):
        assert evaluated("确保优化", "推进中", likelihood=likelihood).light == light
    assert evaluated("确保优化", "推进中").light == Light.NONE


def test_impossible_is_red_whatever_the_figures():
    assert evaluated("≥98%", "99%", likelihood="impossible").light == Light.RED


def test_the_thresholds_are_settings(settings):
    assert evaluated("≥90%", "70%").light == Light.YELLOW  # 0.778
    settings.PERFGOALS_LIGHT_RED_BELOW = "0.8"
    settings.PERFGOALS_LIGHT_YELLOW_BELOW = "0.9"
    assert evaluated("≥90%", "70%").light == Light.RED
    assert evaluated("≥90%", "75%").light == Light.YELLOW  # 0.833


def test_a_red_or_yellow_row_needs_reasons_and_measures_before_submitting(round_):
    fill(form_of(round_=round_))
    problems = form_of(round_=round_).problems()
    assert problems == [
        "预算执行进度落后（黄灯），请填写资金执行的偏差原因。",
        "第1行（总成本）为黄灯，请填写偏差原因分析和改进措施（备注）。",
        "第2行（服务窗口工作人员数量）为红灯，请填写偏差原因分析和改进措施（备注）。",
    ]
    fill(form_of(round_=round_), reasons=REASONS, funds={**FUNDS, "funds_reason": "部分资金下半年支付"})
    assert form_of(round_=round_).problems() == []


def test_the_rules_page_shows_the_thresholds(client, django_user_model, settings):
    settings.PERFGOALS_LIGHT_YELLOW_BELOW = "0.85"
    client.force_login(django_user_model.objects.create_user("someone"))
    page = client.get("/results/rules/").content.decode()
    assert "低于 85%、不低于 60%" in page and "达到或超过 120%" in page
    assert "6/12 = 50%" in page


def stored_lights(round_):
    forms = ResultForm.objects.filter(round=round_).order_by("pk")
    rows = ResultRow.objects.filter(form__round=round_).order_by("pk")
    return (
        list(forms.values_list("pk", *ResultForm.COMPUTED)),
        list(rows.values_list("pk", *ResultRow.COMPUTED)),
    )


def test_the_whole_round_computes_what_each_save_computed(round_):
    for name in ("一窗受理工作项目", "政府雇员经费", "12345热线购买服务项目"):
        if ResultForm.objects.filter(round=round_, project_name=name).exists():
            fill(form_of(name, round_=round_), reasons=REASONS)
    saved = stored_lights(round_)
    ResultForm.objects.filter(round=round_).update(light=Light.NONE, execution_rate=None, behind=0)
    ResultRow.objects.filter(form__round=round_).update(light=Light.NONE, progress=None, expected=None)
    assert stored_lights(round_) != saved
    assert evaluate_round(round_) == ResultForm.objects.filter(round=round_).count()
    assert stored_lights(round_) == saved


def test_new_thresholds_take_effect_when_the_round_is_opened_again(round_, settings):
    fill(form_of(round_=round_))
    assert form_of(round_=round_).rows.get(level3="总成本").light == Light.YELLOW  # 0.7519
    settings.PERFGOALS_LIGHT_RED_BELOW = "0.76"
    monitoring_round()
    form = form_of(round_=round_)
    assert form.rows.get(level3="总成本").light == Light.RED
    assert form.funds_light == Light.RED and form.light == Light.RED
