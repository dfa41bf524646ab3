"""The admin (数据维护): scoped like the pages, read-only for submitted and approved projects.

An approved project changed in the admin would keep its status 已批复 while the
printed sheet shows the new figures as approved (issue 12). The change forms of a
locked project, its goals and its rows have no field to edit; a forged POST to
any of the admin's write URLs changes nothing. Drafts may be edited, and each
admin save counts as a new version, so an editor page opened earlier is refused.
"""

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import reverse

from indicators.models import Indicator
from projects.models import Department, Goal, Project, Status

from .editor_support import editor_data
from .test_url_permissions import everything
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, member, people


class FormFields(HTMLParser):
    """The named form fields of a page and the values a browser would send."""

    def __init__(self, html):
        super().__init__()
        self.names = []  # every named <input>, <textarea>, <select>
        self.data = {}
        self._textarea = self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag in ("input", "textarea", "select") and name:
            self.names.append(name)
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data[name] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def editable_names(html):
    return [name for name in FormFields(html).names if name != "csrfmiddlewaretoken"]


def form_data(client, url):
    """What the browser would post back from the change form at `url`, unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data = FormFields(response.content.decode()).data
    data.pop("csrfmiddlewaretoken", None)
    return data


def without_inline(data, prefix):
    """`data` without its inline forms (an empty formset): valid for any object."""
    data = {key: value for key, value in data.items() if not key.startswith(f"{prefix}-")}
    management = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    return {**data, **{f"{prefix}-{name}": "0" if name != "MAX_NUM_FORMS" else "1000" for name in management}}


def printed_sheet(client, project):
    page = client.get(reverse("projects:sheet", args=[project.pk])).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


@pytest.fixture
def world(db, django_user_model):
    users = people(django_user_model)
    draft = clean_project(name="草稿项目")
    submitted = clean_project(name="已提交项目")
    submitted.submit(users["filler"])
    approved = clean_project(name="已批复项目")
    approved.submit(users["filler"])
    approved.approve(users["reviewer"], "同意")
    other = clean_project(unit=OTHER_UNIT, name="别的单位的项目")
    # approved without a recorded step (restored from an old backup): no Transition protects it
    restored = clean_project(name="恢复的已批复项目")
    Project.objects.filter(pk=restored.pk).update(status=Status.APPROVED)
    return {
        "users": users,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "restored": restored,
        "other": other,
    }


@pytest.fixture
def admin_client(client, world):
    client.force_login(world["users"]["superuser"])
    return client


def parts(project):
    """The project, its first goal and that goal's first indicator row."""
    goal = project.goals.order_by("id").first()
    return project, goal, goal.indicators.order_by("id").first()


@pytest.mark.parametrize("which", ["approved", "submitted"])
@pytest.mark.parametrize("part", [0, 1, 2], ids=["project", "goal", "indicator"])
def test_a_locked_projects_change_forms_have_no_field_to_edit(world, admin_client, which, part):
    obj = parts(world[which])[part]
    page = admin_client.get(change_url(obj)).content.decode()
    assert editable_names(page) == []
    step = "重新打开" if which == "approved" else "退回"
    assert "内容只读" in page and f"请审核人先{step}该项目" in page  # why, and what to do
    assert 'name="_save"' not in page and "/delete/" not in page


def test_a_locked_projects_page_still_shows_its_content(world, admin_client):
    project, goal, row = parts(world["approved"])
    page = admin_client.get(change_url(project)).content.decode()
    assert "100万" in page and "经费拨款" in page and goal.text in page
    assert "重新打开" in page
    page = admin_client.get(change_url(goal)).content.decode()
    assert row.level3 in page and row.value in page


@pytest.mark.parametrize("which", ["approved", "draft"])
def test_a_past_version_is_shown_read_only(world, admin_client, which):
    project = world[which]
    version = Project.history.filter(id=project.pk).earliest("history_date")
    url = reverse("admin:projects_project_history", args=[project.pk]) + f"{version.history_id}/"
    page = admin_client.get(url).content.decode()
    assert editable_names(page) == [] and project.name in page


def test_a_drafts_change_forms_are_editable(world, admin_client):
    project, goal, row = parts(world["draft"])
    assert "budget" in editable_names(admin_client.get(change_url(project)).content.decode())
    goal_page = admin_client.get(change_url(goal)).content.decode()
    assert "text" in editable_names(goal_page) and "indicators-0-value" in editable_names(goal_page)
    assert "value" in editable_names(admin_client.get(change_url(row)).content.decode())
    assert "status" not in editable_names(admin_client.get(change_url(project)).content.decode())


def writes(client, source, target, bare):
    """Every write the admin offers, aimed at `target` and its parts (`bare`, a project
    of the same state without recorded steps, for the deletes a Transition would block),
    with the data of `source`'s real forms, re-pointed, plus changed content."""
    project, goal, row = parts(target)
    _, source_goal, source_row = parts(source)
    project_data = without_inline(form_data(client, change_url(source)), "goals")
    project_data.update(name=project.name, budget="999", rationale="批复后改动", status=Status.DRAFT)
    goal_data = without_inline(form_data(client, change_url(source_goal)), "indicators")
    goal_data.update(project=str(project.pk), text="批复后改动的目标")
    row_data = form_data(client, change_url(source_row))
    row_data.update(goal=str(goal.pk), value="≥1个")
    history_id = Project.history.filter(id=project.pk).earliest("history_date").history_id
    history_url = reverse("admin:projects_project_history", args=[project.pk]) + f"{history_id}/"

    def bulk_delete(name, obj):
        data = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        return (f"bulk delete {name}", reverse(f"admin:{name}_changelist"), data)

    return [
        ("change project", change_url(project), project_data),
        ("change goal", change_url(goal), goal_data),
        ("change row", change_url(row), row_data),
        ("delete project", delete_url(bare), {"post": "yes"}),
        ("delete goal", delete_url(goal), {"post": "yes"}),
        ("delete row", delete_url(row), {"post": "yes"}),
        # django-simple-history's revert saves an old version, status included
        ("revert", history_url, project_data),
        ("add goal", reverse("admin:projects_goal_add"), {**goal_data, "position": "9"}),
        ("add row", reverse("admin:indicators_indicator_add"), row_data),
        bulk_delete("projects_project", bare),
        bulk_delete("projects_goal", goal),
        bulk_delete("indicators_indicator", row),
    ]


def test_each_write_would_change_a_draft(world, admin_client):
    """The control for the test below: the same requests aimed at a draft do change it
    (so a refusal below is the lock, not a malformed request). Revert is never offered."""
    target = clean_project(name="第二个草稿项目")
    for label, url, data in writes(admin_client, world["draft"], target, target):
        before = everything()
        savepoint = transaction.savepoint()
        admin_client.post(url, data)
        assert (everything() != before) == (label != "revert"), label
        transaction.savepoint_rollback(savepoint)


def test_a_forged_post_changes_nothing_and_the_sheet_stays_as_approved(world, admin_client):
    approved = world["approved"]
    before, sheet = everything(), printed_sheet(admin_client, approved)
    history = (Project.history.count(), Goal.history.count(), Indicator.history.count())
    for label, url, data in writes(admin_client, world["draft"], approved, world["restored"]):
        response = admin_client.post(url, data)
        assert response.status_code in (200, 403), label  # refused, or the form with its error
        assert everything() == before, label
    assert printed_sheet(admin_client, approved) == sheet
    assert (Project.history.count(), Goal.history.count(), Indicator.history.count()) == history


def test_the_change_and_delete_urls_of_a_locked_project_answer_403(world, admin_client):
    project, goal, row = parts(world["approved"])
    for obj in (project, goal, row):
        assert admin_client.post(change_url(obj), {}).status_code == 403
        assert admin_client.post(delete_url(obj), {"post": "yes"}).status_code == 403
    history_id = Project.history.filter(id=project.pk).latest("history_date").history_id
    revert = reverse("admin:projects_project_history", args=[project.pk]) + f"{history_id}/"
    assert admin_client.post(revert, {}).status_code == 403


def test_a_draft_saved_in_the_admin_gets_a_new_version(world, admin_client):
    project = world["draft"]
    data = form_data(admin_client, change_url(project))
    data.update(budget="120", status=Status.APPROVED)  # a forged status is ignored
    assert admin_client.post(change_url(project), data).status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert (saved.budget, saved.status, saved.version) == (120, Status.DRAFT, project.version + 1)


@pytest.mark.parametrize("part", [1, 2], ids=["goal", "indicator"])
def test_a_goal_or_row_saved_in_the_admin_counts_as_a_new_version_of_its_project(world, admin_client, part):
    project = world["draft"]
    obj = parts(project)[part]
    data = form_data(admin_client, change_url(obj))
    data.update(text="改过的目标") if part == 1 else data.update(value="≥5个")
    assert admin_client.post(change_url(obj), data).status_code == 302
    assert Project.objects.get(pk=project.pk).version == project.version + 1
    if part == 1:
        assert Goal.objects.get(pk=obj.pk).text == "改过的目标"
    else:
        assert Indicator.objects.get(pk=obj.pk).value == "≥5个"


def test_an_inline_row_edit_counts_as_a_new_version(world, admin_client):
    project, goal, row = parts(world["draft"])
    data = form_data(admin_client, change_url(goal))
    index = next(
        key.split("-")[1] for key, value in data.items() if key.endswith("-id") and value == str(row.pk)
    )
    data[f"indicators-{index}-value"] = "≥7个"
    assert admin_client.post(change_url(goal), data).status_code == 302
    assert Indicator.objects.get(pk=row.pk).value == "≥7个"
    assert Project.objects.get(pk=project.pk).version == project.version + 1


def test_an_editor_page_opened_before_an_admin_save_gets_the_conflict_message(world, admin_client, client):
    project = world["draft"]
    filler = world["users"]["filler"]
    stale = editor_data(project, department=project.department, name=project.name, budget="8", goals=[])
    data = form_data(admin_client, change_url(project))
    data.update(budget="120")
    assert admin_client.post(change_url(project), data).status_code == 302
    client.force_login(filler)
    response = client.post(reverse("projects:edit", args=[project.pk]), stale)
    assert response.status_code == 409
    assert "其他人已修改" in response.content.decode()
    assert Project.objects.get(pk=project.pk).budget == 120


def test_the_admin_shows_a_staff_member_only_the_projects_of_their_units(world, client, django_user_model):
    from django.contrib.auth.models import Permission

    staff = member(django_user_model, "staff_filler", UNIT, "filler", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["projects", "indicators"])
    )
    client.force_login(staff)
    ours, theirs = world["draft"], world["other"]
    lists = ("project", "goal", "transition", "approvalsnapshot", "membership", "department")
    for url in [f"admin:projects_{name}_changelist" for name in lists] + [
        "admin:indicators_indicator_changelist"
    ]:
        page = client.get(reverse(url)).content.decode()
        assert "别的单位的项目" not in page and OTHER_UNIT not in page, url
    page = client.get(reverse("admin:projects_project_changelist")).content.decode()
    assert ours.name in page
    for obj in parts(theirs):
        assert client.get(change_url(obj)).status_code == 302  # "does not exist": back to the index
    page = client.get(reverse("admin:projects_department_changelist")).content.decode()
    assert UNIT in page and OTHER_UNIT not in page
    # a draft of their unit may be changed; another unit cannot be chosen
    page = client.get(change_url(ours)).content.decode()
    assert "budget" in editable_names(page) and OTHER_UNIT not in page
    assert Department.objects.restrict(staff, "edit").get().name == UNIT
