"""The indicator library in the editor, in a real browser: suggestions in 三级指标 and the
常用指标 button (static/js/suggest.js)."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from indicators.models import CommonIndicator

from .conftest import ROOT, login
from .editor_support import PASSWORD, make_user, unit
from .library_support import approve_seed

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
SATISFACTION = "服务对象满意度指标"


@pytest.fixture
def library_world(transactional_db):
    approve_seed()
    call_command("generate_demo", projects=60, units=4, seed=5, stdout=StringIO())
    CommonIndicator.objects.create(
        level1="满意度指标",
        level2=SATISFACTION,
        level3="服务对象满意度",
        value="≥90%",
        note="面向服务对象的项目",
    )
    CommonIndicator.objects.create(
        level1="成本指标", level2="经济成本指标", level3="项目或定额成本控制率", value="＝100%"
    )
    CommonIndicator.objects.create(
        level1="产出指标",
        level2="质量指标",
        level3="一次性验收合格率",
        value="＝100%",
        project_type="one_off",
    )
    return make_user("newcomer", unit("鄂州市新设局"))


def annual(page):
    return page.locator(".goal-section[data-term='annual'] .goal:not([hidden])").first


def rows(block):
    return block.locator("tbody.rows > tr.row:not([hidden])")


def satisfaction_cell(page):
    """A new project's first annual row set to 满意度指标 › 服务对象满意度指标: its 三级指标 box."""
    block = annual(page)
    block.locator(".add-row").click()
    row = rows(block).first
    row.locator("select.level1").select_option("满意度指标")
    row.locator("select.level2").select_option(SATISFACTION)
    level3 = row.locator("input.level3")
    level3.click()
    return row, level3


def test_a_new_user_typing_in_a_satisfaction_row_is_offered_the_librarys_names(page, library_world):
    login(page, "newcomer", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    row, level3 = satisfaction_cell(page)
    level3.press_sequentially("满意")
    options = page.locator("#library-suggestions [role=option]")
    expect(options.first).to_contain_text("群众满意度")
    expect(options.first).to_contain_text("常用单位 %")
    names = [text.split("\n")[0] for text in options.all_inner_texts()]
    assert names[:2] == ["群众满意度", "服务对象满意度"]
    assert "服务评价满意度测评" not in names  # a 质量指标 name: not offered in a 满意度 row
    expect(level3).to_have_attribute("aria-expanded", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "library-suggestions.png"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(level3).to_have_value("群众满意度")
    value = row.locator("input.value-input")
    # The usual unit is a hint, never a value.
    expect(value).to_have_attribute("placeholder", "≥＿＿%")
    expect(value).to_have_value("")
    expect(value).to_be_focused()
    expect(page.locator("#library-suggestions")).to_be_hidden()


def test_a_late_answer_keeps_the_name_chosen_with_the_arrow_keys(page, library_world):
    """The answer for "满意" is held back until the user has moved to a name of the list drawn
    for "满": when it arrives and redraws the list, Enter still picks that name."""
    held = []

    def hold_the_longer_query(route):
        if "q=%E6%BB%A1%E6%84%8F" in route.request.url:  # q=满意
            held.append(route)
        else:
            route.continue_()

    login(page, "newcomer", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.route("**/library/suggest/*", hold_the_longer_query)
    _, level3 = satisfaction_cell(page)
    level3.press_sequentially("满")
    options = page.locator("#library-suggestions [role=option]")
    expect(options.first).to_contain_text("群众满意度")
    level3.press_sequentially("意")
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    drawn = options.first.element_handle()
    for _ in range(100):  # the request leaves 150 ms after the last key
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the request for 满意 was not made"
    held.pop().continue_()
    page.wait_for_function("node => !node.isConnected", arg=drawn)  # the list was redrawn
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(level3).to_have_value("群众满意度")


def test_the_common_indicators_button_adds_what_the_table_lacks(page, library_world):
    login(page, "newcomer", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("常年性项目").check()
    block = annual(page)
    block.locator(".add-row").click()
    first = rows(block).first
    first.locator("select.level1").select_option("满意度指标")
    first.locator("select.level2").select_option(SATISFACTION)
    first.locator("input.level3").fill("服务对象满意度")
    first.locator("input.value-input").fill("≥95%")
    block.locator(".add-row").click()  # an empty row: used first
    block.get_by_role("button", name="常用指标").click()
    expect(block.locator(".common-status")).to_contain_text("已加入1项共性指标：项目或定额成本控制率")
    assert rows(block).count() == 2
    added = rows(block).nth(1)
    expect(added.locator("select.level1")).to_have_value("成本指标")
    expect(added.locator("select.level2")).to_have_value("经济成本指标")
    expect(added.locator("input.level3")).to_have_value("项目或定额成本控制率")
    expect(added.locator("input.value-input")).to_have_value("")
    expect(added.locator("input.value-input")).to_have_attribute("placeholder", "＝100%")
    expect(first.locator("input.value-input")).to_have_value("≥95%")  # untouched
    page.screenshot(path=str(ARTIFACTS / "library-common.png"))
    block.get_by_role("button", name="常用指标").click()
    expect(block.locator(".common-status")).to_have_text("指标表已包含全部共性指标。")
    # A one-off project also lacks the one-off common indicator.
    page.get_by_label("一次性项目").check()
    block.get_by_role("button", name="常用指标").click()
    expect(block.locator(".common-status")).to_contain_text("一次性验收合格率")
    assert rows(block).count() == 3
