"""The readers' header fields and the lines around the tables: our own Word export of an
approved project reads back (its 批复单位 / 批复日期 line skipped), checkbox ticks after
their labels, the official layout in 元, and 资金性质 written as plain text."""

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from indicators.values import normalize_number
from projects.documents.data import project_to_dict
from projects.documents.errors import ImportFormatError
from projects.documents.layout import build_sheet
from projects.documents.readers import read_projects
from projects.documents.readers.grid import grid_from_text
from projects.documents.readers.recognize import recognize
from projects.models import Project, YearSetting

from .results_helpers import approve_seed
from .workflow_helpers import people

FINANCE_BODY = "鄂州市财政局"
ROW_TEXTS = ("level1", "level2", "level3", "value", "basis")


def plain(projects):
    return [{**project, "budget": normalize_number(project["budget"])} for project in projects]


def as_read(project):
    """A stored project's data (or the project) as a sheet gives it back: no id, no state, no
    approval, the indicators' texts (their parsed values are derived on import)."""
    data = dict(project) if isinstance(project, dict) else project_to_dict(project)
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


# -- the official sheet as a unit writes it: text lines, and the same in Word -------


def official_lines(data, options=lambda text: text, amount_unit="万元", budget=None):
    """The official sheet of `data` as TAB-separated lines (title, 金额单位, table rows);
    `options` rewrites the checkbox cells, `budget` the budget cell."""
    sheet = build_sheet(data)
    lines = [sheet.title, f"金额单位：{amount_unit}"]
    for row in sheet.rows:
        if row.kind in ("mark", "title", "unit", "approval"):
            continue
        cells = [""] * sheet.columns
        for cell in row.cells:
            text = options(cell.text) if cell.role == "options" else cell.text
            cells[cell.col] = (
                budget if budget is not None and cell.role == "value" and text.endswith("万") else text
            )
        lines.append("\t".join(cells))
    return lines


def as_docx(lines):
    """The lines as a Word document: title and 金额单位 as paragraphs, the rest one table."""
    document = Document()
    for line in lines[:2]:
        document.add_paragraph(line)
    rows = [line.split("\t") for line in lines[2:]]
    table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_xlsx(lines, number=None):
    """The lines as a unit's own worksheet (not our export: no 预算单位 row); the budget
    cell holds `number` as a number when given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "一窗受理"
    for r, line in enumerate(lines, start=1):
        for c, text in enumerate(line.split("\t"), start=1):
            if text:
                sheet.cell(r, c, number if number is not None and r == 4 and c == 2 else text)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_both(lines):
    """The lines read as pasted text and as a Word file (both reach the official reader)."""
    text = read_projects("批复表.txt", "\n".join(lines).encode())
    word = read_projects("批复表.docx", as_docx(lines))
    assert plain(text.projects) == plain(word.projects)
    return text, word


def marks_after(text):
    """`☑常年性项目 ☐延续性项目` -> `常年性项目☑ 延续性项目☐`."""
    return " ".join(option[1:] + option[0] for option in text.split(" "))


def official_data(seed):
    """What the official sheet of `sample` holds (no 预算单位: no department)."""
    data = as_read(sample(seed))
    data.pop("department")
    return data


def sample(seed, **changes):
    project = Project.objects.with_tree().get(name="一窗受理工作项目")
    return {**project_to_dict(project), **changes}


# -- 2. checkbox ticks after their labels ----------------------------------------


@pytest.mark.parametrize(
    "project_type, funding",
    [("recurring", ["appropriation"]), ("one_off", ["non_tax", "social_insurance"])],
)
def test_ticks_after_their_labels_are_read_as_the_options_they_follow(seed, project_type, funding):
    data = sample(seed, project_type=project_type, funding=funding)
    lines = official_lines(data, options=marks_after)
    assert any(line.startswith("资金性质\t") and line.rstrip().endswith(("☑", "☐")) for line in lines)
    for result in read_both(lines):
        (project,) = result.projects
        assert (project["project_type"], project["funding"]) == (project_type, funding)


def test_ticks_on_both_sides_of_their_labels_are_refused_naming_the_line(seed):
    lines = official_lines(sample(seed), options=lambda text: text.replace("☐延续性项目", "延续性项目☐"))
    with pytest.raises(ImportFormatError, match="勾选符号没有统一写在各选项之前或之后") as error:
        read_projects("批复表.txt", "\n".join(lines).encode())
    assert error.value.where == "第4行"


def recognized(rows):
    return recognize(grid_from_text("\n".join("\t".join(row) for row in rows)))


def unit_table(*header_rows):
    return recognized(
        [
            ["2025年项目支出绩效目标表"],
            ["项目名称", "社区养老服务补助", "资金总额", "266万元"],
            *header_rows,
            ["一级指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "服务老人人数", "≥1200人"],
        ]
    )


def test_the_recognizer_reads_ticks_after_labels_and_reports_mixed_ones():
    result = unit_table(
        ["项目属性", "新增项目□ 延续性项目☑ 一次性项目□"], ["资金性质", "经费拨款☑ 非税收入☐"]
    )
    assert (result.projects[0]["project_type"], result.projects[0]["funding"]) == (
        "continuing",
        ["appropriation"],
    )
    assert result.unplaced == []

    result = unit_table(
        ["项目属性", "常年性项目☑ 延续性项目 ☐一次性项目"], ["资金性质", "经费拨款☑☐非税收入"]
    )
    assert (result.projects[0]["project_type"], result.projects[0]["funding"]) == ("recurring", [])
    mixed = "勾选符号没有统一写在各选项之前或之后，无法判断勾选了哪一项，未导入。"
    assert [str(item) for item in result.unplaced] == [
        f"第3行第2列：“项目属性”为“常年性项目☑ 延续性项目 ☐一次性项目”：{mixed}",
        f"第4行第2列：“资金性质”为“经费拨款☑☐非税收入”：{mixed}",
    ]
    assert any("未写明项目类型" in str(item) for item in result.repairs)


# -- 4. 资金性质 written as plain text ------------------------------------------------


def test_funding_written_as_plain_text_is_read_and_what_is_no_option_reported():
    result = unit_table(["资金性质", "经费拨款"])
    assert result.projects[0]["funding"] == ["appropriation"] and result.unplaced == []

    result = unit_table(["资金性质", "非税收入、财政专户资金 经费拨款"])
    assert result.projects[0]["funding"] == ["appropriation", "non_tax"]
    assert [str(item) for item in result.unplaced] == [
        "第3行第2列：资金性质“财政专户资金”不在规定选项内，未导入。"
    ]


def test_the_official_sheet_reads_plain_option_names_and_refuses_other_text(seed):
    lines = official_lines(
        sample(seed), options=lambda text: text.replace("☑", "").replace("☐", "").split(" ")[0]
    )
    for result in read_both(lines):
        assert (result.projects[0]["project_type"], result.projects[0]["funding"]) == (
            "recurring",
            ["appropriation"],
        )

    lines = [line.replace("\t经费拨款", "\t一般公共预算") for line in lines]
    with pytest.raises(
        ImportFormatError, match="资金性质“一般公共预算”没有可识别的勾选项，也不是规定的选项"
    ) as error:
        read_projects("批复表.txt", "\n".join(lines).encode())
    assert error.value.where == "第5行"


# -- 3. the official sheet in 元 ------------------------------------------------------


@pytest.mark.parametrize(
    "amount_unit, budget, written",
    [
        ("元", "2660000", "2660000元"),
        ("万元", "2,660,000元", "2,660,000元"),
        ("亿元", "0.0266", "0.0266亿元"),
    ],
)
def test_an_official_sheet_in_yuan_or_a_budget_in_yuan_is_converted_and_reported(
    seed, amount_unit, budget, written
):
    lines = official_lines(sample(seed), amount_unit=amount_unit, budget=budget)
    assert lines[1] == f"金额单位：{amount_unit}" and lines[3].startswith(f"项目预算\t{budget}\t")
    unit = written.lstrip("0123456789.,")
    repair = f"金额单位为{unit}：“项目预算”{written}换算为266万元。"
    text, word = read_both(lines)
    for result, place in ((text, "第4行"), (word, "第1个表格第2行")):
        assert plain(result.projects) == [official_data(seed)]
        assert [str(item) for item in result.repairs] == [f"{place}：{repair}"]


def test_a_units_excel_in_the_official_layout_in_yuan_is_converted(seed):
    lines = official_lines(sample(seed), amount_unit="元")
    result = read_projects("单位自制.xlsx", as_xlsx(lines, number=2660000))
    assert plain(result.projects) == [official_data(seed)]
    assert [str(item) for item in result.repairs] == [
        "工作表“一窗受理”第4行：金额单位为元：“项目预算”2660000元换算为266万元。"
    ]


def test_an_amount_unit_other_than_wan_yuan_or_yi_is_refused_naming_the_line(seed):
    lines = official_lines(sample(seed), amount_unit="美元")
    with pytest.raises(ImportFormatError, match="金额单位“金额单位：美元”不是万元、元或亿元") as error:
        read_projects("批复表.txt", "\n".join(lines).encode())
    assert error.value.where == "第2行"
