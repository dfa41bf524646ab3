"""The self-evaluation in a real browser: the 填报人 fills the seed's 市民中心水电费 for 2025
with the figures of the hand computation; submitting is refused until the rows below
their weight have reasons; the 审核人 changes one score with a reason and confirms; the
printed form shows every row, the change and the total."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from results.models import FormStatus, ResultForm

from .conftest import login
from .evaluation_helpers import FIGURES, PROJECT, REASONS, approve_for_evaluation, evaluation_round
from .results_helpers import fill, form_of, monitoring_round
from .workflow_helpers import UNIT, member

pytestmark = pytest.mark.browser
SHOTS = "/work/shots/evaluation"
PASSWORD = "x-pass-7391-evaluate"
LEVELS = {"achieved": "达成", "partial": "部分达成", "missed": "未达成"}


def shot(page, name):
    from pathlib import Path

    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def label(position, level3, what):
    return f"第{position}行（{level3}）{what}"


def fill_rows(page):
    for position, (level3, given) in enumerate(FIGURES.items(), start=1):
        if "actual" in given:
            page.get_by_label(label(position, level3, "实际完成值"), exact=True).fill(given["actual"])
        else:
            page.get_by_label(label(position, level3, "完成程度"), exact=True).select_option(
                label=LEVELS[given["level"]]
            )
            page.get_by_label(label(position, level3, "得分"), exact=True).fill(given["points"])


def give_reasons(page):
    for position, level3 in enumerate(FIGURES, start=1):
        if level3 in REASONS:
            page.get_by_label(label(position, level3, "偏差原因分析及改进措施"), exact=True).fill(
                REASONS[level3]
            )


def test_a_self_evaluation_is_filled_refused_submitted_adjusted_and_confirmed(page, seed, django_user_model):
    users = {
        "filler": member(django_user_model, "tianbao", UNIT, "filler", password=PASSWORD),
        "reviewer": member(django_user_model, "shenhe", UNIT, "reviewer", password=PASSWORD),
    }
    approve_for_evaluation(users)
    # A monitoring round with one value: shown beside the row as context.
    monitoring = form_of(PROJECT, monitoring_round())
    fill(monitoring, figures={"每月消耗水量": {"actual": "1000吨", "likelihood": "certain"}}, funds={})
    round_ = evaluation_round()

    login(page, "tianbao", PASSWORD)
    page.get_by_role("link", name="监控与自评").click()
    page.get_by_role("link", name="2025年绩效自评（截至12月31日）").click()
    page.get_by_role("link", name=PROJECT).click()
    expect(page.locator("h1")).to_have_text("项目支出绩效自评表")

    page.get_by_label("全年预算数（A）", exact=True).fill("240")
    page.get_by_label("全年执行数（B）", exact=True).fill("216")
    page.get_by_label("当年财政拨款全年预算数（A）", exact=True).fill("200")
    page.get_by_label("当年财政拨款全年执行数（B）", exact=True).fill("180")
    page.get_by_label("上年结转资金全年预算数（A）", exact=True).fill("40")
    page.get_by_label("上年结转资金全年执行数（B）", exact=True).fill("36")
    page.get_by_label("实际完成情况", exact=True).fill("全年水电保障正常，部分指标未达成。")
    fill_rows(page)
    page.get_by_role("button", name="保存并提交").click()

    # Saved and scored, but six rows are below their weight without a reason: refused.
    expect(page.locator(".messages")).to_contain_text("已保存，但未能提交")
    expect(page.locator(".messages")).to_contain_text(
        "第2行（每月消耗水量）得分8.33分，低于分值10分，请填写偏差原因分析及改进措施。"
    )
    expect(page.locator("#form-status")).to_have_text("草稿")
    expect(page.locator("#form-total")).to_have_text("72.43")
    expect(page.locator("#form-grade")).to_have_text("中")
    expect(page.locator("#budget-score")).to_have_text("9")
    expect(page.locator("tr.result-row[data-row='2'] td.monitor")).to_contain_text("截至6月30日：1000吨")
    shot(page, "form-refused")

    give_reasons(page)
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator(".messages")).to_contain_text("已保存并提交")
    expect(page.locator("#form-status")).to_have_text("已提交")
    form = ResultForm.objects.get(round=round_, project_name=PROJECT)
    assert (form.status, form.total, form.grade) == (FormStatus.SUBMITTED, Decimal("72.43"), "中")

    review(page, round_, form)


def review(page, round_, form):
    """The reviewer finds the form in the overview, changes one score with a reason,
    confirms, and prints the form."""
    page.get_by_role("button", name="退出").click()
    login(page, "shenhe", PASSWORD)
    page.goto(f"{page.base_url}/results/rounds/{round_.pk}/")
    expect(page.locator("h1")).to_have_text("2025年度绩效自评汇总")
    expect(page.locator("table.result-table tbody tr", has_text=PROJECT)).to_contain_text("72.43")
    shot(page, "overview")
    page.get_by_role("link", name=PROJECT).click()
    page.get_by_label("调整得分的指标").select_option(label="第2行（每月消耗水量） 分值10 得分8.33")
    page.get_by_label("调整后得分").fill("9")
    page.get_by_label("调整理由（必填）").fill("夏季高温用水属合理增加")
    page.get_by_role("button", name="调整得分").click()
    expect(page.locator(".messages")).to_contain_text("得分由8.33分调整为9分：夏季高温用水属合理增加")
    expect(page.locator("#form-total")).to_have_text("73.1")
    expect(page.locator("#review-table tr[data-row='2']")).to_contain_text("（原8.33）")
    shot(page, "reviewer")
    page.get_by_label("审核意见（选填）").fill("同意")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".messages")).to_contain_text("的自评表已确认")
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.CONFIRMED

    page.get_by_role("link", name="打印自评表").click()
    sheet = page.locator("article.sheet-evaluation")
    expect(page.locator(".sheet-title")).to_have_text("项目支出绩效自评表")
    for level3 in FIGURES:
        expect(sheet).to_contain_text(level3)
    expect(sheet).to_contain_text("9（原8.33）")
    expect(sheet).to_contain_text("理由：夏季高温用水属合理增加")
    expect(sheet).to_contain_text("自评等级：中")
    expect(sheet.locator("td.c-total")).to_have_text("73.1")
    expect(sheet).to_contain_text("审核人：shenhe")
    shot(page, "print")
    page.goto(f"{page.base_url}/results/rules/#evaluation")
    expect(page.locator("#scoring-defaults")).to_contain_text("产出指标 50 分")
    shot(page, "rules")
