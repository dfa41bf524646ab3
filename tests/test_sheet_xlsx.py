"""Excel: the sheet on one worksheet, batch and flat exports, and reading our workbooks back."""

import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.checks import check_project
from indicators.models import Indicator
from projects.documents import layout
from projects.documents.errors import ImportFormatError
from projects.documents.readers.xlsx import read_workbook
from projects.documents.writers.xlsx import SUMMARY_HEADER, sheet_names, write_batch, write_project
from projects.models import Department, Project, Status

from .conftest import SEED_DEPARTMENT, SEED_TEXT, import_file
from .test_sheet_html import member


def workbook_of(data):
    return load_workbook(io.BytesIO(data))


def one_project(name="12345热线购买服务项目"):
    return Project.objects.with_tree().get(name=name, department__name=SEED_DEPARTMENT)


def state():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
    )


# -- one sheet -------------------------------------------------------------------


def test_the_worksheet_holds_every_value_and_merge_of_the_layout(seed):
    project = one_project()
    sheet = layout.build_sheet(project)
    ws = workbook_of(write_project(project)).active
    expected = {f"{r1 + 1}:{c1 + 1}:{r2 + 1}:{c2 + 1}" for r1, c1, r2, c2 in sheet.merges()}
    found = {f"{m.min_row}:{m.min_col}:{m.max_row}:{m.max_col}" for m in ws.merged_cells.ranges}
    assert found == expected
    assert "A14:A21" in {m.coord for m in ws.merged_cells.ranges}  # 长期绩效目标1 over its 8 rows
    grid = sheet.grid()
    for r, row in enumerate(grid, start=1):
        for c, text in enumerate(row, start=1):
            value = ws.cell(r, c).value
            assert (value or None) == (text or None), (r, c, value, text)
    assert ws.max_row == len(grid)
    assert ws["A2"].value == "2025年项目支出绩效目标批复"
    assert ws["B5"].value == "295万"


def test_merged_ranges_have_borders_on_every_edge_and_text_wraps(seed):
    ws = workbook_of(write_project(one_project())).active
    for merged in ws.merged_cells.ranges:
        if merged.max_row <= 3:  # mark, title and units print without a frame
            continue
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                border = ws.cell(r, c).border
                if c == merged.min_col:
                    assert border.left.style == "thin", (merged.coord, r, c)
                if c == merged.max_col:
                    assert border.right.style == "thin", (merged.coord, r, c)
                if r == merged.max_row:
                    assert border.bottom.style == "thin", (merged.coord, r, c)
    assert ws["B7"].alignment.wrap_text
    assert ws.row_dimensions[7].height > 40  # 立项依据: four lines of text
    assert ws.column_dimensions["D"].width > ws.column_dimensions["B"].width


def test_the_page_is_a4_portrait_fitted_to_width_with_title_rows_repeated(seed):
    ws = workbook_of(write_project(one_project())).active
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth 1 is the file format's default, so it may be left out of the file.
    assert ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$3"  # mark, title, units


def test_text_that_looks_like_a_formula_stays_text(seed):
    project = one_project()
    project.rationale = '=HYPERLINK("http://evil","点我")'
    goal = project.goals.all()[0]
    goal.text = "+86 123"
    row = goal.indicators.all()[0]
    row.level3 = "-1+1"
    row.value = "@SUM(A1)"
    wb = workbook_of(write_project(project))
    values = {cell.value: cell.data_type for ws_row in wb.active.iter_rows() for cell in ws_row if cell.value}
    for text in ('=HYPERLINK("http://evil","点我")', "+86 123", "-1+1", "@SUM(A1)"):
        assert values[text] == "s", text


def test_sheet_names_are_valid_unique_and_short():
    names = sheet_names(["汇总", "a/b:c*d?e[f]g\\h", "x" * 40, "x" * 40, "X" * 31, "'引号'"])
    assert names[0] == "汇总（2）"
    assert names[1] == "a_b_c_d_e_f_g_h"
    assert names[2] == "x" * 31 and names[3] == "x" * 28 + "（2）"
    assert names[4] == "X" * 28 + "（3）"  # Excel compares names case-insensitively
    assert names[5] == "引号"
    assert all(len(name) <= 31 for name in names) and len({n.lower() for n in names}) == len(names)


# -- batch and flat exports --------------------------------------------------------


@pytest.fixture
def two_units(seed, django_user_model):
    import_file(SEED_TEXT, "鄂州市财政局")
    return member(django_user_model, "filler", SEED_DEPARTMENT)


def test_the_batch_export_has_a_summary_and_one_sheet_per_visible_project(client, two_units):
    client.force_login(two_units)
    response = client.get(reverse("projects:export_xlsx"))
    wb = workbook_of(response.content)
    assert wb.sheetnames[0] == "汇总"
    assert len(wb.sheetnames) == 11  # the other unit's ten projects are not there
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0] == SUMMARY_HEADER
    assert {row[1] for row in summary[1:]} == {SEED_DEPARTMENT}
    visible = {p.name: p for p in Project.objects.with_tree().filter(department__name=SEED_DEPARTMENT)}
    for name, _unit, year, kind, budget, status, errors, warnings in summary[1:]:
        findings = check_project(visible[name])
        assert (year, kind, status) == (2025, "常年性项目", "草稿")
        assert budget == float(visible[name].budget)
        assert errors == sum(f.severity == "error" for f in findings)
        assert warnings == sum(f.severity == "warning" for f in findings)
    assert sum(row[6] for row in summary[1:]) > 0  # the seed's content errors are counted
    for title in wb.sheetnames[1:]:
        assert wb[title]["A2"].value == "2025年项目支出绩效目标批复"


def test_the_batch_export_applies_the_list_filters(client, two_units):
    client.force_login(two_units)
    wb = workbook_of(client.get(reverse("projects:export_xlsx"), {"q": "12345"}).content)
    assert wb.sheetnames == ["汇总", "12345热线购买服务项目"]
    Project.objects.filter(name="政府雇员经费").update(status=Status.APPROVED)
    wb = workbook_of(client.get(reverse("projects:export_xlsx"), {"status": "approved"}).content)
    assert wb.sheetnames == ["汇总", "政府雇员经费"]
    assert wb["政府雇员经费"]["A1"].value == "2025年项目支出绩效目标批复"  # approved: no mark row


def test_the_flat_export_has_one_row_per_visible_indicator(client, two_units):
    client.force_login(two_units)
    rows = list(
        workbook_of(client.get(reverse("projects:export_rows")).content).active.iter_rows(values_only=True)
    )
    visible = Indicator.objects.filter(goal__project__department__name=SEED_DEPARTMENT)
    assert len(rows) - 1 == visible.count()
    assert rows[0][:3] == ("年度", "预算单位", "项目名称")
    assert {row[1] for row in rows[1:]} == {SEED_DEPARTMENT}
    cost = next(row for row in rows[1:] if row[2] == "一窗受理工作项目" and row[11] == "总成本")
    assert cost[12:16] == ("≤266万元", "≤", 266, "万元")
    filtered = list(
        workbook_of(client.get(reverse("projects:export_rows"), {"q": "一窗"}).content).active.iter_rows(
            values_only=True
        )
    )
    assert {row[2] for row in filtered[1:]} == {"一窗受理工作项目"}


def test_the_batch_export_queries_do_not_grow_with_projects(client, two_units, django_assert_max_num_queries):
    client.force_login(two_units)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:export_xlsx")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:export_rows")).status_code == 200


def test_the_command_writes_the_batch_workbook_and_needs_an_output(seed, tmp_path):
    path = tmp_path / "all.xlsx"
    call_command("export_approvals", format="xlsx", output=str(path), year=2025, stderr=StringIO())
    assert len(load_workbook(path).sheetnames) == 11
    with pytest.raises(CommandError, match="-o"):
        call_command("export_approvals", format="xlsx", stdout=StringIO())


# -- reading back -----------------------------------------------------------------


def json_export():
    out = StringIO()
    call_command("export_approvals", stdout=out)
    document = json.loads(out.getvalue())
    for project in document["projects"]:
        project.pop("id")
    return document


def test_export_then_import_into_an_empty_database_gives_the_same_json(seed, tmp_path):
    Project.objects.filter(name="政府雇员经费").update(status=Status.APPROVED)
    Project.objects.filter(name="一窗受理工作项目").update(status=Status.RETURNED)
    tricky = Indicator.objects.filter(level3="总成本").first()
    tricky.level3 = "=1+1 仍是文本"
    tricky.save()
    goal = tricky.goal
    goal.text = "第一行\n第二行"
    goal.save()
    before = json_export()
    path = tmp_path / "all.xlsx"
    call_command("export_approvals", format="xlsx", output=str(path), stderr=StringIO())
    Project.objects.all().delete()
    Department.objects.all().delete()
    call_command("import_approvals", str(path), stdout=StringIO())
    # Everything but the state: a file never sets one, imported projects are drafts.
    for project in before["projects"]:
        project["status"] = Status.DRAFT
    assert json_export() == before


def test_a_project_with_an_empty_goal_table_and_empty_cells_survives_the_trip(seed):
    project = one_project()
    row = project.goals.all()[1].indicators.all()[2]
    Indicator.objects.filter(pk=row.pk).update(level3="", value="", basis="")
    project.goals.filter(term="long").first().indicators.all().delete()
    project = one_project()
    parsed = read_workbook(write_project(project)).projects[0]
    goals = {goal["name"]: goal for goal in parsed["goals"]}
    assert goals["长期绩效目标1"]["indicators"] == [] and goals["长期绩效目标1"]["term"] == "long"
    assert goals["年度绩效目标1"]["indicators"][2] == {
        "level1": "产出指标",
        "level2": "数量指标",
        "level3": "",
        "value": "",
        "basis": "",
    }


def save(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refused(data, tmp_path, name="book.xlsx"):
    """Import through the command; return its message after checking nothing changed."""
    path = tmp_path / name
    path.write_bytes(data)
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("import_approvals", str(path), stdout=StringIO())
    assert state() == before
    assert "未导入任何数据" in str(error.value)
    return str(error.value)


def changed_export(edit):
    """Our batch export of the seed, edited with openpyxl (merges are kept)."""
    buffer = io.BytesIO()
    write_batch(Project.objects.all(), buffer)
    wb = workbook_of(buffer.getvalue())
    edit(wb)
    return save(wb)


def test_a_workbook_that_is_not_ours_is_refused_naming_the_cell(seed, tmp_path):
    wb = Workbook()
    wb.active.title = "预算表"
    wb.active["A1"] = "部门预算表"
    message = refused(save(wb), tmp_path)
    assert "工作表“预算表”单元格A1" in message
    assert "不是本系统导出的批复表" in message


def test_a_changed_layout_is_refused_naming_the_sheet_and_cell(seed, tmp_path):
    def edit(wb):
        wb["政府雇员经费"]["C13"] = "二级"

    message = refused(changed_export(edit), tmp_path)
    assert "工作表“政府雇员经费”单元格A13" in message and "表头与批复表格式不符" in message


def test_a_formula_anywhere_is_refused_naming_the_sheet_and_cell(seed, tmp_path):
    def edit(wb):
        wb["12345热线购买服务项目"]["E16"] = "=1+1"

    message = refused(changed_export(edit), tmp_path)
    assert "工作表“12345热线购买服务项目”单元格E16：含有公式" in message


def test_a_decompression_bomb_is_refused_before_it_is_opened(seed, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))
    assert len(buffer.getvalue()) < 100_000
    message = refused(buffer.getvalue(), tmp_path)
    assert "xl/worksheets/sheet1.xml" in message and "疑似压缩炸弹" in message


def test_a_zip_with_too_many_entries_is_refused(seed, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(5001):
            archive.writestr(f"xl/media/{number}.xml", "")
    assert "超过上限5000" in refused(buffer.getvalue(), tmp_path)


def test_a_workbook_with_macros_is_refused(seed, tmp_path):
    source = zipfile.ZipFile(io.BytesIO(changed_export(lambda wb: None)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry, source.read(entry))
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")
    message = refused(buffer.getvalue(), tmp_path, "book.xlsm")
    assert "xl/vbaProject.bin" in message and "宏" in message


def test_a_damaged_file_is_refused_in_chinese(seed):
    with pytest.raises(ImportFormatError, match="不是有效的Excel工作簿"):
        read_workbook(b"PK\x03\x04 not really a zip")
