"""The approval sheet as Word, and an approval snapshot through the same layout as the
live sheet (page, Excel, PDF, Word)."""

import io
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from openpyxl import load_workbook

from projects.documents import layout
from projects.documents.data import project_to_dict
from projects.documents.writers import docx as sheet_docx
from projects.models import Project, Status
from projects.services import import_projects

from .workflow_helpers import clean_project, people


def paragraph_text(p):
    parts = []
    for element in p.iter():
        if element.tag == qn("w:t"):
            parts.append(element.text or "")
        elif element.tag == qn("w:br"):
            parts.append("\n")
    return "".join(parts)


def cell_texts(table):
    """Texts of a Word table as a rows × columns matrix; a merged area holds its text
    in its first cell and None elsewhere (as `layout.Sheet.grid` does)."""
    matrix = []
    for tr in table._tbl.tr_lst:
        row = []
        for tc in tr.tc_lst:
            span = tc.grid_span
            merged_below = tc.vMerge == "continue"
            text = "\n".join(paragraph_text(p) for p in tc.p_lst)
            row.append(None if merged_below else text)
            row.extend([None] * (span - 1))
        matrix.append(row)
    return matrix


def word_grid(document):
    """The tables' matrices, one after the other (what the layout's table rows give)."""
    return [row for table in document.tables for row in cell_texts(table)]


def layout_table_grid(sheet):
    """The layout's grid without the heading rows (mark, title, units: paragraphs in Word)."""
    heading = {row.number for row in sheet.header_rows}
    return [row for number, row in enumerate(sheet.grid()) if number not in heading]


@pytest.fixture
def approved(db, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"], confirm_warnings=True)
    project.approve(users["reviewer"], "同意。")
    return users, Project.objects.with_tree().get(pk=project.pk)


def test_the_word_sheet_holds_every_cell_and_merge_of_the_layout(seed):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    sheet = layout.build_sheet(project)
    document = Document(io.BytesIO(sheet_docx.write_sheet(sheet)))

    assert word_grid(document) == layout_table_grid(sheet)
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    assert paragraphs[:3] == [
        "未批复（草稿）　此表尚未批复，不作为批复依据",
        "2025年项目支出绩效目标批复",
        "预算单位：鄂州市数据局\t金额单位：万元",
    ]
    # 目标名称 is merged down the whole goal, 一级指标 down its run (产出指标 × 3 rows).
    long_table = document.tables[2]
    goal_cells = [tr.tc_lst[0].vMerge for tr in long_table._tbl.tr_lst[2:]]
    assert goal_cells[0] == "restart" and set(goal_cells[1:]) == {"continue"}


def test_the_word_document_is_a4_portrait_in_songti_with_borders(seed):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    document = Document(io.BytesIO(sheet_docx.write_sheet(layout.build_sheet(project))))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.page_width < section.page_height
    title = next(p for p in document.paragraphs if p.text == "2025年项目支出绩效目标批复")
    run = title.runs[0]
    assert run.font.bold and run.font.size.pt == 18
    assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    for table in document.tables:
        assert table.style.name == "Table Grid"  # single black borders on every cell
    header = document.tables[2].rows[1]  # 目标名称 | 一级指标 | … : six cells, no merge
    assert len(header.cells) == 6
    assert abs(sum(cell.width for cell in header.cells) - Cm(17.4)) < Cm(0.05)  # the usable A4 width
    header = document.tables[2].rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on every page
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "NUMPAGES" in footer and "第 " in document.sections[0].footer.paragraphs[0].text


def test_an_approved_sheet_carries_no_mark(approved):
    _, project = approved
    document = Document(io.BytesIO(sheet_docx.write_sheet(layout.build_sheet(project))))
    assert not any("未批复" in p.text for p in document.paragraphs)


def test_the_batch_puts_each_project_on_its_own_page(seed, client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password=None)
    client.force_login(user)
    response = client.get(f"{reverse('projects:export_docx')}?department={seed[0].department_id}")
    assert response.status_code == 200
    assert response["Content-Type"] == sheet_docx.CONTENT_TYPE
    document = Document(io.BytesIO(response.content))
    titles = [p.text for p in document.paragraphs if p.text == "2025年项目支出绩效目标批复"]
    assert len(titles) == 10
    breaks = document.element.body.xml.count('w:type="page"')
    assert breaks == 9
    names = {cell_texts(t)[0][1] for t in document.tables if cell_texts(t)[0][0] == "项目名称"}
    assert names == {p.name for p in seed}


def test_the_snapshot_is_drawn_by_the_same_layout_as_the_live_sheet(approved):
    users, project = approved
    live_grid = layout.build_sheet(project).grid()
    snapshot = project.snapshots.get()
    assert layout.build_sheet(snapshot.data).grid() == live_grid

    # Reopened and changed: the snapshot still prints what was approved.
    project.reopen(users["reviewer"], "预算调整")
    data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
    data["goals"][1]["indicators"][0]["value"] = "≤80万元"
    from decimal import Decimal

    import_projects([{**data, "budget": Decimal("80")}])
    client = Client()
    client.force_login(users["filler"])
    page = client.get(reverse("projects:snapshot", args=[project.pk, snapshot.pk])).content.decode()
    assert "sheet-table" in page and "≤100万元" in page and "≤80万元" not in page
    assert "第1次批复" in page and "批复意见：同意。本页" in page and "同意。。" not in page
    assert "未批复" not in page
    live = client.get(reverse("projects:sheet", args=[project.pk])).content.decode()
    assert "≤80万元" in live and "未批复（草稿）" in live


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_the_snapshot_downloads_hold_what_was_approved(approved, fmt):
    users, project = approved
    snapshot = project.snapshots.get()
    project.reopen(users["reviewer"], "预算调整")
    data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
    from decimal import Decimal

    import_projects([{**data, "budget": Decimal("80"), "rationale": "改过的依据"}])
    client = Client()
    client.force_login(users["reviewer"])

    response = client.get(reverse(f"projects:snapshot_{fmt}", args=[project.pk, snapshot.pk]))

    assert response.status_code == 200
    assert (
        "批复存档" in response["Content-Disposition"]
        or "%E6%89%B9%E5%A4%8D%E5%AD%98%E6%A1%A3" in (response["Content-Disposition"])
    )
    if fmt == "xlsx":
        worksheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        texts = {cell.value for row in worksheet.iter_rows() for cell in row if cell.value}
    elif fmt == "docx":
        document = Document(io.BytesIO(response.content))
        texts = {c for t in document.tables for row in cell_texts(t) for c in row if c}
    else:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        texts = set(text.split())
    joined = " ".join(texts)
    assert "100万" in joined and "改过的依据" not in joined and "《鄂州市政务云管理办法》" in joined
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT
