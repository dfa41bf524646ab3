"""The editor in a real browser: what Excel puts on the clipboard, the searchable 二级指标
select, 常用指标 (the defects of the audit of the editor's paste and combo boxes)."""

import pytest
from playwright.sync_api import expect

from indicators.models import CommonIndicator
from projects.models import Project

from .conftest import login
from .editor_support import PASSWORD, make_user, unit
from .test_browser_editor import goal, paste, save

pytestmark = pytest.mark.browser


@pytest.fixture
def filler(db):
    return make_user("filler", unit("甲局"))


def new_project(page, name):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill(name)
    page.get_by_label("项目预算", exact=True).fill("110")


CELLS = ("select.level1", "select.level2", "input.level3", "input.value-input", "select.basis")


def cells(row):
    return [row.locator(selector).input_value() for selector in CELLS]


def test_excel_cells_with_a_line_break_paste_as_one_cell(page, filler):
    new_project(page, "云主机")
    annual = goal(page, "annual")
    # Excel: a cell holding a line break is quoted, its quotes doubled; the clipboard ends with a line break
    paste(
        annual.locator(".paste-box"),
        '产出指标\t数量指标\t"新增云主机\n数量"\t≥200台\t计划标准\n'
        '产出指标\t质量指标\t"验收""合格""率"\t=100%\t"行业标准、\n计划标准"\n'
        '效益指标\t社会效益指标\t"放管服"改革成效\t明显提升\t"行业标准\n历史标准"\n',
    )
    rows = annual.locator("tbody tr.row")
    assert annual.locator(".paste-status").inner_text() == "已粘贴3行指标。"
    assert rows.count() == 3
    assert cells(rows.nth(0)) == ["产出指标", "数量指标", "新增云主机数量", "≥200台", "计划标准"]
    assert cells(rows.nth(1)) == ["产出指标", "质量指标", '验收"合格"率', "=100%", "行业标准、计划标准"]
    third = ["效益指标", "社会效益指标", '"放管服"改革成效', "明显提升", "行业标准、历史标准"]
    assert cells(rows.nth(2)) == third
    # one multi-line Excel cell pasted into a cell: its text, not a row nor the quotes
    level3 = rows.nth(2).locator("input.level3")
    level3.fill("")
    paste(level3, '"社会\n满意度"\n')
    assert level3.input_value() == "社会满意度" and rows.count() == 3
    save(page)
    stored = Project.objects.get(name="云主机").goals.get().indicators.order_by("position")
    assert [(i.level3, i.basis) for i in stored] == [
        ("新增云主机数量", "计划标准"),
        ('验收"合格"率', "行业标准、计划标准"),
        ("社会满意度", "行业标准、历史标准"),
    ]


def test_a_typed_level2_fragment_takes_the_rows_own_option(page, filler):
    new_project(page, "二级指标片段")
    annual = goal(page, "annual")
    annual.locator(".add-row").click()  # focus in the new row's 一级指标
    rows = annual.locator("tbody tr.row:not([hidden])")

    def type_row(level1, fragment, key):
        page.keyboard.type(level1)
        page.keyboard.press("Tab")
        page.keyboard.type(fragment)
        # the own option is the one highlighted, although 社会成本指标（成本指标） matches too
        expect(page.locator("#combo-options li.active")).to_have_text(
            "社会效益指标" if fragment == "社会" else "经济成本指标"
        )
        page.keyboard.press(key)

    type_row("效益指标", "社会", "Enter")
    page.keyboard.type("政务服务效率")
    annual.locator(".add-row").click()
    type_row("成本指标", "经济", "Tab")
    page.keyboard.type("运维总成本")
    assert [cells(rows.nth(i))[:2] for i in range(2)] == [
        ["效益指标", "社会效益指标"],
        ["成本指标", "经济成本指标"],
    ]
    # a fragment that names nothing is not kept as a 二级指标: the box shows the value it had
    combo = rows.nth(0).locator("input.combo-level2")
    combo.fill("随便写")
    combo.press("Tab")
    expect(combo).to_have_value("社会效益指标")
    assert rows.nth(0).locator("select.level2").input_value() == "社会效益指标"
    combo.fill("随便写")
    combo.press("Enter")
    expect(combo).to_have_value("社会效益指标")
    for i, value in enumerate(("有效提升", "≤120万元")):
        rows.nth(i).locator("input.value-input").fill(value)
        rows.nth(i).locator("input.combo-basis").fill("其他标准")
    save(page)
    stored = Project.objects.get(name="二级指标片段").goals.get().indicators.order_by("position")
    assert [(i.level1, i.level2) for i in stored] == [
        ("效益指标", "社会效益指标"),
        ("成本指标", "经济成本指标"),
    ]


def test_common_indicators_on_an_empty_goal_show_their_level1(page, filler):
    CommonIndicator.objects.create(
        level1="满意度指标", level2="服务对象满意度指标", level3="服务对象满意度", value="≥90%"
    )
    new_project(page, "常用指标")
    annual = goal(page, "annual")
    annual.get_by_role("button", name="常用指标").click()  # no row yet: the editor adds one
    row = annual.locator("tbody tr.row:not([hidden])")
    expect(row).to_have_count(1)
    expect(row.locator("input.value-input")).to_be_focused()  # the new row's 一级指标 box lost the focus
    expect(row.locator("input.combo-level1")).to_have_value("满意度指标")
    expect(row.locator("input.combo-level2")).to_have_value("服务对象满意度指标")
    assert cells(row)[:3] == ["满意度指标", "服务对象满意度指标", "服务对象满意度"]


def test_a_stored_two_line_name_survives_a_save_that_did_not_touch_it(page, filler):
    """A 三级指标 read from a Word cell of two lines is shown in a one-line box (the browser
    drops its line break): saving the project for another change keeps it as stored."""
    from indicators.models import Indicator
    from projects.models import Goal

    project = Project.objects.create(
        name="两行名称", year=2025, department=filler.memberships.first().department, budget=5
    )
    annual = Goal.objects.create(project=project, term=Goal.Term.ANNUAL, position=1, name="年度绩效目标1")
    row = Indicator.build(
        goal=annual,
        position=1,
        level1="产出指标",
        level2="数量指标",
        level3="新增云主机\n数量",
        value="≥200台",
        basis="计划标准",
    )
    row.save()
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    expect(page.locator("input.level3").first).to_have_value("新增云主机数量")
    page.get_by_label("项目预算", exact=True).fill("6")
    save(page)
    row.refresh_from_db()
    assert row.level3 == "新增云主机\n数量"
    assert Project.objects.get(pk=project.pk).budget == 6
