"""The readers' header fields and the lines around the tables: our own Word export of an
approved project reads back (its 批复单位 / 批复日期 line skipped), checkbox ticks after
their labels, the official layout in 元, and 资金性质 written as plain text."""

import pytest
from django.urls import reverse

from indicators.values import normalize_number
from projects.documents.data import project_to_dict
from projects.documents.readers import read_projects
from projects.models import Project, YearSetting

from .results_helpers import approve_seed
from .workflow_helpers import people

FINANCE_BODY = "鄂州市财政局"
ROW_TEXTS = ("level1", "level2", "level3", "value", "basis")


def plain(projects):
    return [{**project, "budget": normalize_number(project["budget"])} for project in projects]


def as_read(project):
    """A stored project's data as a sheet gives it back: no id, no state, no approval, the
    indicators' texts (their parsed values are derived on import)."""
    data = project_to_dict(project)
    for key in ("id", "status", "approval"):
        data.pop(key, None)
    for goal in data["goals"]:
        goal["indicators"] = [{key: row[key] for key in ROW_TEXTS} for row in goal["indicators"]]
    return data


# -- 1. our Word export of an approved project --------------------------------


@pytest.fixture
def approved(seed, django_user_model):
    YearSetting.objects.create(year=2025, finance_body=FINANCE_BODY)
    users = people(django_user_model)
    return users, approve_seed(users)


def test_an_approved_projects_word_sheet_and_snapshot_read_back_to_its_data(approved, client):
    users, projects = approved
    project = Project.objects.with_tree().get(pk=projects["一窗受理工作项目"].pk)
    assert project.approval_date is not None and project.approval_body
    client.force_login(users["filler"])
    urls = [
        reverse("projects:sheet_docx", args=[project.pk]),
        reverse("projects:snapshot_docx", args=[project.pk, project.snapshots.get().pk]),
    ]
    for url in urls:
        content = client.get(url).content
        result = read_projects("批复表.docx", content)
        assert plain(result.projects) == [as_read(project)], url
        assert all("status" not in data for data in result.projects)


def test_the_batch_word_export_of_a_year_with_approved_projects_reads_back(approved, client):
    users, projects = approved
    client.force_login(users["filler"])
    content = client.get(reverse("projects:export_docx") + "?year=2025").content
    result = read_projects("批复表.docx", content)
    stored = [as_read(p) for p in Project.objects.with_tree().order_by("pk")]
    assert sorted(plain(result.projects), key=lambda p: p["name"]) == sorted(stored, key=lambda p: p["name"])
    assert len(projects) >= 2  # approved sheets (with their approval line) among the drafts


def test_an_approval_line_without_a_body_is_skipped_too(approved):
    """A year without a 财政部门 prints only `批复日期：…` under the sheet."""
    from projects.documents.layout import build_sheet
    from projects.documents.writers import docx as sheet_docx

    _, projects = approved
    project = Project.objects.with_tree().get(pk=projects["一窗受理工作项目"].pk)
    data = {**project_to_dict(project), "approval": {"body": "", "date": "2025-03-15"}}
    sheet = build_sheet(data)
    assert sheet.approval_date == "2025年3月15日" and not sheet.approval_body
    content, _ = sheet_docx.write_sheets([sheet])
    assert plain(read_projects("批复表.docx", content).projects) == [as_read(project)]
