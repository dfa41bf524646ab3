"""Operations: log lines for 500s and refusals, the health URL, Chinese error pages,
exports that refuse an invalid filter, the lockout wording."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Role

from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, member, people


def test_the_health_url_answers_ok_while_the_database_answers(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_refused_workflow_step_leaves_a_log_line(db, django_user_model, caplog):
    users = people(django_user_model)
    project = clean_project()
    client = Client()
    client.force_login(users["reviewer"])
    with caplog.at_level(logging.WARNING, logger="perfgoals.workflow"):
        response = client.post(reverse("projects:approve", args=[project.pk]), {"comment": "同意"})
    assert response.status_code == 403
    line = next(r for r in caplog.records if r.name == "perfgoals.workflow")
    assert "approve" in line.getMessage() and "reviewer" in line.getMessage()
    assert f"project={project.pk}" in line.getMessage()


def test_a_refused_import_leaves_a_log_line(seed, caplog, tmp_path):
    from django.core.management import CommandError, call_command

    from projects.models import Project, Status

    from .conftest import SEED_TEXT

    Project.objects.filter(name="一窗受理工作项目").update(status=Status.APPROVED)
    changed = tmp_path / "changed.txt"
    changed.write_text(SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤1万元"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="perfgoals.imports"), pytest.raises(CommandError):
        call_command("import_approvals", str(changed), "--department", "鄂州市数据局")
    assert any("import refused" in r.getMessage() and "changed.txt" in r.getMessage() for r in caplog.records)


def test_an_unhandled_error_is_logged_and_answered_in_chinese(db, django_user_model, settings, caplog):
    """A view that fails with a database error that is not 'the database is away'."""
    from django.db import connection, transaction

    class Rollback(Exception):
        pass

    settings.DEBUG = False
    user = member(django_user_model, "filler", UNIT, Role.FILLER)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    project = clean_project()
    # Break the table under the page for this one request (a real 500, not a mock);
    # rolling back the savepoint puts the column back.
    with pytest.raises(Rollback), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE projects_project RENAME COLUMN rationale TO rationale_gone")
        with caplog.at_level(logging.ERROR, logger="django.request"):
            response = client.get(reverse("projects:detail", args=[project.pk]))
        raise Rollback
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "Server Error" not in page
    assert any(r.name == "django.request" and r.levelno == logging.ERROR for r in caplog.records)


@pytest.mark.parametrize(
    ("query", "problem"),
    [("year=abc", "年度"), ("department=OTHER", "预算单位"), ("status=weird", "状态")],
)
@pytest.mark.parametrize("url", ["projects:export_xlsx", "projects:export_rows"])
def test_an_export_refuses_an_invalid_filter_instead_of_exporting_everything(
    db, django_user_model, url, query, problem
):
    from projects.models import Department

    user = member(django_user_model, "filler", UNIT, Role.FILLER)
    clean_project()
    other = clean_project(unit=OTHER_UNIT, name="别的单位的项目")
    query = query.replace("OTHER", str(Department.objects.get(pk=other.department_id).pk))
    client = Client()
    client.force_login(user)

    response = client.get(f"{reverse(url)}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "筛选条件无效" in page and problem in page


def test_a_valid_filter_still_exports(db, django_user_model):
    user = member(django_user_model, "filler", UNIT, Role.FILLER)
    project = clean_project()
    client = Client()
    client.force_login(user)
    response = client.get(f"{reverse('projects:export_xlsx')}?year=2025&department={project.department_id}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.axes
def test_the_lockout_page_says_the_pause_in_minutes(client, django_user_model, settings):
    django_user_model.objects.create_user("clerk", password="right-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 429
    assert "登录已暂停15分钟" in page and "PT15M" not in page


def test_a_too_large_post_gets_a_chinese_page(client, db, django_user_model, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    user = member(django_user_model, "filler", UNIT, Role.FILLER)
    client.force_login(user)
    client.raise_request_exception = False
    # A page that is not a form answers with the error page (the form pages: tests/test_post_limits.py).
    response = client.post(reverse("logout"), {"text": "x" * 5000})
    assert response.status_code == 400
    page = response.content.decode()
    assert "超过上限" in page and "Bad Request" not in page
