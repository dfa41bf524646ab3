"""一键修正 in chromium: a row moved to another 一级指标 also moves in the table, so the
printed sheet keeps one merged block per 一级指标."""

import pytest
from playwright.sync_api import expect

from projects.models import Goal, Project
from projects.services import replace_goals

from .conftest import login
from .editor_support import PASSWORD, ROW_KEYS, make_user, unit
from .test_editor_fixes import ANNUAL_GROUPED

pytestmark = pytest.mark.browser


def test_fix_all_moves_the_cost_row_out_of_the_output_block(page):
    home = unit("甲局")
    make_user("filler", home)
    project = Project.objects.create(year=2025, department=home, name="分组项目", budget=150)
    rows = [dict(zip(ROW_KEYS, row, strict=True)) for row in ANNUAL_GROUPED]
    replace_goals(
        project, [{"term": Goal.Term.ANNUAL, "name": "年度绩效目标1", "text": "说明", "indicators": rows}]
    )
    login(page, "filler", PASSWORD)
    sheet = page.locator(".sheet-annual td.c-level1")
    page.goto(f"{page.base_url}/projects/{project.pk}/sheet/")
    expect(sheet).to_have_text(["产出指标", "效益指标", "满意度指标"])  # 总成本 wedged in 产出指标

    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    page.get_by_role("button", name="全部一键修正并保存（1行）").click()
    expect(page.locator(".messages")).to_contain_text("年度绩效目标1的“总成本”移到“成本指标”")
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    annual = page.locator(".goal-section[data-term='annual'] tr.row:not([hidden])")
    expect(annual.first.locator("input.level3")).to_have_value("总成本")
    expect(annual.first.locator("select.level1")).to_have_value("成本指标")

    page.goto(f"{page.base_url}/projects/{project.pk}/sheet/")
    expect(sheet).to_have_text(["成本指标", "产出指标", "效益指标", "满意度指标"])
