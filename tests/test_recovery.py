"""A full JSON backup restores into an empty database to the identical state."""

import json
from io import StringIO

from django.core.management import call_command
from django.db import connection

from indicators.models import Indicator
from projects.models import ApprovalSnapshot, Goal, Project, Status, Transition

from .conftest import export_json, without_ids
from .workflow_helpers import clean_project, people


def empty_the_database():
    """No projects and no record. Accounts and their units stay: a restore onto a new
    server first recreates them (adduser), then imports the backup."""
    for model in (ApprovalSnapshot, Transition, Indicator, Goal, Project):
        model.objects.all()._raw_delete(connection.alias)  # snapshots refuse delete() on purpose


def test_a_full_backup_restores_states_steps_and_snapshots(seed, django_user_model, tmp_path):
    users = people(django_user_model)
    first, second, third = (clean_project(name=name) for name in ("政务云运维", "数据治理", "热线服务"))
    first.submit(users["filler"], confirm_warnings=True)
    first.approve(users["reviewer"], "同意批复")
    second.submit(users["filler"], confirm_warnings=True)
    second.send_back(users["reviewer"], "请补充满意度依据")
    third.submit(users["filler"], confirm_warnings=True)
    third.approve(users["reviewer"], "同意")
    third.reopen(users["reviewer"], "预算调整")

    backup = export_json(full=True)
    path = tmp_path / "full.json"
    path.write_text(json.dumps(backup, ensure_ascii=False), encoding="utf-8")
    states = dict(Project.objects.values_list("name", "status"))
    assert set(states.values()) == {Status.DRAFT, Status.APPROVED, Status.RETURNED}

    empty_the_database()
    assert not Project.objects.exists() and not ApprovalSnapshot.objects.exists()
    call_command("import_approvals", str(path), "--restore", stdout=StringIO())

    assert dict(Project.objects.values_list("name", "status")) == states
    assert without_ids(export_json(full=True)) == without_ids(backup)
    restored = Project.objects.get(name=first.name)
    snapshot = restored.snapshots.get()
    assert (snapshot.approved_by, snapshot.comment) == (users["reviewer"], "同意批复")
    assert snapshot.data["status"] == Status.APPROVED
    steps = list(Project.objects.get(name=third.name).transitions.values_list("action", "comment"))
    assert steps == [("submit", ""), ("approve", "同意"), ("reopen", "预算调整")]


def test_the_plain_export_keeps_its_documented_shape(seed):
    project = export_json()["projects"][0]
    assert "transitions" not in project and "approvals" not in project


def test_restoring_twice_does_not_duplicate_the_record(seed, django_user_model, tmp_path):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"], confirm_warnings=True)
    project.approve(users["reviewer"], "同意")
    path = tmp_path / "full.json"
    path.write_text(json.dumps(export_json(full=True), ensure_ascii=False), encoding="utf-8")
    call_command("import_approvals", str(path), "--restore", stdout=StringIO())
    assert ApprovalSnapshot.objects.count() == 1
    assert Transition.objects.count() == 2
