"""Real documents in other shapes: published target tables of five provinces, Word files,
units' own Excel sheets, the seed as a Word document (issue 11)."""

import io
import json
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook

from indicators.models import Indicator
from indicators.values import normalize_number
from projects.documents import limits
from projects.documents.errors import ImportFormatError
from projects.documents.layout import build_sheet
from projects.documents.readers import read_projects
from projects.documents.readers.grid import grid_from_text
from projects.documents.readers.recognize import recognize
from projects.documents.readers.text import parse_sheets
from projects.models import Department, Project, Status
from projects.permissions import SYSTEM

from .conftest import SEED_TEXT, upload_and_confirm
from .test_sheet_html import member

VARIANTS = Path(__file__).resolve().parents[1] / "fixtures" / "variants"
NAMES = [
    "anhui-jinan-2025",
    "chongqing-fengjie-2023",
    "guangdong-dongguan-2019",
    "tianjin-baodi-2022",
    "hunan-ningxiang-2021",
]


def build_fixtures(target):
    """Run fixtures/variants/build.py (not a package) into `target`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("variants_build", VARIANTS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(target)


def expected(name):
    return json.loads((VARIANTS / f"{name}.expected.json").read_text(encoding="utf-8"))


def read(path):
    return read_projects(path.name, path.read_bytes())


def plain(projects):
    return [{**project, "budget": normalize_number(project["budget"])} for project in projects]


def report(result):
    return {key: [str(item) for item in getattr(result, key)] for key in ("repairs", "skipped", "unplaced")}


def without_place(items):
    return [item.split("：", 1)[1] for item in items]


# -- the published tables ------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_each_published_table_reads_to_its_expected_data_and_report(name):
    result = read(VARIANTS / f"{name}.txt")
    assert plain(result.projects) == expected(name)["projects"]
    assert report(result) == expected(name)["report"]
    assert all("status" not in project for project in result.projects)


def test_the_fixtures_come_from_five_provinces_and_name_their_source():
    sources = [expected(name)["source"] for name in NAMES]
    assert len({source["province"] for source in sources}) == 5
    for source in sources:
        assert source["url"].startswith("http") and source["publisher"] and source["date"]
        assert source["url"] in (VARIANTS / "README.md").read_text(encoding="utf-8")


def test_a_blank_placeholder_row_is_skipped_and_named_not_a_refusal():
    result = read(VARIANTS / "chongqing-fengjie-2023.txt")
    assert [str(item) for item in result.skipped] == [
        "第17行：“社会成本指标”下没有三级指标和指标值：空白占位行，已跳过。",
        "第18行：“生态环境成本指标”下没有三级指标和指标值：空白占位行，已跳过。",
    ]
    assert len(result.projects[0]["goals"][0]["indicators"]) == 1


def test_long_term_and_annual_indicators_side_by_side_go_to_their_goals():
    project = read(VARIANTS / "guangdong-dongguan-2019.txt").projects[0]
    long, annual = project["goals"]
    assert (long["term"], long["name"], annual["term"], annual["name"]) == (
        "long",
        "长期绩效目标1",
        "annual",
        "年度绩效目标1",
    )
    assert long["text"].startswith("新建或改造道路") and annual["text"].startswith("督促勘察设计单位")
    assert long["indicators"][2]["level2"] == "时效指标(工期指标)"
    assert annual["indicators"][2]["level2"] == "时效指标(工期指标、形象进度指标)"


# -- Word and Excel built in the published layout --------------------------------


@pytest.mark.parametrize(
    ("built", "name", "place"),
    [
        ("anhui-jinan-2025.docx", "anhui-jinan-2025", "第1个表格第"),
        ("chongqing-fengjie-2023.xlsx", "chongqing-fengjie-2023", "工作表“绩效目标审批表”"),
    ],
)
def test_the_word_and_excel_fixtures_read_like_their_text_copies(built, name, place, tmp_path):
    build_fixtures(tmp_path)
    for path in (VARIANTS / built, tmp_path / built):
        result = read(path)
        assert plain(result.projects) == expected(name)["projects"]
        for key, items in expected(name)["report"].items():
            found = [str(item) for item in getattr(result, key)]
            assert without_place(found) == without_place(items)
            assert all(item.startswith(place) for item in found)


def test_the_word_fixture_really_has_merged_cells():
    with zipfile.ZipFile(VARIANTS / "anhui-jinan-2025.docx") as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<w:vMerge/>" in xml or 'w:vMerge w:val="continue"' in xml or "<w:vMerge />" in xml
    assert "w:gridSpan" in xml


def test_the_excel_fixture_really_has_merged_cells():
    from openpyxl import load_workbook

    sheet = load_workbook(VARIANTS / "chongqing-fengjie-2023.xlsx").active
    ranges = {str(r) for r in sheet.merged_cells.ranges}
    assert "B16:B18" in ranges  # 成本指标 over its three rows (two are placeholders)
    assert "A15:A18" in ranges  # the table caption


# -- the seed in Word and in a unit's own Excel, in the official layout ----------


def _wingdings(paragraph, ticked):
    run = OxmlElement("w:r")
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), "Wingdings")
    sym.set(qn("w:char"), "F0FE" if ticked else "F0A8")
    run.append(sym)
    paragraph._p.append(run)


def official_rows(project):
    """The official sheet's rows (title and amount unit as paragraphs, then the table)."""
    sheet = build_sheet(project)
    rows = [row for row in sheet.rows if row.kind not in ("mark", "title", "unit")]
    return sheet, rows


def seed_docx(projects, symbols=False):
    """The seed sheets as the Word document they were copied from: merged cells, ☑ boxes."""
    document = Document()
    for project in projects:
        sheet, rows = official_rows(project)
        document.add_paragraph(sheet.title)
        document.add_paragraph("金额单位：万元")
        table = document.add_table(rows=len(rows), cols=sheet.columns)
        for r, row in enumerate(rows):
            for cell in row.cells:
                target = table.cell(r, cell.col)
                if symbols and cell.role == "options":
                    paragraph = target.paragraphs[0]
                    for option in cell.text.split(" "):
                        _wingdings(paragraph, option.startswith("☑"))
                        paragraph.add_run(option[1:] + " ")
                else:
                    target.text = cell.text
        for r, row in enumerate(rows):
            for cell in row.cells:
                if cell.colspan > 1 or cell.rowspan > 1:
                    origin = table.cell(r, cell.col)
                    paragraphs = len(origin.paragraphs)
                    origin.merge(table.cell(r + cell.rowspan - 1, cell.last_col))
                    for extra in origin.paragraphs[paragraphs:]:
                        extra._p.getparent().remove(extra._p)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def seed_projects():
    return list(Project.objects.with_tree().order_by("pk"))


def test_the_seed_as_a_word_document_reads_back_to_the_seed_text_data(seed):
    data = seed_docx(seed_projects())
    result = read_projects("鄂州市数据局2025.docx", data)
    assert result.projects == parse_sheets(SEED_TEXT.read_text(encoding="utf-8")).projects
    assert sum(len(g["indicators"]) for p in result.projects for g in p["goals"]) == 110
    assert result.repairs == []  # a Word table has no shifted cells


def test_wingdings_checkbox_symbols_are_read_as_ticks(seed):
    projects = seed_projects()
    Project.objects.filter(pk=projects[0].pk).update(
        project_type="one_off", funding=["appropriation", "non_tax"]
    )
    data = seed_docx(Project.objects.with_tree().filter(pk=projects[0].pk), symbols=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "F0FE" in archive.read("word/document.xml").decode()
    (project,) = read_projects("symbols.docx", data).projects
    assert project["project_type"] == "one_off"
    assert project["funding"] == ["appropriation", "non_tax"]


def test_a_units_own_excel_in_the_official_layout_is_read(seed):
    """Not our export (no 预算单位 row, its own sheet name): read as the official sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number, project in enumerate(seed_projects(), start=1):
        sheet, rows = official_rows(project)
        ws = workbook.create_sheet(f"表{number}")
        ws.cell(1, 1, sheet.title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        ws.cell(2, 1, "金额单位：万元")
        for r, row in enumerate(rows, start=3):
            for cell in row.cells:
                ws.cell(r, cell.col + 1, cell.text or None)
                if cell.colspan > 1 or cell.rowspan > 1:
                    ws.merge_cells(
                        start_row=r,
                        start_column=cell.col + 1,
                        end_row=r + cell.rowspan - 1,
                        end_column=cell.last_col + 1,
                    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_projects("单位自制.xlsx", buffer.getvalue())
    assert result.projects == parse_sheets(SEED_TEXT.read_text(encoding="utf-8")).projects


# -- the recognizer's column handling, on small tables written for the purpose ----


HEADER = ("目标名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值")


def recognized(rows):
    return recognize(grid_from_text("\n".join("\t".join(row) for row in rows)))


def test_comparator_value_and_unit_columns_are_joined_and_extra_columns_reported():
    result = recognized(
        [
            ["2024年项目支出绩效目标表"],
            ["金额单位：元"],
            ["项目支出名称", "社区养老服务补助", "资金总额", "2,660,000"],
            ["项目属性", "延续性项目"],
            [*HEADER[:6], "度量单位", "权重", "指标方向性", "指标值确定依据", "备注"],
            [
                "年度绩效目标1",
                "产出指标",
                "数量指标",
                "服务老人人数",
                "≥",
                "1200",
                "人",
                "20",
                *("正向指标", "计划标准", ""),
            ],
            ["", "", "质量指标", "服务合格率", "大于等于", "98", "%", "20", "正向指标", "行业标准", "抽查"],
            [
                "",
                "成本指标",
                "经济成本指标",
                "补助总成本",
                "≤",
                "266",
                "万元",
                "10",
                "反向指标",
                "预算支出标准",
                "",
            ],
            [
                "",
                "满意度指标",
                "服务对象满意度指标",
                "老人满意度",
                "定性",
                "明显提高",
                "",
                "10",
                "",
                "其他标准",
                "",
            ],
        ]
    )
    (project,) = result.projects
    assert project["budget"] == Decimal("266")
    assert project["project_type"] == "continuing"
    (goal,) = project["goals"]
    assert goal["name"] == "年度绩效目标1" and goal["term"] == "annual"
    values = [(row["level1"], row["level2"], row["value"], row["basis"]) for row in goal["indicators"]]
    assert values == [
        ("产出指标", "数量指标", "≥1200人", "计划标准"),
        ("产出指标", "质量指标", "≥98%", "行业标准"),
        ("成本指标", "经济成本指标", "≤266万元", "预算支出标准"),
        ("满意度指标", "服务对象满意度指标", "明显提高", "其他标准"),
    ]
    messages = [str(item) for item in result.repairs]
    assert any("金额单位为元" in m and "换算为266万元" in m for m in messages)
    assert any("指标值由“指标性质”“指标值”“度量单位”各列合成" in m for m in messages)
    unplaced = [str(item) for item in result.unplaced]
    assert "第6行第8列：“权重”列的“20”：本系统没有对应栏目，未导入。" in unplaced
    assert "第7行第11列：“备注”列的“抽查”：本系统没有对应栏目，未导入。" in unplaced
    assert sum("指标方向性" in m for m in unplaced) == 3


def test_values_parse_after_joining(db):
    from projects.services import import_projects

    result = recognized(
        [
            ["项目支出绩效目标表"],
            ["（2024年度）"],
            ["项目名称", "测试项目", "项目预算", "5"],
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
            ["产出指标", "数量指标", "培训人次", "＝", "300", "人次"],
        ]
    )
    import_projects(result.projects, department="测试单位", user=SYSTEM)
    row = Indicator.objects.get()
    assert (row.value, row.comparator, row.number, row.unit) == ("＝300人次", "=", Decimal("300"), "人次")
    assert Project.objects.get().status == Status.DRAFT


def test_a_table_without_a_name_is_refused_naming_the_place():
    with pytest.raises(ImportFormatError) as error:
        recognized(
            [["2024年项目支出绩效目标表"], ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标"]]
        )
    assert "第1行" in str(error.value) and "项目名称" in str(error.value)


# -- Word container checks and bounds -------------------------------------------


def small_docx():
    document = Document()
    document.add_paragraph("hello")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_file_with_macros_is_refused():
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in source.infolist():
            archive.writestr(entry, source.read(entry))
        archive.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(ImportFormatError) as error:
        read_projects("a.docx", buffer.getvalue())
    assert error.value.where == "word/vbaProject.bin" and "文档含有宏" in error.value.message


def test_a_macro_enabled_word_file_is_refused():
    source = zipfile.ZipFile(io.BytesIO(small_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            archive.writestr(entry, data)
    with pytest.raises(ImportFormatError, match=r"启用宏的格式（\.docm）"):
        read_projects("a.docx", buffer.getvalue())


def test_a_word_file_with_too_many_tables_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_DOCX_TABLES", 2)
    document = Document()
    for _ in range(3):
        document.add_table(rows=1, cols=1)
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ImportFormatError) as error:
        read_projects("a.docx", buffer.getvalue())
    assert error.value.where == "第3个表格" and "超过2个" in error.value.message


def test_a_damaged_word_file_is_refused_in_chinese():
    data = small_docx().replace(b"word/document.xml", b"word/documant.xml")
    with pytest.raises(ImportFormatError, match=r"不是Excel工作簿（\.xlsx）或Word文档"):
        read_projects("a.docx", data)


# -- through the command and the upload page ----------------------------------


def test_import_approvals_reads_a_word_file_and_prints_the_report(db):
    out = StringIO()
    call_command("import_approvals", str(VARIANTS / "anhui-jinan-2025.docx"), stdout=out)
    text = out.getvalue()
    project = Project.objects.get()
    assert (project.department.name, project.budget, project.status) == (
        "六安市金安区体育局",
        Decimal("1000"),
        Status.DRAFT,
    )
    assert Indicator.objects.filter(goal__project=project).count() == 11
    assert "未导入 第1个表格第5行第2列：“主管部门及代码”：[042]六安市金安区体育局" in text
    assert "修复 第1个表格第1行：项目“2025金安国际网球公开赛(国际系列赛事)”未写明项目类型" in text


def test_import_approvals_refuses_a_word_file_whole_on_error(db, tmp_path):
    document = Document()
    document.add_paragraph("2024年项目支出绩效目标表")
    table = document.add_table(rows=2, cols=4)
    for col, text in enumerate(["一级指标", "二级指标", "三级指标", "指标值"]):
        table.cell(0, col).text = text
    path = tmp_path / "no-name.docx"
    document.save(path)
    with pytest.raises(CommandError, match="第1段：此处起的绩效目标表没有“项目名称”"):
        call_command("import_approvals", str(path), department="某单位", stdout=StringIO())
    assert not Project.objects.exists() and not Department.objects.exists()


def test_a_filler_uploads_a_units_excel_and_sees_what_was_skipped_and_not_imported(
    client, db, django_user_model
):
    unit = Department.objects.create(name="奉节县云雾土家族乡人民政府")
    client.force_login(member(django_user_model, "filler", unit.name))
    data = (VARIANTS / "chongqing-fengjie-2023.xlsx").read_bytes()
    response = upload_and_confirm(client, unit, "审批表.xlsx", data)
    html = response.content.decode()
    assert response.status_code == 200 and "新建1个项目" in html
    assert "跳过的行（2行：" in html and "空白占位行" in html
    assert "未导入的内容" in html and "工作表“绩效目标审批表”单元格F5：“业务主管部门”：县民宗委" in html
    project = Project.objects.get()
    assert (project.department, project.status, project.budget) == (unit, Status.DRAFT, Decimal("65"))


def test_the_upload_form_accepts_word_and_refuses_doc_and_docm(client, db, django_user_model):
    unit = Department.objects.create(name="六安市金安区体育局")
    client.force_login(member(django_user_model, "filler", unit.name))
    url = reverse("projects:import")
    data = (VARIANTS / "anhui-jinan-2025.docx").read_bytes()
    html = client.get(url).content.decode()
    assert "Word文档（.docx）" in html
    for name in ("旧版.doc", "宏.docm"):
        response = client.post(url, {"department": unit.pk, "file": SimpleUploadedFile(name, data)})
        assert "只接受.docx格式的Word文档" in response.content.decode()
    response = upload_and_confirm(client, unit, "目标表.docx", data)
    assert "新建1个项目" in response.content.decode()
    assert Project.objects.get().name == "2025金安国际网球公开赛(国际系列赛事)"


def anhui_rows(name):
    rows = [
        line.split("\t")
        for line in (VARIANTS / "anhui-jinan-2025.txt").read_text(encoding="utf-8").splitlines()
    ]
    return [
        [name if cell == "2025金安国际网球公开赛(国际系列赛事)" else cell for cell in row] for row in rows
    ]


def test_one_word_file_may_hold_many_projects_with_titles_between_tables():
    document = Document()
    for name in ("第一个项目", "第二个项目"):
        rows = anhui_rows(name)
        titles, table_rows = rows[:3], rows[3:]
        for row in titles:
            document.add_paragraph(" ".join(cell for cell in row if cell))
        table = document.add_table(rows=len(table_rows), cols=5)
        for r, row in enumerate(table_rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    result = read_projects("两个项目.docx", buffer.getvalue())
    assert [p["name"] for p in result.projects] == ["第一个项目", "第二个项目"]
    first, second = result.projects
    assert first["goals"] == second["goals"] == expected("anhui-jinan-2025")["projects"][0]["goals"]
    assert [str(r) for r in result.repairs][1].startswith("第4段：项目“第二个项目”")


def test_the_official_title_over_another_layout_is_recognised_not_refused():
    text = "\n".join(
        "\t".join(row)
        for row in [
            ["2025年项目支出绩效目标批复"],
            ["项目名称", "测试项目", "项目预算", "10万"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "培训人次", "≥300人次"],
        ]
    )
    (project,) = read_projects("a.txt", text.encode()).projects
    assert project["budget"] == Decimal("10")
    assert project["goals"][0]["indicators"][0]["value"] == "≥300人次"


def test_a_text_longer_than_its_field_is_refused_naming_the_row_not_cut():
    with pytest.raises(ImportFormatError) as error:
        recognized(
            [
                ["2024年项目支出绩效目标表"],
                ["项目名称", "测试", "项目预算", "5"],
                ["一级指标", "二级指标", "三级指标", "指标值"],
                ["产出指标", "数量指标", "长" * 201, "1个"],
            ]
        )
    assert (
        error.value.where == "第4行"
        and "三级指标" in error.value.message
        and "超过上限200" in error.value.message
    )


def test_a_budget_in_yuan_is_converted_and_an_absurd_one_refused():
    def budget(text):
        rows = [["2024年项目支出绩效目标表"], ["金额单位：元"], ["项目名称", "测试", "资金总额", text]]
        rows += [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "人数", "1人"]]
        return recognized(rows)

    result = budget("12,345.67")
    assert result.projects[0]["budget"] == Decimal("1.234567")
    with pytest.raises(ImportFormatError, match="超过上限"):
        budget("1" * 20)


def test_our_own_word_export_reads_back_to_the_same_data(seed):
    """The sheet as Word (writers/docx: mark, title, 预算单位 line, tables) imports as it was."""
    from projects.documents.writers import docx as sheet_docx

    Project.objects.filter(name="政府雇员经费").update(status=Status.APPROVED)
    content, count = sheet_docx.write_sheets(build_sheet(project) for project in seed_projects())
    result = read_projects("批复表.docx", content)
    text = parse_sheets(SEED_TEXT.read_text(encoding="utf-8")).projects
    assert count == 10
    assert result.projects == [{**project, "department": "鄂州市数据局"} for project in text]
    assert all("status" not in project for project in result.projects)
