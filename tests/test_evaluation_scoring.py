"""The self-evaluation's scoring on a real seed project approved through the workflow,
against a computation written out by hand (every branch of results/scoring.py)."""

from decimal import Decimal

import pytest

from projects.workflow import TransitionNotAllowed, TransitionRefused
from results import scoring
from results.models import FormStatus, Kind, ResultForm, ResultRow
from results.scoring import Achievement
from results.workflow import adjust_score

from .evaluation_helpers import (
    FIGURES,
    FUNDS,
    HAND,
    REASONS,
    approve_for_evaluation,
    editor,
    evaluation_form,
    evaluation_round,
    fill,
)
from .workflow_helpers import people


@pytest.fixture
def users(seed, django_user_model):
    users = people(django_user_model)
    approve_for_evaluation(users)
    return users


def test_default_weights_follow_the_national_split():
    def rows(*level1s):
        return [ResultRow(level1=level1, level2="") for level1 in level1s]

    # 成本 rows share 产出's 50: 5 rows of 10; 效益 30 over 2; 满意度 10.
    weights = scoring.default_weights(
        rows("成本指标", "产出指标", "产出指标", "产出指标", "产出指标", "效益指标", "效益指标", "满意度指标")
    )
    assert weights == [Decimal(10)] * 5 + [Decimal(15)] * 2 + [Decimal(10)]
    weights = scoring.default_weights(rows("产出指标", "产出指标", "产出指标", "效益指标", "满意度指标"))
    assert weights == [Decimal("16.67"), Decimal("16.67"), Decimal("16.66"), Decimal(30), Decimal(10)]
    assert sum(weights) == 90
    # No 满意度 row: its 10 points go to the others in proportion (50:30 of 90).
    weights = scoring.default_weights(rows("产出指标", "效益指标"))
    assert weights == [Decimal("56.25"), Decimal("33.75")]


def test_grades_and_budget_score_bounds():
    assert [scoring.grade_of(Decimal(v)) for v in ("90", "89.99", "80", "60", "59.99")] == [
        "优",
        "良",
        "良",
        "中",
        "差",
    ]
    assert scoring.budget_score(Decimal(100), Decimal(120)) == Decimal("10.00")  # capped
    assert scoring.budget_score(Decimal(240), Decimal(216)) == Decimal("9.00")
    assert scoring.band_error(Achievement.PARTIAL, Decimal(12), Decimal(15)) is not None  # 80 % is 达成
    assert scoring.band_error(Achievement.ACHIEVED, Decimal(12), Decimal(15)) is None


def test_a_seed_project_is_scored_as_computed_by_hand(users):
    report_round = evaluation_round()
    assert report_round.kind == Kind.EVALUATION and report_round.cutoff.isoformat() == "2025-12-31"
    form = evaluation_form()
    rows = list(form.rows.all())
    assert [row.level3 for row in rows] == list(FIGURES)
    # Default weights: 产出 (with 成本) 50 over 5 rows, 效益 30 over 2, 满意度 10.
    assert [row.weight for row in rows] == [10, 10, 10, 10, 15, 10, 10, 15]

    # A unit that is not the target's is an error; so are weights that do not add up to 90
    # and points outside the chosen level's band.
    wrong = editor(form, {**FIGURES, "每月消耗水量": {"actual": "2100度"}})
    assert not wrong.is_valid()
    assert "计量单位“度”与年度指标值“≤1800吨”的单位“吨”不一致" in wrong.errors[0][1]
    wrong = editor(evaluation_form(), {**FIGURES, "总成本": {"actual": "230万元", "weight": "12"}})
    assert not wrong.is_valid()
    assert wrong.messages == ["各指标分值合计应为90分，现为92分，请调整后再保存。"]
    wrong = editor(
        evaluation_form(), {**FIGURES, "确保市民中心水电正常运转": {"level": "partial", "points": "13"}}
    )
    assert not wrong.is_valid()
    assert "“部分达成”的得分应不低于9分、低于12分" in wrong.messages[0]

    fill(evaluation_form(), user=users["filler"])
    form = evaluation_form()
    scores = {row.level3: row.score for row in form.rows.all()}
    assert scores == HAND
    # By hand: 10 + 8.33 + 0 + 9.5 + 10 + 9.6 + 10 + 6 = 63.43 for the indicators;
    # 216 / 240 = 90 % executed → 9 points; total 72.43 → 中.
    assert sum(HAND.values()) == Decimal("63.43")
    assert form.execution_rate == Decimal("0.9000")
    assert form.budget_score == Decimal("9.00")
    assert form.total == Decimal("72.43")
    assert form.grade == "中"
    assert form.behind == 6

    # Submitting without the reasons of the six rows below their weight is refused.
    with pytest.raises(TransitionRefused) as refused:
        form.submit(users["filler"])
    assert len(refused.value.findings) == 6
    assert refused.value.findings[0] == (
        "第2行（每月消耗水量）得分8.33分，低于分值10分，请填写偏差原因分析及改进措施。"
    )
    # The sources of funds must add up to the 年度资金总额.
    fill(evaluation_form(), funds={**FUNDS, "carryover_executed": "30"})
    assert evaluation_form().parts_problems() == [
        "资金来源（当年财政拨款、上年结转资金、其他资金）的全年执行数（B）合计210万元，"
        "与年度资金总额的全年执行数（B）216万元不一致。"
    ]
    # An actual of 130 % of its target needs an explanation too (124 % of ≥95% is 130.5 %).
    fill(evaluation_form(), {**FIGURES, "供水供电设备完好率": {"actual": "124%"}}, reasons=REASONS)
    form = evaluation_form()
    assert form.problems() == [
        "第7行（供水供电设备完好率）实际完成值“124%”达到年度指标值的130%以上，"
        "请在偏差原因分析及改进措施中说明（指标值是否设定偏低）。"
    ]
    fill(evaluation_form(), reasons=REASONS, user=users["filler"])
    form = evaluation_form()
    form.submit(users["filler"])
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.SUBMITTED
    review_with_one_change(form, users)


def review_with_one_change(form, users):
    """The reviewer (复核) changes one score, only with a reason and within the weight."""
    reviewer = users["reviewer"]
    water = form.rows.get(level3="每月消耗水量")
    with pytest.raises(TransitionRefused, match="请填写调整理由"):
        adjust_score(form, reviewer, water.pk, "9", " ")
    with pytest.raises(TransitionRefused, match="应在0至10分"):
        adjust_score(form, reviewer, water.pk, "11", "超出")
    with pytest.raises(TransitionNotAllowed):
        adjust_score(form, users["filler"], water.pk, "9", "填报人不能调整")
    step = adjust_score(form, reviewer, water.pk, "9", "夏季高温用水属合理增加")
    assert step.comment == "第2行（每月消耗水量）得分由8.33分调整为9分：夏季高温用水属合理增加"
    form = evaluation_form()
    water = form.rows.get(level3="每月消耗水量")
    assert (water.score, water.adjusted, water.adjusted_by) == (Decimal("8.33"), Decimal("9.00"), reviewer)
    # 72.43 − 8.33 + 9 = 73.10, still 中.
    assert (form.total, form.grade) == (Decimal("73.10"), "中")
    form.confirm(reviewer, "同意")
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.CONFIRMED


def test_the_rules_page_shows_the_scoring_defaults(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader"))
    page = client.get("/results/rules/").content.decode()
    for text in (
        "绩效自评：评分规则",
        "产出指标 50 分、效益指标 30 分、满意度指标 10 分",
        "达成 80%–100%；部分达成 60%–80%；未达成 0%–60%",
        "<strong>优</strong> ≥ 90 分；<strong>良</strong> ≥ 80 分；",
        "<strong>中</strong> ≥ 60 分；<strong>差</strong> &lt; 60 分",
        "执行率（全年执行数 ÷ 全年预算数）× 10，最高 10 分",
        "实际完成值达到指标值 130% 以上",
    ):
        assert text in page, text
