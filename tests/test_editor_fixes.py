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
