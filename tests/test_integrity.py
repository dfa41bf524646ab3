"""The workflow owns the state: no file and no race changes an approved target behind it.

Issue 12: an Excel import overwrote an approved project and left it 已批复; a
renamed sheet created a project directly as 已批复; a JSON backup imported into
a live database rolled projects back; an import racing 提交 wrote the old state
back; two people creating the same project at once got a 500.
"""

import io
import json
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator
from projects.documents.data import project_to_dict
from projects.documents.layout import build_sheet
from projects.documents.writers.xlsx import write_project
from projects.models import ApprovalSnapshot, Project, Role, Status, Transition
from projects.permissions import SYSTEM
from projects.services import import_projects

from .conftest import SEED_TEXT, export_json
from .workflow_helpers import UNIT, clean_project, member, people

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and concurrent writers: PostgreSQL"
)


def everything():
    """Every stored fact an import could touch, to compare before and after."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Transition.objects.order_by("pk").values()),
        list(ApprovalSnapshot.objects.order_by("pk").values("pk", "data", "version")),
    )


def approved_project(users, name="政务云平台运维项目"):
    project = clean_project(name=name)
    project.submit(users["filler"], confirm_warnings=True)
    project.approve(users["reviewer"], "同意")
    return Project.objects.with_tree().get(pk=project.pk)


def workbook_with(project, replace):
    """Our own Excel sheet of `project`, with cell texts changed by `replace(text)`."""
    workbook = load_workbook(io.BytesIO(write_project(project)))
    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = replace(cell.value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_the_excel_command_line_import_of_an_approved_project_is_refused(db, django_user_model, tmp_path):
    users = people(django_user_model)
    project = approved_project(users)
    path = tmp_path / "批复表.xlsx"
    path.write_bytes(workbook_with(project, lambda text: text.replace("≤100万元", "≤1万元")))
    before, sheet_before = everything(), build_sheet(project).grid()

    with pytest.raises(CommandError) as refused:
        call_command("import_approvals", str(path), stdout=StringIO())

    assert "已批复" in str(refused.value) and "未导入任何数据" in str(refused.value)
    assert "。；" not in str(refused.value) and str(refused.value).count("未导入任何数据") == 1
    assert everything() == before
    fresh = Project.objects.with_tree().get(pk=project.pk)
    assert build_sheet(fresh).grid() == sheet_before
    assert fresh.snapshots.get().data == project_to_dict(fresh)


def test_a_renamed_sheet_of_an_approved_project_is_imported_as_a_draft(db, django_user_model, tmp_path):
    users = people(django_user_model)
    project = approved_project(users)
    path = tmp_path / "改名.xlsx"
    path.write_bytes(workbook_with(project, lambda text: text.replace(project.name, "改名后的项目")))

    call_command("import_approvals", str(path), stdout=StringIO())

    renamed = Project.objects.get(name="改名后的项目")
    assert renamed.status == Status.DRAFT
    assert not renamed.transitions.exists() and not renamed.snapshots.exists()
    assert Project.objects.get(pk=project.pk).status == Status.APPROVED


def test_a_backup_imported_without_restore_sets_no_state(db, django_user_model, tmp_path):
    users = people(django_user_model)
    approved_project(users)
    backup = export_json(full=True)
    backup["projects"][0]["name"] = "备份中的另一个项目"
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(backup, ensure_ascii=False), encoding="utf-8")
    out = StringIO()

    call_command("import_approvals", str(path), stdout=out)

    created = Project.objects.get(name="备份中的另一个项目")
    assert created.status == Status.DRAFT
    assert not created.transitions.exists() and not created.snapshots.exists()
    assert "--restore" in out.getvalue() and "未导入" in out.getvalue()


def test_restore_into_a_database_that_differs_refuses_and_names_every_project(
    db, django_user_model, tmp_path
):
    users = people(django_user_model)
    reopened = approved_project(users, "政务云平台运维项目")
    approved_later = clean_project(name="数据治理项目")
    approved_later.submit(users["filler"], confirm_warnings=True)
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(export_json(full=True), ensure_ascii=False), encoding="utf-8")

    reopened.reopen(users["reviewer"], "预算调整")
    data = project_to_dict(Project.objects.with_tree().get(pk=reopened.pk))
    data.update(budget=Decimal(data["budget"]), rationale="调整后的依据")
    import_projects([data], user=SYSTEM)  # an edit of the reopened draft
    approved_later.approve(users["reviewer"], "同意")
    before = everything()

    with pytest.raises(CommandError) as refused:
        call_command("import_approvals", str(path), "--restore", stdout=StringIO())

    message = str(refused.value)
    assert "政务云平台运维项目（数据库中：草稿" in message and "备份中：已批复" in message
    assert "数据治理项目（数据库中：已批复" in message and "备份中：已提交" in message
    assert "未恢复任何数据" in message
    assert everything() == before


def test_restore_takes_only_our_json_backup(seed, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("import_approvals", str(SEED_TEXT), "--restore", stdout=StringIO())
    assert "只接受本系统导出的JSON备份" in str(refused.value)


def test_restore_leaves_identical_projects_alone_and_adds_the_missing_ones(db, django_user_model, tmp_path):
    users = people(django_user_model)
    approved_project(users)
    backup = export_json(full=True)
    extra = json.loads(json.dumps(backup["projects"][0]))
    extra["name"] = "只在备份中的项目"
    backup["projects"].append(extra)
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(backup, ensure_ascii=False), encoding="utf-8")

    call_command("import_approvals", str(path), "--restore", stdout=StringIO())

    restored = Project.objects.get(name="只在备份中的项目")
    assert restored.status == Status.APPROVED
    assert list(restored.transitions.values_list("action", flat=True)) == ["submit", "approve"]
    assert Transition.objects.count() == 4 and ApprovalSnapshot.objects.count() == 2


# -- races (PostgreSQL: real concurrent transactions) ------------------------------


def run_together(*jobs):
    """Run callables in threads released at the same moment; return (results, errors)."""
    from django.db import connections

    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the test inspects what each side got
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_racing_a_submit_never_reverts_the_state(django_user_model):
    users = people(django_user_model)
    project = clean_project()
    for attempt in range(12):
        Project.objects.filter(pk=project.pk).update(status=Status.DRAFT)
        data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
        data.update(budget=Decimal(data["budget"]), rationale=f"导入第{attempt}次")
        fresh = Project.objects.get(pk=project.pk)
        (_, _), (import_error, submit_error) = run_together(
            lambda data=data: import_projects([data], user=SYSTEM),
            lambda fresh=fresh: fresh.submit(users["filler"], confirm_warnings=True),
        )
        final = Project.objects.get(pk=project.pk)
        if submit_error is None:
            assert final.status == Status.SUBMITTED, f"attempt {attempt}: the import wrote the old state back"
        assert import_error is None or "只读" in str(import_error) or "已被他人修改" in str(import_error)
        last = final.transitions.order_by("-at", "-pk").first()
        if submit_error is None:
            assert last.version == final.version  # nothing was written after the submit


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", ["paste", "upload", "copy"])
def test_two_people_creating_the_same_project_at_once_get_a_message_not_a_500(django_user_model, way):
    filler_a = member(django_user_model, "filler_a", UNIT, Role.FILLER)
    filler_b = member(django_user_model, "filler_b", UNIT, Role.FILLER)
    unit = filler_a.memberships.get().department
    text = SEED_TEXT.read_text(encoding="utf-8")
    first_sheet = "2025" + text.split("2025")[1]
    source = clean_project(name="常年运维项目") if way == "copy" else None

    def request(user):
        """Everything up to the request that creates; returns that request, to run in a thread."""
        client = Client()
        client.force_login(user)
        if way == "paste":
            form = {"department": unit.pk, "text": first_sheet}
            return lambda: client.post(reverse("projects:paste"), form)
        if way == "upload":  # both have uploaded and seen the preview; both confirm at once
            upload = io.BytesIO(first_sheet.encode("utf-8"))
            upload.name = "批复表.txt"
            preview = client.post(reverse("projects:import"), {"department": unit.pk, "file": upload})
            client.get(preview["Location"])
            return lambda: client.post(f"{preview['Location']}confirm/", {"action": "confirm"})
        return lambda: client.post(reverse("projects:copy", args=[source.pk]))

    for attempt in range(4):
        Project.objects.exclude(pk=getattr(source, "pk", None)).delete()
        responses, errors = run_together(request(filler_a), request(filler_b))
        assert errors == [None, None], f"attempt {attempt}: {errors}"
        assert all(response.status_code in (200, 302) for response in responses)
        created = Project.objects.exclude(pk=getattr(source, "pk", None))
        assert created.count() == 1
