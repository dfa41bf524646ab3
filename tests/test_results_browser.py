"""Monitoring in a real browser: the 填报人 fills the seed's 一窗受理工作项目 for 2025 截至6月30日
with figures giving one red, one yellow and one green row; submitting refuses the red row
without a reason; the 审核人 finds the project red in the overview and confirms it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from results.models import FormStatus, Light, ResultForm

from .conftest import ROOT, login
from .results_helpers import PROJECT, approve_seed, monitoring_round
from .workflow_helpers import UNIT, member

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "x-pass-7391-monitor"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"monitoring-{name}.png"), full_page=True)


def row_label(position, level3, what):
    return f"第{position}行（{level3}）{what}"


def fill_row(page, position, level3, *, actual, likelihood, forecast=""):
    page.get_by_label(row_label(position, level3, "实际完成值"), exact=True).fill(actual)
    if forecast:
        page.get_by_label(row_label(position, level3, "全年预计完成值"), exact=True).fill(forecast)
    page.get_by_label(row_label(position, level3, "完成目标可能性"), exact=True).select_option(
        label=likelihood
    )


def give_reasons(page, position, level3, *, cause, reason, measure):
    row = page.locator(f"tr.result-row[data-row='{position}']")
    row.get_by_label(cause, exact=True).check()
    page.get_by_label(row_label(position, level3, "偏差原因说明"), exact=True).fill(reason)
    page.get_by_label(row_label(position, level3, "备注（改进措施）"), exact=True).fill(measure)


ROWS = [
    (1, "总成本", "100万元", "确定能", "260万元"),  # 黄
    (2, "服务窗口工作人员数量", "20人", "有可能", "30人"),  # 红
    (3, "优化政务服务环境", "窗口统一受理，环境持续优化", "确定能", ""),
    (4, "提高窗口人员服务质量", "开展培训2次", "确定能", ""),
    (5, "群众满意度", "97%", "确定能", "98%"),  # 绿
]


def assert_hand_computation(form):
    """By hand: 6/12 = 50 %; 100/266 = 37.59 % → /50 % = 75.2 % → 黄 (60–80 %);
    20/35 = 57.1 % of 100 % → 红 (< 60 %); 97/98 = 99.0 % → 绿; project: the worst → 红."""
    assert form.execution_rate == (Decimal(100) / Decimal(266)).quantize(Decimal("0.0001"))
    assert (form.funds_light, form.light, form.behind) == (Light.YELLOW, Light.RED, 2)
    rows = {row.level3: row for row in form.rows.all()}
    assert rows["总成本"].progress == Decimal("0.3759") and rows["总成本"].light == Light.YELLOW
    assert rows["服务窗口工作人员数量"].progress == Decimal("0.5714")
    assert rows["服务窗口工作人员数量"].light == Light.RED
    assert rows["群众满意度"].progress == Decimal("0.9898") and rows["群众满意度"].light == Light.GREEN


def review(page, form):
    """The reviewer finds the project red in the overview, confirms it and prints it."""
    page.get_by_role("button", name="退出").click()
    login(page, "shenhe", PASSWORD)
    page.get_by_role("link", name="监控与自评").click()
    expect(page.locator("table.round-table")).to_contain_text("2025年6月30日")
    shot(page, "rounds")
    page.get_by_role("link", name="2025年绩效运行监控（截至6月30日）").click()
    page.get_by_label("项目预警").select_option(label="红")
    page.get_by_role("button", name="查询").click()
    table = page.locator("table.result-table tbody")
    expect(table.locator("tr")).to_have_count(1)
    expect(table.locator("tr").first).to_contain_text(PROJECT)
    expect(table.locator("tr").first.locator("td").last).to_have_text("红")
    expect(page.locator("#form-count")).to_have_text("1")
    shot(page, "overview")

    page.get_by_role("link", name=PROJECT).click()
    page.get_by_label("审核意见（选填）").fill("已阅，请抓紧招聘。")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".messages")).to_contain_text("的监控表已确认")
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.CONFIRMED
    page.get_by_role("link", name="打印监控表").click()
    expect(page.locator(".sheet-title")).to_have_text("项目支出绩效目标执行监控表")
    expect(page.locator("article.sheet-monitoring")).to_contain_text("审核人：shenhe")
    shot(page, "print")
    page.goto(f"{page.base_url}/results/rules/")
    expect(page.locator("h1")).to_contain_text("进度与预警规则")
    shot(page, "rules")


def test_a_round_filled_in_the_browser_gives_the_lights_computed_by_hand(page, seed, django_user_model):
    users = {
        "filler": member(django_user_model, "tianbao", UNIT, "filler", password=PASSWORD),
        "reviewer": member(django_user_model, "shenhe", UNIT, "reviewer", password=PASSWORD),
    }
    approve_seed(users)
    round_ = monitoring_round()

    login(page, "tianbao", PASSWORD)
    page.get_by_role("link", name="监控与自评").click()
    page.get_by_role("link", name="2025年绩效运行监控（截至6月30日）").click()
    page.get_by_role("link", name=PROJECT).click()
    expect(page.locator("h1")).to_have_text("项目支出绩效目标执行监控表")

    page.get_by_label("截至6月执行数", exact=True).fill("100")
    page.get_by_label("全年预计执行数", exact=True).fill("260")
    page.get_by_label("偏差原因", exact=True).fill("部分资金下半年支付")
    page.get_by_label("截至6月执行情况", exact=True).fill("各窗口运行正常。")
    for position, level3, actual, likelihood, forecast in ROWS:
        fill_row(page, position, level3, actual=actual, likelihood=likelihood, forecast=forecast)
    give_reasons(page, 1, "总成本", cause="经费保障", reason="部分经费下半年拨付", measure="加快支付进度")
    page.get_by_role("button", name="保存并提交").click()

    # Saved, but the red row has no reason: refused, and the page says which row.
    expect(page.locator(".messages")).to_contain_text("已保存，但未能提交")
    expect(page.locator(".messages")).to_contain_text(
        "第2行（服务窗口工作人员数量）为红灯，请填写偏差原因分析和改进措施（备注）。"
    )
    expect(page.locator("#form-status")).to_have_text("草稿")
    lights = [page.locator(f"tr.result-row[data-row='{n}']").get_attribute("data-light") for n in range(1, 6)]
    assert lights == ["yellow", "red", "green", "green", "green"]
    expect(page.locator("#execution-rate")).to_have_text("37.6%／50.0%")
    expect(page.locator("#funds-light")).to_have_text("黄")
    shot(page, "form-refused")

    assert_hand_computation(ResultForm.objects.get(round=round_, project_name=PROJECT))

    give_reasons(
        page, 2, "服务窗口工作人员数量", cause="人员保障", reason="招聘未完成", measure="三季度完成招聘"
    )
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator(".messages")).to_contain_text("已保存并提交")
    expect(page.locator("#form-status")).to_have_text("已提交")
    shot(page, "form-submitted")

    review(page, ResultForm.objects.get(round=round_, project_name=PROJECT))


BEFOREUNLOAD_CANCELLED = """() => {
    const event = new Event("beforeunload", {cancelable: true});
    window.dispatchEvent(event);
    return event.defaultPrevented;
}"""


def test_leaving_a_form_with_typed_input_asks_first(page, seed, django_user_model):
    from . import evaluation_helpers

    users = {
        "filler": member(django_user_model, "tianbao", UNIT, "filler", password=PASSWORD),
        "reviewer": member(django_user_model, "shenhe", UNIT, "reviewer", password=PASSWORD),
    }
    evaluation_helpers.approve_for_evaluation(users)
    monitoring = ResultForm.objects.get(round=monitoring_round(), project_name=PROJECT)
    evaluation = ResultForm.objects.get(
        round=evaluation_helpers.evaluation_round(), project_name=evaluation_helpers.PROJECT
    )
    login(page, "tianbao", PASSWORD)
    typed = {
        monitoring: {"截至6月执行数": "100", "截至6月执行情况": "各窗口运行正常。"},
        evaluation: {"全年执行数（B）": "216", "实际完成情况": "全年水电保障正常。"},
    }
    for form, fields in typed.items():
        page.goto(f"{page.base_url}/results/forms/{form.pk}/")
        assert not page.evaluate(BEFOREUNLOAD_CANCELLED)  # nothing typed: leaves freely
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        assert page.evaluate(BEFOREUNLOAD_CANCELLED)  # closing or reloading the tab asks
        asked = []

        def answer(dialog, asked=asked):
            asked.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", answer)
        page.get_by_role("link", name="返回汇总").click()
        assert asked == ["本页有尚未保存的修改，离开后将丢失。确定离开吗？"]
        assert page.url.endswith(f"/results/forms/{form.pk}/")
        expect(page.get_by_label(next(iter(fields)), exact=True)).to_have_value(next(iter(fields.values())))
        # Saving leaves without asking, and the saved page asks nothing.
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("已保存")
        assert not page.evaluate(BEFOREUNLOAD_CANCELLED) and len(asked) == 1
        page.remove_listener("dialog", answer)
