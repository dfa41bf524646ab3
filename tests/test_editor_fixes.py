"""One-click fixes (一键修正) in the editor, and 一级指标 read from an unambiguous 二级指标."""

import pytest
from django.urls import reverse

from indicators.checks import check_project
from indicators.fixes import row_fix
from projects.history import project_history
from projects.models import Project

from .editor_support import (
    PASSWORD,
    editor_data,
    make_user,
    seed_sheet,
    seed_sheet_names,
    stored_editor_data,
    unit,
)

PASTE = reverse("projects:paste")


@pytest.fixture
def home(db):
    return unit("甲局")


@pytest.fixture
def logged_in(client, home):
    make_user("filler", home)
    client.login(username="filler", password=PASSWORD)
    return client


def rules(project):
    return list(check_project(Project.objects.with_tree().get(pk=project.pk)))


def level1_order(goal):
    """The level 1 of a stored table's rows, in order."""
    return [row.level1 for row in goal.indicators.order_by("position")]


def split_level1(project):
    """The level 1 that a table of `project` shows in more than one block (the printed
    sheet merges a level 1's cells per run of rows)."""
    split = []
    for goal in project.goals.all():
        order = level1_order(goal)
        runs = [level1 for n, level1 in enumerate(order) if n == 0 or order[n - 1] != level1]
        split += [(goal.name, level1) for level1 in set(runs) if runs.count(level1) > 1]
    return split


def test_the_fixes_have_one_answer_only():
    assert row_fix("产出指标", "社会效益").changes == {"level1": "效益指标", "level2": "社会效益指标"}
    assert row_fix("产出指标", "社会效益指标").changes == {"level1": "效益指标"}
    assert row_fix("产出指标", "成本指标").changes == {"level1": "成本指标", "level2": "经济成本指标"}
    assert row_fix("", "时效指标").changes == {"level1": "产出指标"}
    # a short name in its right place is written in full
    assert row_fix("产出指标", "数量").changes == {"level2": "数量指标"}
    assert row_fix("满意度指标", "服务对象").changes == {"level2": "服务对象满意度指标"}
    assert row_fix("产出指标", "数量指标") is None
    assert row_fix("产出指标", "工作指标") is None  # unknown level 2: no single answer
    assert row_fix("效益指标", "") is None


def test_each_pasted_seed_sheet_is_fixed_in_one_click(logged_in, home):
    names = seed_sheet_names()
    assert len(names) == 10
    blocked = 0
    for name in names:
        logged_in.post(PASTE, {"department": home.pk, "text": seed_sheet(name)})
        project = Project.objects.get(department=home, name=name)
        before = rules(project)
        misplaced = [f for f in before if f.rule == "L2_OUTSIDE_L1"]
        edit = reverse("projects:edit", args=[project.pk])
        page = logged_in.get(edit).content.decode()
        fixable = [
            row
            for goal in project.goals.all()
            for row in goal.indicators.all()
            if row_fix(row.level1, row.level2)
        ]
        assert len(fixable) >= len(misplaced)
        assert page.count('name="apply_fix"') == (len(fixable) + 1 if fixable else 0)  # one per row, and 全部
        if misplaced:
            blocked += 1
            assert "一键修正：移到“效益指标”" in page
        data = stored_editor_data(project)
        response = logged_in.post(edit, {**data, "apply_fix": "all"}, follow=True)
        after = rules(project)
        assert not [f for f in after if f.rule in ("L2_OUTSIDE_L1", "COST_AS_OUTPUT_L2")], name
        # What stays is a table that really has no 效益指标 row, with nothing to move.
        for finding in after:
            if finding.rule == "TABLE_MISSING_L1":
                assert "应移到" not in finding.message, name
        assert not [
            row
            for goal in project.goals.all()
            for row in goal.indicators.all()
            if row_fix(row.level1, row.level2)
        ]
        assert not split_level1(project), name
        if misplaced:
            assert f"已一键修正{len(fixable)}行" in response.content.decode()
            [entry] = [e for e in project_history(project) if e.lines][:1]
            changes = [(c.label, c.before, c.after) for line in entry.lines for c in line.changes]
            assert ("一级指标", "产出指标", "效益指标") in changes
            assert entry.reason.startswith("一键修正")  # a note that fits the history's field
    assert blocked == 7


def test_one_row_is_fixed_and_the_rest_of_the_typed_page_kept(logged_in, home):
    goals = [
        {
            "term": "annual",
            "text": "说明",
            "rows": [
                ("产出指标", "成本指标", "总成本", "≤10万元", "其他标准"),
                ("产出指标", "社会效益", "服务质量", "有效提高", "其他标准"),
            ],
        }
    ]
    logged_in.post(reverse("projects:create"), editor_data(department=home, name="修正", goals=goals))
    project = Project.objects.get(name="修正")
    data = stored_editor_data(project)
    data["rationale"] = "刚刚录入、尚未保存的依据"
    cost = project.goals.get().indicators.get(level3="总成本")
    logged_in.post(reverse("projects:edit", args=[project.pk]), {**data, "apply_fix": str(cost.pk)})
    project.refresh_from_db()
    assert project.rationale == "刚刚录入、尚未保存的依据"
    rows = {row.level3: (row.level1, row.level2) for row in project.goals.get().indicators.all()}
    assert rows == {"总成本": ("成本指标", "经济成本指标"), "服务质量": ("产出指标", "社会效益")}
    # The history says the save was a one-click fix, and what it changed.
    page = logged_in.get(reverse("projects:detail", args=[project.pk])).content.decode()
    reason = page.split('<div class="history-reason">', 1)[1].split("</div>", 1)[0]
    assert reason.startswith("一键修正：") and "成本指标" in reason


def test_an_empty_level1_is_read_from_its_level2(logged_in, home):
    goals = [
        {"term": "annual", "text": "说明", "rows": [("", "社会效益指标", "服务质量", "有效提高", "其他标准")]}
    ]
    response = logged_in.post(
        reverse("projects:create"), editor_data(department=home, name="推断", goals=goals)
    )
    assert response.status_code == 302
    row = Project.objects.get(name="推断").goals.get().indicators.get()
    assert (row.level1, row.level2) == ("效益指标", "社会效益指标")
    goals[0]["rows"] = [("", "工作指标", "服务质量", "有效提高", "其他标准")]
    page = logged_in.post(reverse("projects:create"), editor_data(department=home, name="推断2", goals=goals))
    assert "一级指标不能为空" in page.content.decode()


ANNUAL_GROUPED = [
    ("产出指标", "数量指标", "完成数量", "等于2个", "计划标准"),
    ("产出指标", "质量指标", "验收合格率", "等于100%", "计划标准"),
    ("产出指标", "成本指标", "总成本", "≤150万元", "预算支出标准"),  # pasted as row 3
    ("产出指标", "时效指标", "完成时间", "等于1年", "计划标准"),
    ("效益指标", "社会效益指标", "服务水平", "有效提高", "其他标准"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "其他标准"),
]


def grouped_project(client, home, rows=ANNUAL_GROUPED, name="分组"):
    goals = [{"term": "annual", "text": "说明", "rows": list(rows)}]
    client.post(reverse("projects:create"), editor_data(department=home, name=name, goals=goals))
    return Project.objects.get(name=name)


def test_a_fixed_row_moves_to_its_level1_in_the_table(logged_in, home):
    project = grouped_project(logged_in, home)
    edit = reverse("projects:edit", args=[project.pk])
    response = logged_in.post(edit, {**stored_editor_data(project), "apply_fix": "all"}, follow=True)
    goal = project.goals.get()
    # No 成本指标 rows yet: the cost row goes where the framework puts 成本指标, first.
    assert [row.level3 for row in goal.indicators.order_by("position")] == [
        "总成本",
        "完成数量",
        "验收合格率",
        "完成时间",
        "服务水平",
        "群众满意度",
    ]
    assert [row.position for row in goal.indicators.order_by("position")] == [1, 2, 3, 4, 5, 6]
    assert not split_level1(project)
    page = response.content.decode()
    # The message names the table of the row.
    assert "已一键修正1行：年度绩效目标1的“总成本”移到“成本指标”" in page
    # One save, recorded in history: the level 1 changed and the row moved.
    [entry] = [e for e in project_history(project) if e.reason.startswith("一键修正")]
    changes = [(c.label, c.before, c.after) for line in entry.lines for c in line.changes]
    assert ("一级指标", "产出指标", "成本指标") in changes
    assert ("位置", "第3行", "第1行") in changes
    # The printed sheet shows one block per level 1.
    sheet = logged_in.get(reverse("projects:sheet", args=[project.pk])).content.decode()
    assert sheet.count(">产出指标<") == 1


def test_a_single_fix_moves_the_row_to_the_end_of_its_level1_block(logged_in, home):
    rows = [
        ("产出指标", "数量指标", "完成数量", "等于2个", "计划标准"),
        ("产出指标", "社会效益", "服务质量", "有效提高", "其他标准"),
        ("产出指标", "时效指标", "完成时间", "等于1年", "计划标准"),
        ("效益指标", "社会效益指标", "服务水平", "有效提高", "其他标准"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "其他标准"),
    ]
    project = grouped_project(logged_in, home, rows)
    row = project.goals.get().indicators.get(level3="服务质量")
    edit = reverse("projects:edit", args=[project.pk])
    logged_in.post(edit, {**stored_editor_data(project), "apply_fix": str(row.pk)})
    goal = project.goals.get()
    assert level1_order(goal) == ["产出指标", "产出指标", "效益指标", "效益指标", "满意度指标"]
    assert [r.level3 for r in goal.indicators.order_by("position")][2:4] == ["服务水平", "服务质量"]
    row.refresh_from_db()
    assert (row.level1, row.level2, row.position) == ("效益指标", "社会效益指标", 4)  # same row, moved


def test_a_fix_that_cannot_be_saved_keeps_every_fix_button_and_the_page(logged_in, home):
    project = grouped_project(
        logged_in, home, [*ANNUAL_GROUPED, ("产出指标", "社会效益", "服务质量", "有效提高", "其他标准")]
    )
    before = [(r.pk, r.level1, r.level2, r.level3, r.position) for r in project.goals.get().indicators.all()]
    data = stored_editor_data(project)
    data["g0-0-level3"] = "长" * 210  # another row: too long to save
    cost = project.goals.get().indicators.get(level3="总成本")
    response = logged_in.post(
        reverse("projects:edit", args=[project.pk]), {**data, "apply_fix": str(cost.pk)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "三级指标过长：有210个字" in page
    assert "尚未保存" in page and "年度绩效目标1的“总成本”移到“成本指标”" in page
    # The other row's button and 全部一键修正 stay; the fixed row is shown fixed.
    assert page.count('class="fix-button"') == 1 and "一键修正：移到“效益指标”" in page
    assert "全部一键修正并保存（1行）" in page
    assert 'name="g0-2-level1"' in page and 'name="g0-2-position" value="1"' in page
    after = [(r.pk, r.level1, r.level2, r.level3, r.position) for r in project.goals.get().indicators.all()]
    assert after == before  # nothing stored changed


def test_a_row_not_yet_saved_keeps_its_fix_button_after_an_error(logged_in, home):
    goals = [
        {
            "term": "annual",
            "text": "说明",
            "rows": [("产出指标", "社会效益", "服务质量", "有效提高", "其他标准")],
        }
    ]
    data = editor_data(department=home, name="", goals=goals)  # 项目名称 missing: not saved
    page = logged_in.post(reverse("projects:create"), data).content.decode()
    assert "项目名称不能为空" in page
    assert '<button type="submit" name="apply_fix" value="g0-0" class="fix-button"' in page
    response = logged_in.post(reverse("projects:create"), {**data, "name": "新行", "apply_fix": "g0-0"})
    assert response.status_code == 302
    row = Project.objects.get(name="新行").goals.get().indicators.get()
    assert (row.level1, row.level2) == ("效益指标", "社会效益指标")
