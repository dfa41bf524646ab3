"""The review checks after each save, next to the goal and row they concern."""

import re

from django.urls import reverse

from projects.models import Project

from .editor_support import PASSWORD, editor_data, make_user, unit
from .workflow_helpers import ROWS

CLEAN_ROWS = [dict(zip(("level1", "level2", "level3", "value", "basis"), row, strict=True)) for row in ROWS]


def login_filler(client, department):
    make_user("writer", department)
    client.login(username="writer", password=PASSWORD)


def row_with(page, level3):
    """The editor's <tr> whose 三级指标 input holds `level3`."""
    for row in re.findall(r'<tr class="row.*?</tr>', page, flags=re.S):
        if f'value="{level3}"' in row:
            return row
    raise AssertionError(f"no row for {level3}")


def test_the_edit_page_shows_each_finding_next_to_its_row(client, seed):
    project = Project.objects.get(name="城市数字公共基础设施专班工作经费")
    login_filler(client, project.department)
    page = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    annual = page[page.index("年度绩效目标1</h3>") :]
    assert "成本指标“总成本”的指标值“等于36人”不是金额" in row_with(annual, "总成本")
    assert "“完全保障”是定性表述" in row_with(annual, "抽调相关政府工作人员人数")
    assert "不是金额" not in row_with(annual, "群众满意度")
    # a table-level finding stands by the goal, before its grid
    goal_head = annual[: annual.index("<table")]
    assert "“年度绩效目标1”的指标表缺少效益指标" in goal_head


def test_a_save_with_findings_returns_to_the_editor_with_them(client, db):
    home = unit("甲局")
    login_filler(client, home)
    rows = [*CLEAN_ROWS[:1], {**CLEAN_ROWS[1], "value": "确保完成"}]  # a qualitative 数量指标
    goals = [{"term": "annual", "text": "年度目标", "rows": rows}]
    response = client.post(
        reverse("projects:create"), editor_data(department=home, name="有问题", goals=goals)
    )
    project = Project.objects.get(name="有问题")
    assert response["Location"] == reverse("projects:edit", args=[project.pk])
    page = client.get(response["Location"]).content.decode()
    assert "已保存项目“有问题”。审核检查发现" in page
    assert "“确保完成”是定性表述" in row_with(page, "运维系统数量")


def test_a_clean_save_goes_to_the_project_page(client, db):
    home = unit("甲局")
    login_filler(client, home)
    goals = [
        {"term": "long", "text": "长期目标", "rows": CLEAN_ROWS},
        {"term": "annual", "text": "年度目标", "rows": CLEAN_ROWS},
    ]
    response = client.post(
        reverse("projects:create"), editor_data(department=home, name="无问题", budget="100", goals=goals)
    )
    project = Project.objects.get(name="无问题")
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert "审核检查未发现问题" in client.get(response["Location"]).content.decode()
