"""The editor in a real browser: typing a seed project, pasting, conflicts, errors."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from indicators import framework
from indicators.values import normalize_number
from projects.documents.data import project_to_dict
from projects.models import Project

from .conftest import ROOT, login
from .editor_support import PASSWORD, make_user, seed_sheet, unit

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


def save(page):
    """Press 保存 and wait for the saved page: the project page, or the editor again
    when the review checks have something to say next to the rows."""
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存项目")


GOAL_TEXT = (
    "为更好的建设市民中心大厅窗口和全市数据工作、政务服务工作的组织协调、业务指导及督办检查，"
    "确保市政务服务大厅设施设备安全和正常运转。"
)
# 市政务服务大厅运维费 as a finance officer reads it off the sheet (the standard
# level-2 name is chosen where the document writes the short 服务对象).
ROWS = [
    ("成本指标", "经济成本指标", "总成本", "≤110万元", "其他标准"),
    ("产出指标", "数量指标", "市民中心设施设备维修次数", "≤12次", "其他标准"),
    ("产出指标", "质量指标", "政务服务工作办结", "等于100%", "其他标准"),
    ("产出指标", "质量指标", "大厅运行正常率", "等于100%", "其他标准"),
    ("满意度指标", "服务对象满意度指标", "市民满意度", "≥95%", "其他标准"),
]


@pytest.fixture
def filler(db):
    return make_user("filler", unit("甲局"))


def canonical(project):
    data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
    for key in ("id", "department"):
        data.pop(key)
    return data


def goal(page, term, number=1):
    return page.locator(f".goal-section[data-term='{term}'] .goal:not([hidden])").nth(number - 1)


def type_rows(page, block, rows):
    """Type rows into a goal's grid with the keyboard only: Enter adds a row."""
    block.locator(".add-row").focus()
    page.keyboard.press("Enter")  # the focusable 添加指标 button; focus goes to the new row
    for n, (level1, level2, level3, value, basis) in enumerate(rows):
        focused = page.locator(":focus")
        assert focused.get_attribute("id").endswith("-level1-combo")  # the searchable select
        page.keyboard.type(level1)
        page.keyboard.press("Tab")
        page.keyboard.type(level2)
        page.keyboard.press("Tab")
        page.keyboard.type(level3)
        page.keyboard.press("Tab")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
        page.keyboard.type(basis)
        if n < len(rows) - 1:
            page.keyboard.press("Enter")  # Enter on the last cell of the last row adds one


def test_a_seed_project_typed_in_the_browser_equals_the_imported_one(page, seed, filler):
    login(page, "filler", PASSWORD)
    page.get_by_role("link", name="新建项目").click()
    page.get_by_label("年度", exact=True).fill("2025")
    page.get_by_label("项目名称", exact=True).fill("市政务服务大厅运维费")
    page.get_by_label("项目预算", exact=True).fill("110")
    page.get_by_label("常年性项目").check()
    page.get_by_label("经费拨款").check()
    page.get_by_label("立项依据").fill("负责市政务服务大厅运行保障职能")
    for term in ("long", "annual"):
        block = goal(page, term)
        block.get_by_label("目标说明").fill(GOAL_TEXT)
        type_rows(page, block, ROWS)
        assert block.locator("tbody tr.row:not([hidden])").count() == 5
    # the value as understood, from the server's parser, before saving
    understood = goal(page, "long").locator("tbody tr.row .understood")
    expect(understood.nth(0)).to_have_text("小于等于 110 万元")
    expect(understood.nth(2)).to_have_text("等于 100%")
    expect(understood.nth(4)).to_have_text("大于等于 95%")
    block = goal(page, "annual")
    block.locator("input.value-input").nth(1).fill("确保完成")
    expect(block.locator(".understood").nth(1)).to_have_text("定性")
    block.locator("input.value-input").nth(1).fill("≤12次")
    expect(block.locator(".understood").nth(1)).to_have_text("小于等于 12 次")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor-typed.png"), full_page=True)
    save(page)
    expect(page.get_by_text("已保存项目“市政务服务大厅运维费”")).to_be_visible()

    typed = Project.objects.get(department__name="甲局", name="市政务服务大厅运维费")
    imported = next(p for p in seed if p.name == "市政务服务大厅运维费")
    expected = canonical(imported)
    for goal_data in expected["goals"]:
        for row in goal_data["indicators"]:
            row["level2"] = framework.canonical_level2(row["level2"])  # 服务对象 -> 服务对象满意度指标
    assert canonical(typed) == expected


def test_pasting_a_whole_sheet_creates_a_draft(page, filler):
    login(page, "filler", PASSWORD)
    page.get_by_role("link", name="粘贴整张批复表").click()
    page.get_by_label("批复表文本").fill(seed_sheet("市政务服务大厅运维费"))
    page.get_by_role("button", name="新建草稿项目").click()
    expect(page.get_by_role("heading", name="市政务服务大厅运维费")).to_be_visible()
    expect(page.get_by_text("已修复：").first).to_be_visible()
    project = Project.objects.get(name="市政务服务大厅运维费")
    assert project.status == "draft" and sum(len(g.indicators.all()) for g in project.goals.all()) == 10


PASTED = (
    "年度绩效目标1\t成本指标\t经济成本指标\t总成本\t≤110万元\t其他标准\n"
    "\t产出指标\t数量指标\t市民中心设施设备维修次数\t≤12次\t其他标准\n"
    "\t\t质量指标\t政务服务工作办结\t等于100%\t其他标准\n"
    "\t大厅运行正常率\t\t等于100%\t其他标准\n"  # shifted one cell left, as in the seed
    "满意度指标\t服务对象\t市民满意度\t≥95%\t其他标准\n"
)


def paste(locator, text):
    locator.evaluate(
        """(el, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const init = {clipboardData: data, bubbles: true, cancelable: true};
            el.dispatchEvent(new ClipboardEvent('paste', init));
        }""",
        text,
    )


def test_rows_pasted_from_word_fill_the_grid(page, filler):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill("粘贴行")
    page.get_by_label("项目预算", exact=True).fill("110")
    annual = goal(page, "annual")
    paste(annual.locator(".paste-box"), PASTED)
    assert annual.locator(".paste-status").inner_text() == "已粘贴5行指标。"
    rows = annual.locator("tbody tr.row")
    assert rows.count() == 5
    fourth = rows.nth(3)
    assert fourth.locator("select.level1").input_value() == "产出指标"
    assert fourth.locator("select.level2").input_value() == "质量指标"
    assert fourth.locator("input.level3").input_value() == "大厅运行正常率"
    assert rows.nth(4).locator("select.level2").input_value() == "服务对象"  # kept as the document says
    # a merged 一级指标 cell: 社会效益 under the 满意度指标 above belongs to 效益指标, and undo takes it back
    paste(annual.locator(".paste-box"), "\t\t社会效益\t提高窗口人员服务质量\t有效提高\t其他标准\n")
    assert rows.count() == 6 and rows.nth(5).locator("select.level1").input_value() == "效益指标"
    annual.get_by_role("button", name="撤销粘贴").click()
    assert rows.count() == 5
    # one row too many: paste it at the end, then remove it with its ✕ button
    paste(annual.locator(".paste-box"), "\t\t\t多余的一行\t1个\t其他标准\n")
    assert rows.count() == 6 and rows.nth(5).locator("select.level2").input_value() == "服务对象"
    rows.nth(5).get_by_role("button", name="删除此行").click()
    assert annual.locator("tbody tr.row:not([hidden])").count() == 5
    # a paste into a row with content inserts after it (5 columns, no 目标名称) and can be undone
    one_row = "产出指标\t时效指标\t当年完成\t等于1年\t计划标准\n"
    visible = annual.locator("tbody tr.row:not([hidden])")

    def level3s():
        return [visible.nth(i).locator("input.level3").input_value() for i in range(visible.count())]

    original = level3s()
    paste(visible.nth(1).locator("input.level3"), one_row)
    expect(annual.locator(".paste-status")).to_contain_text("插入在第2行之后，未覆盖已有的行")
    assert level3s() == [*original[:2], "当年完成", *original[2:]]
    annual.get_by_role("button", name="撤销粘贴").click()
    assert level3s() == original
    paste(visible.nth(1).locator("input.level3"), one_row)
    page.keyboard.press("Control+z")  # focus is in the pasted row
    assert level3s() == original and annual.locator(".paste-status").inner_text() == "已撤销上一次粘贴。"
    paste(visible.nth(1).locator("input.level3"), one_row)
    save(page)
    project = Project.objects.get(name="粘贴行")
    stored = canonical(project)["goals"][0]["indicators"]  # the empty long-term goal is not stored
    assert [row["level3"] for row in stored] == [
        "总成本",
        "市民中心设施设备维修次数",
        "当年完成",
        "政务服务工作办结",
        "大厅运行正常率",
        "市民满意度",
    ]
    assert stored[5]["level2"] == "服务对象" and stored[2]["basis"] == "计划标准"


def test_a_validation_error_keeps_the_rows_and_says_where(page, filler):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill("有错误的项目")
    page.get_by_label("项目预算", exact=True).fill("50")
    annual = goal(page, "annual")
    type_rows(page, annual, ROWS[:2])
    # a third row without 三级指标, added with Ctrl+Enter, then moved up with Alt+↑
    page.keyboard.press("Control+Enter")
    page.keyboard.type("产出")  # searchable: one option left, Enter takes it and moves on
    page.keyboard.press("Enter")
    page.keyboard.type("时效")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("等于1年")
    page.keyboard.press("Tab")
    page.keyboard.type("计划标准")
    page.keyboard.press("Alt+ArrowUp")
    page.get_by_role("button", name="保存").click()
    summary = page.locator("#error-summary")
    assert "年度绩效目标1第2行：三级指标不能为空。" in summary.inner_text()
    rows = annual.locator("tbody tr.row")
    assert [rows.nth(i).locator("input.value-input").input_value() for i in range(3)] == [
        "≤110万元",
        "等于1年",
        "≤12次",
    ]
    assert Project.objects.count() == 0
    rows.nth(1).locator("input.level3").fill("当年完成")
    save(page)
    stored = canonical(Project.objects.get(name="有错误的项目"))
    assert [row["level3"] for row in stored["goals"][0]["indicators"]] == [
        "总成本",
        "当年完成",
        "市民中心设施设备维修次数",
    ]


def test_the_later_of_two_saves_is_refused_and_keeps_its_input(page, chromium, filler):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill("共同编辑")
    page.get_by_label("项目预算", exact=True).fill("10")
    save(page)
    project = Project.objects.get(name="共同编辑")
    edit_url = f"{page.base_url}/projects/{project.pk}/edit/"

    other_context = chromium.new_context(locale="zh-CN")
    other = other_context.new_page()
    other.base_url = page.base_url
    try:
        login(other, "filler", PASSWORD)
        page.goto(edit_url)
        other.goto(edit_url)
        page.get_by_label("项目预算", exact=True).fill("20")
        save(page)

        other.get_by_label("项目预算", exact=True).fill("30")
        type_rows(other, goal(other, "annual"), ROWS[:1])
        other.get_by_role("button", name="保存").click()
        expect(other.get_by_text("其他人已修改了此项目")).to_be_visible()
        assert other.get_by_label("项目预算", exact=True).input_value() == "30"
        assert goal(other, "annual").locator("input.level3").first.input_value() == "总成本"
        # the other person's version next to this page's, place by place
        conflict = other.locator(".conflict-table")
        expect(conflict.locator("tr", has_text="项目预算")).to_contain_text("20")
        expect(conflict.locator("tr", has_text="项目预算")).to_contain_text("30")
        expect(conflict.locator("tr", has_text="年度绩效目标1第1行")).to_contain_text("总成本")
        ARTIFACTS.mkdir(exist_ok=True)
        other.screenshot(path=str(ARTIFACTS / "editor-conflict.png"), full_page=True)
        project.refresh_from_db()
        assert normalize_number(project.budget) == "20" and project.version == 2
        # keep mine: saved over version 2 without typing anything again
        other.get_by_role("button", name="保留我的修改并保存").click()
        expect(other.locator(".messages")).to_contain_text("已保存项目")
    finally:
        other_context.close()
    project.refresh_from_db()
    assert normalize_number(project.budget) == "30" and project.version == 3
    assert project.goals.get().indicators.get().level3 == "总成本"
    assert not Path(ARTIFACTS / "missing").exists()


BEFOREUNLOAD_CANCELLED = """() => {
    const event = new Event("beforeunload", {cancelable: true});
    window.dispatchEvent(event);
    return event.defaultPrevented;
}"""


def test_goals_are_added_and_removed_without_reloading(page, filler):
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}/projects/new/")
    page.get_by_label("项目名称", exact=True).fill("两个年度目标")
    page.get_by_label("项目预算", exact=True).fill("8")
    page.get_by_role("button", name="添加年度绩效目标").click()
    second = goal(page, "annual", 2)
    expect(second.locator(".goal-name")).to_have_text("年度绩效目标2")
    expect(second.get_by_label("目标说明")).to_be_focused()
    page.keyboard.type("第二个目标")
    type_rows(page, second, ROWS[3:])
    type_rows(page, goal(page, "annual", 1), ROWS[:1])
    page.get_by_role("button", name="添加长期绩效目标").click()
    goal(page, "long", 2).get_by_role("button", name="删除此目标").click()
    expect(page.locator(".goal-section[data-term='long'] .goal:not([hidden])")).to_have_count(1)
    # unsaved: closing the tab asks (beforeunload), and so does a link of the page
    assert page.evaluate(BEFOREUNLOAD_CANCELLED)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(".form-actions").get_by_role("link", name="取消").click()
    assert asked == ["本页有尚未保存的修改，离开后将丢失。确定离开吗？"]
    assert page.url.endswith("/projects/new/")
    save(page)
    assert not page.evaluate(BEFOREUNLOAD_CANCELLED)  # the saved page asks nothing
    stored = canonical(Project.objects.get(name="两个年度目标"))["goals"]
    assert [(g["name"], g["text"], [r["level3"] for r in g["indicators"]]) for g in stored] == [
        ("年度绩效目标1", "", ["总成本"]),
        ("年度绩效目标2", "第二个目标", ["大厅运行正常率", "市民满意度"]),
    ]
