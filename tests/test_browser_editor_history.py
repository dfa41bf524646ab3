"""The editor in chromium, and what the project's history then says: opening and closing a
searchable select changes nothing, a paste plus a move and a delete plus an add read as
what was done, 万元 stays on one line at 800 px, and every page has its icon."""

import pytest
from playwright.sync_api import expect

from indicators.models import Indicator
from projects.models import Project

from .conftest import login
from .editor_support import PASSWORD, make_user, unit
from .test_browser_editor import BEFOREUNLOAD_CANCELLED, paste, save
from .workflow_helpers import UNIT, clean_project

pytestmark = pytest.mark.browser

# Several bases written as documents write them: not in the form's order, or joined with ，
BASES = {"系统可用率": "行业标准、计划标准", "故障响应时间": "计划标准，历史标准"}


@pytest.fixture
def project(db):
    make_user("filler", unit(UNIT))
    project = clean_project()
    for row in Indicator.objects.filter(goal__project=project, level3__in=BASES):
        row.basis = BASES[row.level3]
        row.save()  # recorded in the history, as a save of the editor is
    return project


def annual_rows(page):
    return page.locator(".goal-section[data-term='annual'] .goal tbody.rows tr.row:not([hidden])")


def stored_bases(project):
    rows = Indicator.objects.filter(goal__project=project, goal__term="annual", level3__in=BASES)
    return dict(rows.values_list("level3", "basis"))


def history(page, project):
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    return page.locator("#history")


def test_opening_and_closing_the_bases_list_changes_nothing(page, project):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    rows = annual_rows(page)
    for n in (2, 3):  # 系统可用率, 故障响应时间
        rows.nth(n).locator("input.combo-basis").click()
        expect(page.locator("#combo-options")).to_be_visible()
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
    for n, basis in ((2, BASES["系统可用率"]), (3, BASES["故障响应时间"])):
        expect(rows.nth(n).locator("select.basis")).to_have_value(basis)
        expect(rows.nth(n).locator("input.combo-basis")).to_have_value(basis)
    # nothing to save: leaving asks nothing
    assert not page.evaluate(BEFOREUNLOAD_CANCELLED)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(".form-actions").get_by_role("link", name="取消").click()
    page.wait_for_url(f"{page.base_url}/projects/{project.pk}/")
    assert asked == []

    # ticked off and on again: the same bases, still as written; a changed choice is rewritten
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    rows.nth(2).locator("input.combo-basis").click()
    page.locator("#combo-options li", has_text="行业标准").click()
    page.locator("#combo-options li", has_text="行业标准").click()
    page.keyboard.press("Tab")
    expect(rows.nth(2).locator("select.basis")).to_have_value(BASES["系统可用率"])
    rows.nth(3).locator("input.combo-basis").click()
    page.locator("#combo-options li", has_text="行业标准").click()
    page.keyboard.press("Tab")
    expect(rows.nth(3).locator("select.basis")).to_have_value("计划标准、行业标准、历史标准")
    assert page.evaluate(BEFOREUNLOAD_CANCELLED)
    save(page)
    assert stored_bases(project) == {
        "系统可用率": "行业标准、计划标准",
        "故障响应时间": "计划标准、行业标准、历史标准",
    }


def test_a_paste_and_a_move_then_a_delete_and_an_add_read_as_what_was_done(page, project):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    rows = annual_rows(page)
    paste(rows.nth(1).locator("input.level3"), "产出指标\t数量指标\t插入的一行\t≥1个\t计划标准\n")
    expect(rows).to_have_count(7)
    rows.nth(6).locator("input.level3").focus()  # 用户满意度, up one place with Alt+↑
    page.keyboard.press("Alt+ArrowUp")
    expect(rows.nth(5).locator("input.level3")).to_have_value("用户满意度")
    save(page)
    annual = Project.objects.get(pk=project.pk).goals.get(term="annual")
    assert list(annual.indicators.values_list("level3", flat=True))[2:] == [
        "插入的一行",
        "系统可用率",
        "故障响应时间",
        "用户满意度",
        "政务服务覆盖率",
    ]
    latest = history(page, project).locator(".history-summary").first
    expect(latest).to_have_text("指标：新增1行、移动1行")

    # the last row deleted and a new one added in its place: 删除 and 新增, not one 修改
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    deleted = annual.indicators.get(level3="政务服务覆盖率").pk
    rows.nth(6).locator(".remove-row").click()
    page.locator(".goal-section[data-term='annual'] .goal .add-row").click()
    added = rows.last
    typed = (("combo-level1", "产出指标"), ("combo-level2", "数量指标"), ("combo-basis", "计划标准"))
    for cell, text in typed:
        added.locator(f"input.{cell}").fill(text)
        added.locator(f"input.{cell}").press("Tab")
    added.locator("input.level3").fill("A新增的行")
    added.locator("input.value-input").fill("≥2个")
    save(page)
    assert not Indicator.objects.filter(pk=deleted).exists()
    entry = history(page, project).locator(".history-entry").first
    expect(entry.locator(".history-summary")).to_have_text("指标：新增1行、删除1行")
    expect(entry).to_contain_text("第7行（政务服务覆盖率）")
    expect(entry).to_contain_text("第7行（A新增的行）")
    expect(entry).not_to_contain_text("修改")


def test_the_budget_unit_stays_on_one_line_at_800_px(page, project):
    login(page, "filler", PASSWORD)
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    unit_box = page.locator(".with-unit .unit").evaluate(
        """el => { const box = el.getBoundingClientRect();
                   return {height: box.height, width: box.width,
                           font: parseFloat(getComputedStyle(el).fontSize),
                           cell: el.closest('td').getBoundingClientRect().right, right: box.right}; }"""
    )
    assert unit_box["height"] < 2 * unit_box["font"], unit_box  # one line, not 万 over 元
    assert unit_box["width"] >= 2 * unit_box["font"] - 1 and unit_box["right"] <= unit_box["cell"], unit_box
    budget = page.get_by_label("项目预算", exact=True).bounding_box()
    assert budget["width"] > 60, budget


def test_every_page_has_its_icon(page, project, client):
    missing = []
    page.on("response", lambda response: response.status == 404 and missing.append(response.url))
    page.goto(f"{page.base_url}/accounts/login/")
    icon = page.locator("link[rel=icon]")
    expect(icon).to_have_count(1)
    href = page.base_url + icon.get_attribute("href")
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    page.goto(f"{page.base_url}/no-such-page/")
    expect(page.locator("link[rel=icon]")).to_have_count(1)
    assert missing == [f"{page.base_url}/no-such-page/"]
    # browsers that ask /favicon.ico itself (the admin's pages have no link) get it too
    answer = page.request.get(f"{page.base_url}/favicon.ico")
    assert answer.status == 200 and answer.body() == page.request.get(href).body()
