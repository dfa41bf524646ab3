"""The table structure of files the readers meet in practice: an annual and a long-term value
column side by side, the official sheet under another title or without its 目标名称 column,
a sign-off line under the table, and a file that holds the same project twice."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from openpyxl import Workbook
from playwright.sync_api import expect

from indicators.models import Indicator
from projects.documents.errors import ImportFormatError
from projects.documents.layout import build_sheet
from projects.documents.readers import read_projects, read_text
from projects.documents.readers.text import parse_sheets
from projects.documents.writers.xlsx import write_sheet
from projects.models import Department, PendingImport, Project, Role

from .conftest import SEED_DEPARTMENT, SEED_TEXT, export_json, login, upload_and_confirm
from .workflow_helpers import member

TITLE = "2025年项目支出绩效目标批复"


def seed_sheet():
    """The seed's first sheet (一窗受理工作项目) as copied text."""
    return TITLE + SEED_TEXT.read_text(encoding="utf-8").split(TITLE)[1].rstrip("\n") + "\n"


def lines(rows):
    return "\n".join("\t".join(row) for row in rows) + "\n"


def word(text):
    """A Word document of a text copy: single-cell lines as paragraphs, the rest as tables."""
    document = Document()
    block = []

    def flush():
        if block:
            table = document.add_table(rows=len(block), cols=max(len(row) for row in block))
            for r, row in enumerate(block):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            block.clear()

    for line in text.splitlines():
        cells = line.split("\t")
        if len([cell for cell in cells if cell]) <= 1 and not (block and len(cells) > 1):
            flush()
            if line.strip():
                document.add_paragraph(line.strip())
        else:
            block.append(cells)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def excel(*sheets):
    """A unit's own workbook: one worksheet per (title, text copy)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, text in sheets:
        sheet = workbook.create_sheet(title)
        for r, line in enumerate(text.splitlines(), start=1):
            for c, cell in enumerate(line.split("\t"), start=1):
                sheet.cell(r, c, cell or None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_of(goal):
    return [
        (row["level1"], row["level2"], row["level3"], row["value"], row["basis"])
        for row in goal["indicators"]
    ]


# -- 1. an annual and a long-term value column side by side ---------------------------------

TWO_VALUES_HEAD = [
    ["2025年项目支出绩效目标表"],
    ["项目名称", "两值测试", "项目预算", "100万元"],
    ["年度目标", "完成建设"],
]


def two_values(annual_header, long_header, long_first=False, rows=None):
    headers = [annual_header, long_header]
    rows = rows or [
        ["产出指标", "数量指标", "建设数量", "≥5个", "≥20个"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "≥95%"],
    ]
    if long_first:
        headers = headers[::-1]
        rows = [row[:3] + row[3:5][::-1] + row[5:] for row in rows]
    return lines([*TWO_VALUES_HEAD, ["一级指标", "二级指标", "三级指标", *headers], *rows])


@pytest.mark.parametrize("long_first", [False, True], ids=["annual-first", "long-first"])
@pytest.mark.parametrize(
    ("annual_header", "long_header"),
    [
        ("年度指标值", "中长期指标值"),
        ("年度目标值", "长期指标值"),
        ("本年度指标值", "实施期指标值"),
        ("指标值", "中期指标值"),
    ],
)
def test_an_annual_and_a_long_term_value_column_give_a_row_to_each_goal(
    annual_header, long_header, long_first
):
    result = read_projects("两值.txt", two_values(annual_header, long_header, long_first).encode())
    (project,) = result.projects
    goals = {goal["term"]: goal for goal in project["goals"]}
    assert rows_of(goals["annual"]) == [
        ("产出指标", "数量指标", "建设数量", "≥5个", ""),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", ""),
    ]
    assert rows_of(goals["long"]) == [
        ("产出指标", "数量指标", "建设数量", "≥20个", ""),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", ""),
    ]
    assert goals["annual"]["text"] == "完成建设"
    first, second = (long_header, annual_header) if long_first else (annual_header, long_header)
    terms = "长期绩效目标、年度绩效目标" if long_first else "年度绩效目标、长期绩效目标"
    assert f"第4行：“{first}”“{second}”2列指标值：每行按各列分别导入{terms}。" in map(str, result.repairs)


def test_both_values_are_stored_by_the_command_and_a_missing_one_is_reported(db, tmp_path):
    path = tmp_path / "两值.txt"
    rows = [
        ["产出指标", "数量指标", "建设数量", "≥5个", "≥20个", "计划标准"],
        ["", "质量指标", "验收合格率", "", "≥98%", "行业标准"],
    ]
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "中长期指标值", "指标值确定依据"]
    text = lines([*TWO_VALUES_HEAD, header])
    path.write_text(text + lines(rows), encoding="utf-8")
    out = StringIO()
    call_command("import_approvals", str(path), department="某单位", stdout=out)
    stored = {
        (row.goal.term, row.level2, row.level3, row.value, row.basis)
        for row in Indicator.objects.select_related("goal")
    }
    assert stored == {
        ("annual", "数量指标", "建设数量", "≥5个", "计划标准"),
        ("long", "数量指标", "建设数量", "≥20个", "计划标准"),
        ("long", "质量指标", "验收合格率", "≥98%", "行业标准"),
    }
    assert "跳过 第6行：“验收合格率”的“年度指标值”为空：未导入年度绩效目标。" in out.getvalue()


# -- 2. the official sheet under another title, or without its 目标名称 column ---------------


TITLES = [
    "2025年度项目支出绩效目标批复",
    "2025年项目支出绩效目标批复表",
    "鄂州市数据局2025年项目支出绩效目标批复",
    "2025年项目支出绩效目标表",
]


@pytest.mark.parametrize("kind", ["text", "word"])
@pytest.mark.parametrize("title", TITLES)
def test_the_official_sheet_under_a_title_variant_keeps_its_goal_texts(title, kind):
    expected = parse_sheets(seed_sheet()).projects
    text = seed_sheet().replace(TITLE, title, 1)
    data = text.encode() if kind == "text" else word(text)
    result = read_projects(f"变体.{'txt' if kind == 'text' else 'docx'}", data)
    if title.startswith("鄂州市数据局"):  # the unit before the year, the sheet naming none
        expected = [{**project, "department": "鄂州市数据局"} for project in expected]
    assert result.projects == expected
    assert all(goal["text"].startswith("按照“一门一窗”工作要求") for goal in result.projects[0]["goals"])
    assert result.unplaced == [] and result.skipped == []
    assert not any("目标说明" in str(item) for item in result.repairs)


def test_every_seed_sheet_reads_alike_under_the_year_title():
    """The seed's shifted rows are repaired as under the official title."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    result = read_text(text.replace(TITLE, "2025年度项目支出绩效目标批复"))
    assert result.projects == parse_sheets(text).projects


def without_goal_name_column(text):
    """The official tables in five columns: no 目标名称 column (as some units print them)."""
    out, in_table = [], False
    for line in text.splitlines():
        cells = line.split("\t")
        if in_table and len(cells) == 6:
            cells = cells[1:]
        in_table = in_table or cells[0] in ("长期绩效目标表", "年度绩效目标表")
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("kind", ["text", "word"])
def test_official_tables_without_the_goal_name_column_keep_the_goal_texts(kind):
    expected = parse_sheets(seed_sheet()).projects[0]
    text = without_goal_name_column(seed_sheet())
    assert "\n一级指标\t二级指标\t三级指标\t指标值\t" in text and "\n成本指标\t经济成本指标\t" in text
    data = text.encode() if kind == "text" else word(text)
    result = read_projects(f"五列.{'txt' if kind == 'text' else 'docx'}", data)
    (project,) = result.projects
    assert [(g["term"], g["name"], g["text"]) for g in project["goals"]] == [
        (g["term"], g["name"], g["text"]) for g in expected["goals"]
    ]
    assert [rows_of(g) for g in project["goals"]] == [rows_of(g) for g in expected["goals"]]
    assert result.unplaced == []
    assert not any("目标说明" in str(item) for item in result.repairs)


# -- 3. a sign-off line under the table ----------------------------------------------------

FOOTER = ["填报人：张三", "", "联系电话：0711-1234567", "填报日期：2025年1月10日"]
FOOTER_SHOWN = "表尾的“填报人：张三 联系电话：0711-1234567 填报日期：2025年1月10日”不是指标行，已跳过。"
RECOGNIZED = lines(
    [
        ["2025年项目支出绩效目标表"],
        ["项目名称", "尾注测试", "项目预算", "100万元"],
        ["年度目标", "完成建设"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "建设数量", "≥5个"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"],
        [""],
        FOOTER,
        ["单位负责人：李四", "审核人：王五"],
        ["（盖章）"],
    ]
)


@pytest.mark.parametrize(
    ("name", "data", "places"),
    [
        ("尾注.txt", RECOGNIZED.encode(), ["第8行", "第9行", "第10行"]),
        (
            "尾注.xlsx",
            excel(("绩效目标表", RECOGNIZED)),
            ["工作表“绩效目标表”第8行", "工作表“绩效目标表”第9行", "工作表“绩效目标表”第10行"],
        ),
    ],
)
def test_sign_off_lines_under_a_table_are_skipped_and_reported(name, data, places):
    result = read_projects(name, data)
    (goal,) = result.projects[0]["goals"]
    assert [row["level3"] for row in goal["indicators"]] == ["建设数量", "群众满意度"]
    assert [str(item) for item in result.skipped] == [
        f"{places[0]}：{FOOTER_SHOWN}",
        f"{places[1]}：表尾的“单位负责人：李四 审核人：王五”不是指标行，已跳过。",
        f"{places[2]}：表尾的“（盖章）”不是指标行，已跳过。",
    ]
    assert result.unplaced == []


@pytest.mark.parametrize("kind", ["text", "word"])
def test_a_sign_off_line_under_the_official_sheet_is_skipped_not_an_indicator(kind):
    expected = parse_sheets(seed_sheet()).projects
    text = seed_sheet() + "\n" + lines([[*FOOTER, "", ""]])
    data = text.encode() if kind == "text" else word(text)
    result = read_projects(f"尾注.{'txt' if kind == 'text' else 'docx'}", data)
    assert result.projects == expected
    (item,) = result.skipped
    place = "第28行" if kind == "text" else "第2个表格第1行"
    assert str(item) == f"{place}：{FOOTER_SHOWN}"


def test_the_command_prints_the_skipped_sign_off_line_and_stores_no_row_of_it(db, tmp_path):
    path = tmp_path / "尾注.txt"
    path.write_text(RECOGNIZED, encoding="utf-8")
    out = StringIO()
    call_command("import_approvals", str(path), department="某单位", stdout=out)
    assert f"跳过 第8行：{FOOTER_SHOWN}" in out.getvalue()
    assert list(Indicator.objects.values_list("level1", flat=True)) == ["产出指标", "满意度指标"]


# -- 4. the same project twice in one file -------------------------------------------------

TWICE = (
    "项目“一窗受理工作项目”（2025年）出现了两次：{}和{}；同一年度、同一单位、同名的项目在一次导入中只能有一份"
)


def twice_text():
    return seed_sheet() + "\n" + seed_sheet().replace("\t266万\t", "\t300万\t")


def twice_recognized():
    return (RECOGNIZED + RECOGNIZED.replace("100万元", "120万元")).encode()


def twice_json():
    document = export_json(department=SEED_DEPARTMENT)
    first = next(i for i, p in enumerate(document["projects"]) if p["name"] == "一窗受理工作项目")
    document["projects"].append({**document["projects"][first], "budget": "300"})
    data = json.dumps(document, ensure_ascii=False).encode()
    return data, (f"projects[{first}]", f"projects[{len(document['projects']) - 1}]")


def twice_our_workbook():
    from openpyxl import load_workbook

    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    book = load_workbook(io.BytesIO(write_sheet(build_sheet(project))))
    first = book.worksheets[0].title
    book.copy_worksheet(book.worksheets[0]).title = "副本"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), (f"工作表“{first}”", "工作表“副本”")


CASES = {
    "official text": ("两次.txt", lambda: (twice_text().encode(), ("第1行", "第28行"))),
    "word": ("两次.docx", lambda: (word(twice_text()), ("第1段", "第3段"))),
    "unit excel": (
        "两次.xlsx",
        lambda: (
            excel(("表1", seed_sheet()), ("表2", seed_sheet().replace("\t266万\t", "\t300万\t"))),
            ("工作表“表1”第1行", "工作表“表2”第1行"),
        ),
    ),
    "our excel": ("两次.xlsx", twice_our_workbook),
    "json": ("两次.json", twice_json),
}


@pytest.mark.parametrize("case", CASES)
def test_every_reader_refuses_a_file_with_the_same_project_twice_naming_both_places(seed, case):
    name, build = CASES[case]
    data, places = build()
    with pytest.raises(ImportFormatError) as refused:
        read_projects(name, data)
    assert f"文件“{name}”：" + TWICE.format(*places) in refused.value.message


def test_the_recognizer_refuses_another_layout_with_a_project_twice():
    with pytest.raises(ImportFormatError, match="项目“尾注测试”（2025年）出现了两次：第1行和第11行；"):
        read_projects("两次.txt", twice_recognized())


def test_the_command_refuses_the_file_whole_and_its_dry_run_says_the_same(db, tmp_path):
    path = tmp_path / "两次.txt"
    path.write_text(twice_text(), encoding="utf-8")
    for options in ({"dry_run": True}, {}):
        with pytest.raises(CommandError, match=TWICE.format("第1行", "第28行")):
            call_command(
                "import_approvals", str(path), department=SEED_DEPARTMENT, stdout=StringIO(), **options
            )
    assert not Project.objects.exists()


def test_the_paste_page_refuses_the_same_project_twice(client, db, django_user_model):
    unit = Department.objects.create(name=SEED_DEPARTMENT)
    client.force_login(member(django_user_model, "filler", unit.name, Role.FILLER))
    response = client.post(reverse("projects:paste"), {"department": unit.pk, "text": twice_text()})
    assert TWICE.format("第1行", "第28行") in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.browser
def test_a_filler_uploading_a_word_file_with_a_project_twice_is_told_where(
    page, db, django_user_model, tmp_path
):
    unit = Department.objects.create(name=SEED_DEPARTMENT)
    member(django_user_model, "filler", unit.name, Role.FILLER, password="filler-pass-123")
    path = tmp_path / "重复项目.docx"
    path.write_bytes(word(twice_text()))

    login(page, "filler", "filler-pass-123")
    page.get_by_role("link", name="导入").click()
    page.get_by_label("批复表文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_text(TWICE.format("第1段", "第3段"))).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert not PendingImport.objects.exists() and not Project.objects.exists()


def test_the_upload_page_refuses_it_before_any_preview(client, db, django_user_model):
    unit = Department.objects.create(name=SEED_DEPARTMENT)
    client.force_login(member(django_user_model, "filler", unit.name, Role.FILLER))
    response = upload_and_confirm(client, unit, "两次.docx", word(twice_text()))
    assert TWICE.format("第1段", "第3段") in response.content.decode()
    assert not PendingImport.objects.exists() and not Project.objects.exists()
