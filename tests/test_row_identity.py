"""Goals and indicator rows keep their identity through edits, reorders and re-imports.

Monitoring and self-evaluation values are attached to indicator rows, so a save
must update rows in place: the editor names each row's stored id, imports match
rows by goal place, 三级指标 and position. New rows get new ids, removed rows go.
"""

import json

import pytest
from django.urls import reverse

from indicators.models import Indicator
from projects.documents.data import dump_document
from projects.documents.readers import read_projects
from projects.documents.readers.jsondoc import parse_document
from projects.models import Goal, Project
from projects.permissions import SYSTEM
from projects.services import import_projects

from .conftest import SEED_DEPARTMENT, SEED_TEXT
from .editor_support import editor_data, make_user
from .workflow_helpers import clean_project

ROW_KEYS = ("level1", "level2", "level3", "value", "basis")


def stored_rows(project, term="annual"):
    """(id, position, level3, value) of a goal's rows, in order."""
    return list(
        Indicator.objects.filter(goal__project=project, goal__term=term)
        .order_by("position")
        .values_list("id", "position", "level3", "value")
    )


def as_editor_goals(project):
    """The editor's POST goals as the page would send them back: ids included."""
    goals = []
    for goal in Project.objects.with_tree().get(pk=project.pk).goals.all():
        rows = [{**{k: getattr(row, k) for k in ROW_KEYS}, "id": row.pk} for row in goal.indicators.all()]
        goals.append({"term": goal.term, "text": goal.text, "id": goal.pk, "rows": rows})
    return goals


@pytest.fixture
def project(db):
    return clean_project()


@pytest.fixture
def filler_client(client, project):
    client.force_login(make_user("filler", project.department))
    return client


def post_editor(client, project, goals):
    project.refresh_from_db()
    data = editor_data(project, department=project.department, name=project.name, budget="100", goals=goals)
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_edit_page_carries_the_stored_ids(filler_client, project):
    page = filler_client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    for row_id, *_ in stored_rows(project):
        assert f'value="{row_id}"' in page
    for goal in project.goals.all():
        assert 'name="goals-' in page and f'value="{goal.pk}"' in page


def test_an_edit_keeps_every_row_id_and_records_the_change(filler_client, project):
    before = stored_rows(project)
    goal_ids = sorted(project.goals.values_list("pk", flat=True))
    goals = as_editor_goals(project)
    goals[1]["rows"][1]["value"] = "≥5个"  # 运维系统数量 of the annual goal
    post_editor(filler_client, project, goals)

    after = stored_rows(project)
    assert [row[0] for row in after] == [row[0] for row in before]
    assert after[1] == (before[1][0], 2, "运维系统数量", "≥5个")
    assert sorted(project.goals.values_list("pk", flat=True)) == goal_ids
    changed = Indicator.history.filter(id=before[1][0]).latest("history_id")
    assert changed.history_type == "~" and changed.value == "≥5个"
    assert changed.history_user.username == "filler"
    # Rows that did not change are not rewritten.
    assert not Indicator.history.filter(id=before[0][0], history_type="~").exists()


def test_a_reorder_keeps_the_ids_of_the_moved_rows(filler_client, project):
    before = stored_rows(project)
    goals = as_editor_goals(project)
    rows = goals[1]["rows"]
    rows[0], rows[2] = rows[2], rows[0]  # Alt+↑/↓ in the browser: the DOM order is the order
    post_editor(filler_client, project, goals)

    after = stored_rows(project)
    assert [row[0] for row in after] == [
        before[2][0],
        before[1][0],
        before[0][0],
        *[r[0] for r in before[3:]],
    ]
    assert [row[2] for row in after][:3] == ["系统可用率", "运维系统数量", "总成本"]


def test_new_rows_get_new_ids_and_removed_rows_are_deleted(filler_client, project):
    before = stored_rows(project)
    goals = as_editor_goals(project)
    rows = goals[1]["rows"]
    removed = rows.pop(3)  # 故障响应时间
    rows.insert(0, {"level1": "产出指标", "level2": "数量指标", "level3": "巡检次数", "value": "≥12次",
                    "basis": "计划标准", "id": ""})  # fmt: skip
    post_editor(filler_client, project, goals)

    after = stored_rows(project)
    assert after[0][2] == "巡检次数" and after[0][0] not in {row[0] for row in before}
    assert [row[0] for row in after[1:]] == [row[0] for row in before if row[0] != removed["id"]]
    assert not Indicator.objects.filter(pk=removed["id"]).exists()
    assert Indicator.history.filter(id=removed["id"], history_type="-").exists()


def test_a_row_id_of_another_project_is_not_taken_over(filler_client, project):
    other = clean_project(name="另一个项目")
    foreign = stored_rows(other)[0]
    goals = as_editor_goals(project)
    goals[1]["rows"][0]["id"] = foreign[0]
    post_editor(filler_client, project, goals)

    assert stored_rows(other)[0] == foreign
    assert foreign[0] not in {row[0] for row in stored_rows(project)}
    assert stored_rows(project)[0][2] == "总成本"


def test_removing_the_first_goal_moves_the_second_into_its_place_with_its_id(filler_client, project):
    goals = as_editor_goals(project)
    extra = {**goals[1], "id": "", "text": "第二个年度目标", "rows": [
        {**row, "id": ""} for row in goals[1]["rows"][:2]]}  # fmt: skip
    post_editor(filler_client, project, [*goals, extra])
    second = Goal.objects.get(project=project, term="annual", position=2)
    second_rows = list(second.indicators.values_list("pk", flat=True))

    goals = as_editor_goals(project)
    del goals[1]  # 年度绩效目标1
    post_editor(filler_client, project, goals)
    moved = Goal.objects.get(pk=second.pk)
    assert (moved.position, moved.name, moved.text) == (1, "年度绩效目标1", "第二个年度目标")
    assert list(moved.indicators.values_list("pk", flat=True)) == second_rows
    assert Goal.objects.filter(project=project, term="annual").count() == 1


def reimport(project, change):
    document = dump_document(Project.objects.with_tree().filter(pk=project.pk))
    change(document["projects"][0])
    import_projects(parse_document(json.dumps(document, ensure_ascii=False)), user=SYSTEM)


def test_a_json_reimport_keeps_ids_matching_rows_by_level3_then_position(project):
    before = stored_rows(project)

    def change(data):
        rows = data["goals"][1]["indicators"]
        rows[0], rows[1] = rows[1], rows[0]  # reordered: matched by 三级指标
        rows[2].update(value="≥99.5%", number="99.5")  # changed value: matched by 三级指标
        rows[3]["level3"] = "故障响应时长"  # renamed: matched by position
        rows.append({**rows[4], "level3": "新增指标"})

    reimport(project, change)
    after = stored_rows(project)
    ids = [row[0] for row in before]
    assert [row[0] for row in after[:6]] == [ids[1], ids[0], ids[2], ids[3], ids[4], ids[5]]
    assert after[2][3] == "≥99.5%" and after[3][2] == "故障响应时长"
    assert after[6][0] not in ids and after[6][2] == "新增指标"


def test_reimporting_the_seed_text_keeps_every_id(db):
    def import_text(text):
        return import_projects(
            read_projects("seed.txt", text.encode("utf-8")).projects, department=SEED_DEPARTMENT, user=SYSTEM
        )

    text = SEED_TEXT.read_text(encoding="utf-8")
    import_text(text)
    ids = dict(Indicator.objects.values_list("pk", "value"))
    goal_ids = set(Goal.objects.values_list("pk", flat=True))

    changed = text.replace("群众满意度\t≥98%", "群众满意度\t≥99%", 1)
    report = import_text(changed)
    assert len(report.updated) == 1 and len(report.unchanged) == 9
    assert set(Indicator.objects.values_list("pk", flat=True)) == set(ids)
    assert set(Goal.objects.values_list("pk", flat=True)) == goal_ids
    row = Indicator.objects.get(
        goal__project__name="一窗受理工作项目", goal__term="long", level3="群众满意度"
    )
    assert (ids[row.pk], row.value, str(row.number)) == ("≥98%", "≥99%", "99.000000")


@pytest.mark.browser
def test_in_the_browser_a_moved_row_keeps_its_id_and_a_new_row_gets_one(page, project):
    from playwright.sync_api import expect

    from .conftest import login
    from .editor_support import PASSWORD

    make_user("filler", project.department)
    before = stored_rows(project)
    login(page, "filler", PASSWORD)
    page.goto(f"{page.base_url}{reverse('projects:edit', args=[project.pk])}")
    annual = page.locator(".goal-section[data-term='annual'] .goal").first
    annual.locator("tr.row").nth(0).locator(".move-down").click()  # 总成本 below 运维系统数量
    annual.locator(".add-row").click()
    new_row = annual.locator("tr.row:not([hidden])").last
    new_row.locator("select.level1").select_option("产出指标")
    new_row.locator("select.level2").select_option("数量指标")
    new_row.locator("input.level3").fill("巡检次数")
    new_row.locator("input.value-input").fill("≥12次")
    new_row.locator("select[name$='-basis']").select_option("计划标准")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存项目")

    after = stored_rows(project)
    ids = [row[0] for row in before]
    assert [row[0] for row in after[:6]] == [ids[1], ids[0], *ids[2:]]
    assert after[6][2] == "巡检次数" and after[6][0] not in ids
