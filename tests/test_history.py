import json

from django.contrib import admin

from indicators.models import Indicator
from projects.documents.data import dump_document
from projects.history import project_history
from projects.models import Goal, Project
from projects.permissions import SYSTEM
from projects.services import import_projects
from tests.workflow_helpers import clean_project, people


def lines_of(entry):
    return [
        (line.where, line.verb, [(c.label, c.before, c.after) for c in line.changes]) for line in entry.lines
    ]


def test_an_edit_of_a_row_is_recorded_before_and_after(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    row = Indicator.objects.get(goal__project=project, goal__term="annual", level3="运维系统数量")
    row._history_user = users["filler"]
    row.value = "≥5个"
    row.save()

    latest = project_history(project)[0]
    assert latest.user == users["filler"]
    assert lines_of(latest) == [("年度绩效目标1 第2行（运维系统数量）", "修改", [("指标值", "≥3个", "≥5个")])]

    client.force_login(users["reviewer"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "<del>≥3个</del> → <ins>≥5个</ins>" in history
    assert "filler" in history


def test_the_web_records_who_made_a_change(db, client, django_user_model):
    """HistoryRequestMiddleware: a save during a request is attributed to its user."""
    users = people(django_user_model)
    project = clean_project()
    client.force_login(users["filler"])
    client.post(f"/projects/{project.pk}/submit/")
    record = Project.history.filter(id=project.pk).latest("history_date")
    assert record.history_user == users["filler"] and record.status == "submitted"


def test_an_import_that_changes_a_row_reads_as_a_change(db):
    project = clean_project()
    document = dump_document(Project.objects.with_tree().filter(pk=project.pk))
    data = document["projects"][0]
    data["goals"][0]["indicators"][0].update(value="≤90万元", number="90")
    data["rationale"] = "《鄂州市政务云管理办法（修订）》"
    from projects.documents.readers.jsondoc import parse_document

    import_projects(parse_document(json.dumps(document, ensure_ascii=False)), user=SYSTEM)

    latest = project_history(project)[0]
    assert lines_of(latest) == [
        ("项目", "修改", [("立项依据", "《鄂州市政务云管理办法》", "《鄂州市政务云管理办法（修订）》")]),
        ("长期绩效目标1 第1行（总成本）", "修改", [("指标值", "≤100万元", "≤90万元")]),
    ]
    creation = project_history(project)[-1]
    assert lines_of(creation) == [("项目", "新建（2个目标，12行指标）", [])]


def test_an_import_that_adds_and_removes_rows_says_so(db):
    project = clean_project()
    document = dump_document(Project.objects.with_tree().filter(pk=project.pk))
    goals = document["projects"][0]["goals"]
    goals[1]["indicators"].pop()  # 用户满意度 of the annual goal
    goals[0]["indicators"].append(
        {**goals[0]["indicators"][0], "level3": "运维人员经费", "value": "≤20万元", "number": "20"}
    )
    from projects.documents.readers.jsondoc import parse_document

    import_projects(parse_document(json.dumps(document, ensure_ascii=False)), user=SYSTEM)
    verbs = {(line.where, line.verb) for line in project_history(project)[0].lines}
    assert verbs == {
        ("长期绩效目标1 第7行（运维人员经费）", "新增"),
        ("年度绩效目标1 第6行（用户满意度）", "删除"),
    }


def test_transitions_and_their_comments_are_in_the_history(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    client.force_login(users["filler"])
    client.post(f"/projects/{project.pk}/submit/")
    client.force_login(users["reviewer"])
    client.post(f"/projects/{project.pk}/return/", {"comment": "请补充总成本测算依据"})

    entries = project_history(project)
    returned, submitted = entries[0], entries[1]
    assert [(t.action, t.comment) for t in returned.transitions] == [("return", "请补充总成本测算依据")]
    assert returned.user == users["reviewer"] and submitted.user == users["filler"]
    assert returned.lines == []  # the status change is the transition itself

    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "退回：已提交 → 已退回，意见：请补充总成本测算依据" in page
    assert "提交：草稿 → 已提交" in page


def test_no_screen_edits_or_deletes_history(db, admin_client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    for model in (Project, Goal, Indicator):
        assert not admin.site.is_registered(model.history.model)
    record = Project.history.filter(id=project.pk).earliest("history_date")
    url = f"/admin/projects/project/{project.pk}/history/{record.history_id}/"
    count = Project.history.count()
    admin_client.post(url, {"name": "改名", "status": "draft"})  # the revert form, disabled
    assert Project.objects.get(pk=project.pk).status == "submitted"
    assert Project.objects.get(pk=project.pk).name == project.name
    assert Project.history.count() == count
    transition = project.transitions.get()
    assert (
        admin_client.post(f"/admin/projects/transition/{transition.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert project.transitions.count() == 1


def test_one_save_that_inserts_and_moves_rows_reads_as_what_was_done(db, django_user_model):
    """The editor sends each row's id: an inserted row is 新增, a row moved to another place
    is 移动 (with its old and new place); rows only shifted by the insertion are not listed."""
    from projects.documents.data import project_to_dict
    from projects.services import replace_goals

    users = people(django_user_model)
    project = clean_project()
    goals = project_to_dict(Project.objects.with_tree().get(pk=project.pk))["goals"]
    for goal in goals:
        stored = Indicator.objects.filter(goal__project=project, goal__term=goal["term"]).order_by("position")
        for row, row_id in zip(goal["indicators"], stored.values_list("id", flat=True), strict=True):
            row["id"] = row_id
    rows = goals[1]["indicators"]
    new = {
        "level1": "产出指标",
        "level2": "数量指标",
        "level3": "培训人次",
        "value": "≥50人次",
        "basis": "计划标准",
    }
    rows.insert(1, new)  # inserted as row 2 …
    rows.insert(4, rows.pop(1))  # … then moved down to row 5
    rows.insert(0, rows.pop(6))  # 用户满意度 moved to the top
    rows[3]["value"] = "≥99.5%"  # 系统可用率, shifted by the moves, and changed
    replace_goals(Project.objects.get(pk=project.pk), goals, user=users["filler"])

    latest = project_history(project)[0]
    assert latest.summary == "指标：新增1行、移动1行、修改1行"
    assert lines_of(latest) == [
        ("年度绩效目标1 第1行（用户满意度）", "移动", [("位置", "第6行", "第1行")]),
        ("年度绩效目标1 第4行（系统可用率）", "修改", [("指标值", "≥99%", "≥99.5%")]),
        (
            "年度绩效目标1 第6行（培训人次）",
            "新增",
            [
                ("一级指标", "", "产出指标"),
                ("二级指标", "", "数量指标"),
                ("三级指标", "", "培训人次"),
                ("指标值", "", "≥50人次"),
                ("指标值确定依据", "", "计划标准"),
            ],
        ),
    ]


def test_a_changed_sentence_is_not_followed_by_a_second_stop():
    from django.template.loader import render_to_string
    from django.utils import timezone

    from projects.history import Change, Entry, Line

    changes = [Change("立项依据", "旧的依据。", "新的依据。"), Change("项目预算", "10", "12")]
    entry = Entry(at=timezone.now(), user=None, lines=[Line("项目", "修改", changes)])
    html = render_to_string("projects/_history_entries.html", {"entries": [entry]})
    assert "<ins>新的依据。</ins></span> <span" in html
    assert "。</ins></span>；" not in html
    assert "<ins>10</ins>" not in html and "<del>10</del> → <ins>12</ins>" in html


def _editor_goals(project):
    """The project's goals as the editor sends them: every goal and row with its stored id."""
    from projects.documents.data import project_to_dict

    goals = project_to_dict(Project.objects.with_tree().get(pk=project.pk))["goals"]
    for goal in goals:
        stored = Indicator.objects.filter(goal__project=project, goal__term=goal["term"]).order_by("position")
        for row, row_id in zip(goal["indicators"], stored.values_list("id", flat=True), strict=True):
            row["id"] = row_id
    return goals


NEW_ROW = {
    "level1": "产出指标",
    "level2": "数量指标",
    "level3": "培训人次",
    "value": "≥50人次",
    "basis": "计划标准",
}


def test_a_row_moved_up_past_a_pasted_one_is_a_move(db, django_user_model):
    """A row pasted after row 2, then 用户满意度 moved up one place: the moved row keeps its
    number (6), only the row it passed is written; the save still reads 新增 and 移动."""
    from projects.services import replace_goals

    users = people(django_user_model)
    project = clean_project()
    goals = _editor_goals(project)
    rows = goals[1]["indicators"]
    rows.insert(2, {**NEW_ROW, "id": None})  # pasted after row 2
    rows.insert(5, rows.pop(6))  # 用户满意度 (now row 7) up one place
    replace_goals(Project.objects.get(pk=project.pk), goals, user=users["filler"])

    latest = project_history(project)[0]
    assert latest.summary == "指标：新增1行、移动1行"
    assert [(line.where, line.verb) for line in latest.lines] == [
        ("年度绩效目标1 第7行（政务服务覆盖率）", "移动"),
        ("年度绩效目标1 第3行（培训人次）", "新增"),
    ]
    assert latest.lines[0].changes[0].before == "第5行"


def test_a_deleted_row_and_a_new_one_in_its_place_are_not_one_change(db, django_user_model):
    """Row 6 deleted and a new row added (it takes number 6): two rows, not one 修改."""
    from projects.services import replace_goals

    users = people(django_user_model)
    project = clean_project()
    goals = _editor_goals(project)
    rows = goals[1]["indicators"]
    rows.pop()  # 用户满意度
    rows.append({**NEW_ROW, "level3": "A新增的行", "id": None})  # the editor: a new row has no id
    replace_goals(Project.objects.get(pk=project.pk), goals, user=users["filler"])

    latest = project_history(project)[0]
    assert latest.summary == "指标：新增1行、删除1行"
    assert [(line.where, line.verb) for line in latest.lines] == [
        ("年度绩效目标1 第6行（用户满意度）", "删除"),
        ("年度绩效目标1 第6行（A新增的行）", "新增"),
    ]


def test_a_save_that_replaced_every_goal_still_reads_as_changes(db):
    """Records written before rows kept their identity (every goal and row deleted and created
    again by one save) are still paired by place: the changed row reads as 修改."""
    from simple_history.utils import bulk_create_with_history

    project = clean_project()
    old_goals = list(Goal.objects.filter(project=project).order_by("term", "position"))
    old_rows = [list(goal.indicators.order_by("position")) for goal in old_goals]
    for goal in old_goals:
        goal.delete()
    for goal, rows_before in zip(old_goals, old_rows, strict=True):
        new_goal = Goal.objects.create(
            project=project, term=goal.term, position=goal.position, name=goal.name, text=goal.text
        )
        rows = []
        for row in rows_before:
            value = "≥5个" if row.level3 == "运维系统数量" and goal.term == "annual" else row.value
            rows.append(
                Indicator.build(
                    goal=new_goal,
                    position=row.position,
                    **{name: getattr(row, name) for name in ("level1", "level2", "level3", "basis")},
                    value=value,
                )
            )
        bulk_create_with_history(rows, Indicator)

    assert lines_of(project_history(project)[0]) == [
        ("年度绩效目标1 第2行（运维系统数量）", "修改", [("指标值", "≥3个", "≥5个")])
    ]
