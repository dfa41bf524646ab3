"""In a real browser: an 实际完成值 or 执行数 whose progress or execution rate the form cannot
hold is refused on 保存 with the row and field, nothing is stored, and the form still opens
(it answered 500 from then on, on every page that shows it)."""

import pytest
from playwright.sync_api import expect

from results.models import Kind, ResultForm, ResultRow

from .conftest import login
from .results_helpers import PROJECT, approve_seed, monitoring_round
from .workflow_helpers import UNIT, member

pytestmark = pytest.mark.browser
PASSWORD = "x-pass-5518-figures"
STAFF = "服务窗口工作人员数量"


def test_a_figure_too_large_is_refused_on_save_and_the_form_still_opens(page, seed, django_user_model):
    users = {
        "filler": member(django_user_model, "tianbao", UNIT, "filler", password=PASSWORD),
        "reviewer": member(django_user_model, "shenhe", UNIT, "reviewer", password=PASSWORD),
    }
    approve_seed(users)
    monitoring_round()
    form = ResultForm.objects.get(round__kind=Kind.MONITORING, project_name=PROJECT)
    before = list(ResultRow.objects.filter(form=form).values())

    login(page, "tianbao", PASSWORD)
    url = f"{page.base_url}/results/forms/{form.pk}/"
    page.goto(url)
    page.get_by_label("全年预算数", exact=True).fill("0.0001")
    page.get_by_label("截至6月执行数", exact=True).fill("100000")
    page.get_by_label(f"第2行（{STAFF}）实际完成值", exact=True).fill("1000000000000000人")
    page.get_by_role("button", name="保存", exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("未保存。")
    expect(summary).to_contain_text(f"第2行（{STAFF}）截至6月实际完成值：与年度指标值“等于35人”相差过大")
    expect(summary).to_contain_text("截至6月执行数：与全年预算数0.0001万元相差过大")
    fresh = ResultForm.objects.get(pk=form.pk)
    assert (fresh.budget_full, fresh.executed, fresh.version) == (form.budget_full, None, form.version)
    assert list(ResultRow.objects.filter(form=form).values()) == before

    page.goto(url)
    expect(page.locator("h1")).to_have_text("项目支出绩效目标执行监控表")
