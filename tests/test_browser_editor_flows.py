"""The editor in chromium as finance staff use it every day: a pasted seed sheet whose
misfiled rows are fixed in one click, the searchable selects, and every focused cell
visible at 800×900 and 1366×768. Screenshots of the editor (wide and narrow) are saved
for review in $PERFGOALS_SHOTS_DIR (default test-artifacts/editor)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from indicators.checks import check_project
from indicators.models import Indicator
from projects.models import Project

from .conftest import ROOT, login
from .editor_support import PASSWORD, make_user, seed_sheet, unit

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PERFGOALS_SHOTS_DIR") or ROOT / "test-artifacts" / "editor")

# Where the focused element is, against the viewport and the sticky 保存 bar, read two frames
# after the focus moved: the editor scrolls a covered cell into view in the next animation
# frame (a loaded machine may not have drawn it yet when Tab returns).
FOCUSED = """async () => {
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const element = document.activeElement;
    const box = element.getBoundingClientRect();
    const bar = document.querySelector('.form-actions').getBoundingClientRect();
    return {id: element.id || element.className || element.tagName, top: box.top, bottom: box.bottom,
            left: box.left, right: box.right, width: box.width, barTop: bar.top,
            inBar: !!element.closest('.form-actions'), save: element.id === 'save-button'};
}"""


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def misplaced(project):
    return [
        f for f in check_project(Project.objects.with_tree().get(pk=project.pk)) if f.rule == "L2_OUTSIDE_L1"
    ]


def tab_through(page, width, height):
    """Tab from the first cell to 保存; every focused element must be inside the
    viewport and, outside the bar itself, above the sticky 保存 bar."""
    page.set_viewport_size({"width": width, "height": height})
    page.locator("tr.row:not([hidden]) input.combo").first.focus()
    hidden, steps = [], 0
    while True:
        at = page.evaluate(FOCUSED)
        if at["save"]:
            break
        assert at["right"] <= width + 1 and at["left"] >= -1, at
        if not at["inBar"] and (at["bottom"] > at["barTop"] or at["top"] < 0):
            hidden.append(at)
        page.keyboard.press("Tab")
        steps += 1
        assert steps < 400, "Tab never reached 保存"
    assert not hidden, (
        f"{len(hidden)} of {steps} focused elements under the 保存 bar or above the top: {hidden[:3]}"
    )
    return steps


def fix_in_one_click(page, project):
    """One row's fix, then all the others, each in one click."""
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    fixes = page.locator(".fix-button")
    expect(fixes).to_have_count(4)  # 社会效益 misfiled, and the short 服务对象, in both tables
    expect(fixes.first).to_have_text("一键修正：移到“效益指标”，二级指标改为“社会效益指标”")
    page.set_viewport_size({"width": 1366, "height": 768})
    fixes.first.scroll_into_view_if_needed()
    shot(page, "editor-fix-1366.png")
    fixes.first.click()
    expect(page.locator(".messages")).to_contain_text("已一键修正1行")
    assert len(misplaced(project)) == 1
    page.get_by_role("button", name="全部一键修正并保存（3行）").click()
    expect(page.locator(".messages")).to_contain_text("已一键修正3行")
    assert misplaced(project) == []
    level2 = set(Indicator.objects.filter(goal__project=project).values_list("level2", flat=True))
    assert "服务对象满意度指标" in level2 and not level2 & {"服务对象", "社会效益"}
    expect(page.locator(".fix-button")).to_have_count(0)


def add_a_row_by_searching(page, project):
    """社会 finds 社会效益指标 and the row goes to 效益指标; two bases ticked."""
    page.goto(f"{page.base_url}/projects/{project.pk}/edit/")
    annual = page.locator(".goal-section[data-term='annual'] .goal").first
    annual.get_by_role("button", name="添加指标").click()
    row = annual.locator("tbody tr.row").last
    page.keyboard.press("Tab")  # 一级指标 left empty
    page.keyboard.type("社会")
    options = page.locator("#combo-options li")
    expect(options).to_have_text(["社会成本指标", "社会效益指标"])
    shot(page, "editor-search-1366.png")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(row.locator("select.level1")).to_have_value("效益指标")
    expect(row.locator("select.level2")).to_have_value("社会效益指标")
    expect(row.locator("input.combo-level1")).to_have_value("效益指标")
    page.keyboard.type("群众办事便利度")
    page.keyboard.press("Tab")
    page.keyboard.type("95%（含）以上")
    expect(row.locator(".understood")).to_have_text("大于等于 95%")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # opens the list of bases: several may be ticked
    page.locator("#combo-options li", has_text="计划标准").click()
    page.locator("#combo-options li", has_text="行业标准").click()
    shot(page, "editor-bases-1366.png")
    expect(row.locator("select.basis")).to_have_value("计划标准、行业标准")
    # 产出指标 offers only its own level 2 (not the old 成本指标)
    annual.locator("tbody tr.row").nth(1).locator("input.combo-level2").click()
    expect(options).to_have_text(["数量指标", "质量指标", "时效指标"])
    page.keyboard.press("Escape")
    return row


def no_overlap(one, other):
    return (
        other["y"] >= one["y"] + one["height"]
        or other["y"] + other["height"] <= one["y"]
        or other["x"] >= one["x"] + one["width"]
        or other["x"] + other["width"] <= one["x"]
    )


def test_a_pasted_seed_sheet_fixed_in_one_click_then_edited_wide_and_narrow(page):
    make_user("filler", unit("甲局"))
    login(page, "filler", PASSWORD)
    page.get_by_role("link", name="粘贴整张批复表").click()
    page.get_by_label("批复表文本").fill(seed_sheet("一窗受理工作项目"))
    page.get_by_role("button", name="新建草稿项目").click()
    expect(page.get_by_role("heading", name="一窗受理工作项目")).to_be_visible()
    project = Project.objects.get(name="一窗受理工作项目")
    assert len(misplaced(project)) == 2  # 社会效益 filled down under 产出指标, long and annual
    fix_in_one_click(page, project)
    row = add_a_row_by_searching(page, project)

    # every focused cell visible, wide and narrow; the 三级指标 box keeps its room
    assert tab_through(page, 1366, 768) > 60
    shot(page, "editor-1366x768.png")
    tab_through(page, 800, 900)
    level3 = page.locator("tr.row:not([hidden]) input.level3")
    values = page.locator("tr.row:not([hidden]) input.value-input")
    for n in range(level3.count()):
        name, value = level3.nth(n).bounding_box(), values.nth(n).bounding_box()
        assert name["width"] > 300 and no_overlap(name, value), (name, value)
    row.locator("input.level3").focus()
    shot(page, "editor-800x900.png")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存项目")
    added = (
        Project.objects.get(pk=project.pk).goals.get(term="annual").indicators.get(level3="群众办事便利度")
    )
    assert (added.level1, added.level2, added.value, added.basis) == (
        "效益指标",
        "社会效益指标",
        "95%（含）以上",
        "计划标准、行业标准",
    )
    assert (added.comparator, added.number) == (">=", 95)
