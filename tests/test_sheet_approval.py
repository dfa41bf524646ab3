"""The approved sheet names the approving body and date (批复单位 / 批复日期) of the
final review step, in every rendering of the one layout (page, PDF, Excel, Word), for
the live project and its approval snapshot; a sheet that is not approved names none."""

import io
import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from projects.documents import layout
from projects.documents.readers import read_projects
from projects.models import ApprovalSnapshot, Department, Membership, Project, Role, Scope, YearSetting

from .conftest import export_json, without_ids
from .test_recovery import empty_the_database
from .test_sheet_html import pdf_text
from .workflow_helpers import clean_project, member

MAIN, CHILD, FINANCE_BODY = "鄂州市数据局", "鄂州市政务服务中心", "鄂州市财政局"


def today_text():
    day = timezone.localdate()
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture
def approved(db, django_user_model):
    """A 所属单位's project approved through two-level review."""
    main = Department.objects.create(code="101", name=MAIN)
    Department.objects.create(code="101001", name=CHILD, parent=main)
    YearSetting.objects.create(year=2025, two_level=True, finance_body=FINANCE_BODY)
    filler = member(django_user_model, "tianbao", CHILD, Role.FILLER)
    first = member(django_user_model, "chushen", MAIN, Role.REVIEWER, first_name="楚深")
    Membership.objects.filter(user=first).update(scope=Scope.TREE)
    finance = member(django_user_model, "caizheng", MAIN, Role.FINANCE, first_name="蔡正")
    project = clean_project(unit=CHILD)
    project.submit(filler)
    project.pass_first_review(first, "同意报送")
    project.approve(finance, "同意")
    return filler, Project.objects.with_tree().get(pk=project.pk)


def test_the_layout_ends_an_approved_sheet_with_the_body_and_date(approved):
    _, project = approved
    sheet = layout.build_sheet(project)
    assert (sheet.approval_body, sheet.approval_date) == (FINANCE_BODY, today_text())
    assert sheet.blocks[-1].kind == "approval"
    assert sheet.grid()[-1] == [
        f"批复单位：{FINANCE_BODY}",
        None,
        None,
        f"批复日期：{today_text()}",
        None,
        None,
    ]
    snapshot = project.snapshots.get()
    assert layout.build_sheet(snapshot.data).grid() == sheet.grid()


def test_a_sheet_that_is_not_approved_names_no_approval(approved):
    _, project = approved
    project.reopen(Membership.objects.get(role=Role.FINANCE).user, "调整")
    sheet = layout.build_sheet(Project.objects.with_tree().get(pk=project.pk))
    assert sheet.mark == "未批复（草稿）" and sheet.blocks[-1].kind == "table"
    assert not any("批复单位" in (text or "") for row in sheet.grid() for text in row)


@pytest.mark.parametrize("which", ["live", "snapshot"])
def test_the_print_page_shows_the_body_and_date(approved, client, which):
    filler, project = approved
    client.force_login(filler)
    if which == "live":
        url = reverse("projects:sheet", args=[project.pk])
    else:
        url = reverse("projects:snapshot", args=[project.pk, project.snapshots.get().pk])
    page = client.get(url).content.decode()
    footer = re.search(r'<footer class="sheet-approval-line">(.*?)</footer>', page, re.S)[1]
    assert f"批复单位：{FINANCE_BODY}" in footer and f"批复日期：{today_text()}" in footer
    if which == "snapshot":  # the record of both steps, above the sheet
        assert f"初审通过：{MAIN} 楚深" in page and f"批复：{FINANCE_BODY} 蔡正" in page


@pytest.mark.parametrize("which", ["sheet_pdf", "snapshot_pdf"])
def test_the_pdf_shows_the_body_and_date(approved, client, tmp_path, which):
    filler, project = approved
    client.force_login(filler)
    args = [project.pk] + ([project.snapshots.get().pk] if which.startswith("snapshot") else [])
    text = pdf_text(client.get(reverse(f"projects:{which}", args=args)).content, tmp_path)
    assert f"批复单位：{FINANCE_BODY}" in text and f"批复日期：{today_text()}" in text


@pytest.mark.parametrize("which", ["sheet_xlsx", "snapshot_xlsx"])
def test_the_excel_sheet_shows_the_body_and_date_and_reads_back(approved, client, which):
    filler, project = approved
    client.force_login(filler)
    args = [project.pk] + ([project.snapshots.get().pk] if which.startswith("snapshot") else [])
    content = client.get(reverse(f"projects:{which}", args=args)).content
    worksheet = load_workbook(io.BytesIO(content)).active
    last = worksheet.max_row
    assert worksheet.cell(last, 1).value == f"批复单位：{FINANCE_BODY}"
    assert worksheet.cell(last, 4).value == f"批复日期：{today_text()}"
    assert f"A{last}:C{last}" in {str(r) for r in worksheet.merged_cells.ranges}
    # our own export reads back: the approval line is not taken for an indicator row
    parsed = read_projects("批复表.xlsx", content).projects[0]
    assert parsed["name"] == project.name
    assert len(parsed["goals"][1]["indicators"]) == 6


def test_an_excel_sheet_with_content_after_the_approval_line_is_refused(approved, client):
    from projects.documents.errors import ImportFormatError

    filler, project = approved
    client.force_login(filler)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("projects:sheet_xlsx", args=[project.pk])).content)
    )
    worksheet = workbook.active
    worksheet.cell(worksheet.max_row + 1, 1).value = "多出的一行"
    output = io.BytesIO()
    workbook.save(output)
    with pytest.raises(ImportFormatError, match="批复单位、批复日期之后不应有内容"):
        read_projects("批复表.xlsx", output.getvalue())


@pytest.mark.parametrize("which", ["sheet_docx", "snapshot_docx"])
def test_the_word_sheet_shows_the_body_and_date(approved, client, which):
    filler, project = approved
    client.force_login(filler)
    args = [project.pk] + ([project.snapshots.get().pk] if which.startswith("snapshot") else [])
    document = Document(io.BytesIO(client.get(reverse(f"projects:{which}", args=args)).content))
    last = [p.text for p in document.paragraphs if p.text.strip()][-1]
    assert last == f"批复单位：{FINANCE_BODY}\t批复日期：{today_text()}"


def test_a_snapshot_from_before_this_feature_prints_its_date(approved, client):
    filler, project = approved
    old = ApprovalSnapshot.objects.create(
        project=project,
        data={key: value for key, value in project.snapshots.get().data.items() if key != "approval"},
        version=1,
        approved_by_name="沈和",
    )
    client.force_login(filler)
    page = client.get(reverse("projects:snapshot", args=[project.pk, old.pk])).content.decode()
    footer = re.search(r'<footer class="sheet-approval-line">(.*?)</footer>', page, re.S)[1]
    assert "批复单位" not in footer and f"批复日期：{today_text()}" in footer


def test_the_json_names_the_approval_and_a_full_backup_restores_it(approved, tmp_path):
    _, project = approved
    document = export_json(full=True)
    data = next(p for p in document["projects"] if p["name"] == project.name)
    assert data["approval"] == {"body": FINANCE_BODY, "date": timezone.localdate().isoformat()}
    assert [t["body"] for t in data["transitions"]] == ["", MAIN, FINANCE_BODY]
    assert [s["label"] for s in data["approvals"][0]["steps"]] == ["初审通过", "批复"]
    path = tmp_path / "full.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    steps = project.snapshots.get().steps
    empty_the_database()
    call_command("import_approvals", str(path), "--restore", stdout=StringIO())
    restored = Project.objects.get(name=project.name)
    assert (restored.approval_body, restored.approval_date) == (FINANCE_BODY, timezone.localdate())
    assert restored.snapshots.get().steps == steps
    assert without_ids(export_json(full=True)) == without_ids(document)


def test_a_restored_backup_from_before_this_feature_dates_the_approval_by_its_step(db, tmp_path):
    project = {
        "year": 2025,
        "department": MAIN,
        "name": "旧备份项目",
        "budget": "10",
        "project_type": "recurring",
        "funding": ["appropriation"],
        "rationale": "",
        "status": "approved",
        "goals": [],
        "transitions": [
            {
                "action": "approve",
                "from_status": "submitted",
                "to_status": "approved",
                "user": None,
                "comment": "",
                "version": 3,
                "at": "2025-03-15T10:00:00+08:00",
            }
        ],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"format": "perfgoals/1", "projects": [project]}), encoding="utf-8")
    call_command("import_approvals", str(path), "--restore", stdout=StringIO())
    restored = Project.objects.get(name="旧备份项目")
    assert (restored.approval_body, restored.approval_date) == ("", date(2025, 3, 15))
