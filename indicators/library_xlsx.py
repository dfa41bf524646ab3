"""The indicator library as an Excel workbook, and the import of its common indicators.

The workbook has three sheets: 指标库 (the figures, one line per indicator and unit of
measure: derived from the approved projects, so not imported back), 共性指标 (what
administrators keep: imported back, matched by 一级 + 二级 + 三级指标) and 说明.

The import checks the zip container first (projects.documents.readers.container),
then every cell of 共性指标; any problem refuses the whole file with the sheet and
the cell, and nothing is stored. A valid file adds and updates common indicators
(in one transaction); rows missing from the file are kept (停用 them with 状态).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction

from projects.documents.errors import ImportFormatError
from projects.documents.readers.xlsx import read_cells
from projects.models import ProjectType

from .library import items
from .models import CommonIndicator

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "SimSun"
LIBRARY_SHEET = "指标库"
COMMON_SHEET = "共性指标"
NOTES_SHEET = "说明"
LIBRARY_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "项目数",
    "单位数",
    "指标行数",
    "定性行数",
    "常用比较符",
    "计量单位",
    "该单位行数",
    "最小值",
    "中位数",
    "最大值",
    "共性指标",
)
COMMON_HEADER = ("一级指标", "二级指标", "三级指标", "推荐指标值", "适用项目类型", "说明", "状态")
ACTIVE, INACTIVE = "启用", "停用"
ALL_TYPES = "所有项目"
TYPE_BY_LABEL = {label: code for code, label in ProjectType.choices}
LIMITS = {"level3": 200, "value": 200, "note": 1000}
MAX_ERRORS = 20


def write_library(filters, groups, output):
    """The library (every group of `groups`, all pages) and the common indicators."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"title": "指标库"})
    head = workbook.add_format({"font_name": FONT, "bold": True, "border": 1, "bg_color": "#F1EFE8"})
    text = workbook.add_format({"font_name": FONT, "border": 1, "text_wrap": True, "valign": "top"})
    number = workbook.add_format(
        {"font_name": FONT, "border": 1, "valign": "top", "num_format": "#,##0.######"}
    )

    sheet = workbook.add_worksheet(LIBRARY_SHEET)
    sheet.write_row(0, 0, LIBRARY_HEADER, head)
    sheet.freeze_panes(1, 3)
    for col, width in enumerate((10, 16, 28, 8, 8, 9, 9, 10, 10, 10, 10, 10, 10, 9)):
        sheet.set_column(col, col, width)
    row = 1
    batch = list(groups)
    for start in range(0, len(batch), 500):
        for item in items(filters, batch[start : start + 500]):
            measures = item.measures or [None]
            for measure in measures:
                values = [
                    item.level1,
                    item.level2,
                    item.name,
                    item.projects,
                    item.units,
                    item.rows,
                    item.qualitative,
                    item.comparator_symbol,
                ]
                if measure is None:
                    values += ["", "", "", "", ""]
                else:
                    values += [measure.unit, measure.rows]
                    values += [Decimal(figure) for figure in (measure.low, measure.median, measure.high)]
                values.append("是" if item.common else "")
                for col, value in enumerate(values):
                    if isinstance(value, (int, Decimal)):
                        sheet.write_number(row, col, float(value), number)
                    else:
                        sheet.write_string(row, col, str(value), text)
                row += 1

    common = workbook.add_worksheet(COMMON_SHEET)
    common.write_row(0, 0, COMMON_HEADER, head)
    common.freeze_panes(1, 0)
    for col, width in enumerate((10, 16, 28, 14, 12, 40, 8)):
        common.set_column(col, col, width)
    for row, indicator in enumerate(CommonIndicator.objects.order_by("level1", "level2", "level3"), start=1):
        values = (
            indicator.level1,
            indicator.level2,
            indicator.level3,
            indicator.value,
            indicator.get_project_type_display() if indicator.project_type else ALL_TYPES,
            indicator.note,
            ACTIVE if indicator.active else INACTIVE,
        )
        for col, value in enumerate(values):
            common.write_string(row, col, value, text)

    notes = workbook.add_worksheet(NOTES_SHEET)
    notes.set_column(0, 0, 100)
    for row, line in enumerate(NOTES):
        notes.write_string(row, 0, line)
    workbook.close()


NOTES = (
    "指标库：已批复项目的全部绩效指标，按一级、二级、三级指标汇总；每个计量单位一行，列出最小值、中位数和最大值（按指标行统计）。",
    "“指标库”工作表由系统根据已批复项目计算，导入时不读取。",
    "“共性指标”工作表可以修改后导入：按一级指标、二级指标、三级指标对应，新增或更新共性指标；",
    "推荐指标值须带数值和计量单位（如“≥90%”）；适用项目类型为“所有项目”“常年性项目”“延续性项目”或“一次性项目”；状态为“启用”或“停用”。",
    "文件中没有的共性指标保持不变；不再使用的共性指标请将状态改为“停用”。",
)


# -- import ---------------------------------------------------------------------


class LibraryImportError(ValueError):
    """The file is refused; `problems` say where (sheet and cell) and what."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0


def _cell(row, col):
    from openpyxl.utils import get_column_letter

    return f"工作表“{COMMON_SHEET}”单元格{get_column_letter(col)}{row}"


def read_common(data):
    """The common indicators of a library workbook, as validated dicts (nothing stored)."""
    try:
        sheets = {title: values for title, values, _merges in read_cells(data)}  # bounded, no formulas
    except ImportFormatError as exc:
        raise LibraryImportError([str(exc)]) from None
    if COMMON_SHEET not in sheets:
        raise LibraryImportError([f"工作簿中没有“{COMMON_SHEET}”工作表，请使用本系统导出的指标库工作簿。"])
    cells = sheets[COMMON_SHEET]
    problems = []

    def fail(row, col, message):
        if len(problems) < MAX_ERRORS:
            problems.append(f"{_cell(row, col)}：{message}")

    for col, label in enumerate(COMMON_HEADER, start=1):
        found = _text(cells.get((1, col)), 1, col, fail)
        if found != label:
            fail(1, col, f"表头应为“{label}”，实际为“{found}”。")
    if problems:
        raise LibraryImportError(problems)
    last = max((row for row, _ in cells), default=1)
    result, seen = [], {}
    for row in range(2, last + 1):
        values = [_text(cells.get((row, col)), row, col, fail) for col in range(1, len(COMMON_HEADER) + 1)]
        if any(values):
            result.append(_common_row(row, values, seen, fail))
    if problems:
        raise LibraryImportError(problems)
    if not result:
        raise LibraryImportError([f"工作表“{COMMON_SHEET}”没有共性指标。"])
    return result


COLUMNS = {"level1": 1, "level2": 2, "level3": 3, "value": 4}


def _common_row(row, values, seen, fail):
    """One row of 共性指标, checked cell by cell (problems go to `fail`)."""
    from .library_forms import clean_common

    level1, level2, level3, value, kind, note, state = values
    for col, label, text in ((1, "一级指标", level1), (2, "二级指标", level2), (3, "三级指标", level3)):
        if not text:
            fail(row, col, f"{label}不能为空。")
    for col, name, text in ((3, "level3", level3), (4, "value", value), (6, "note", note)):
        if len(text) > LIMITS[name]:
            fail(row, col, f"超过{LIMITS[name]}个字。")
    if not value:
        fail(row, 4, "推荐指标值不能为空，如“≥90%”。")
    if kind and kind != ALL_TYPES and kind not in TYPE_BY_LABEL:
        fail(row, 5, f"适用项目类型“{kind}”应为{ALL_TYPES}、{'、'.join(TYPE_BY_LABEL)}之一。")
    if state and state not in (ACTIVE, INACTIVE):
        fail(row, 7, f"状态“{state}”应为“{ACTIVE}”或“{INACTIVE}”。")
    data = clean_common(
        {"level1": level1, "level2": level2, "level3": level3, "value": value},
        lambda name, message: fail(row, COLUMNS.get(name, 3), message),
    )
    ident = (data["level1"], data["level2"], data["level3"])
    if all(ident) and ident in seen:
        fail(row, 3, f"与第{seen[ident]}行重复。")
    seen.setdefault(ident, row)
    data.update(project_type=TYPE_BY_LABEL.get(kind, ""), note=note, active=state != INACTIVE)
    return data


def _text(value, row, col, fail):
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        fail(row, col, "应为文本，实际为日期或逻辑值。")
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().replace("\u3000", "")


def import_common(data):
    """Read and store the common indicators of a workbook: all or nothing."""
    rows = read_common(data)
    report = ImportReport()
    fields = ("value", "project_type", "note", "active")
    with transaction.atomic():
        stored = {
            (item.level1, item.level2, item.level3): item
            for item in CommonIndicator.objects.select_for_update().filter(
                level3__in={row["level3"] for row in rows}
            )
        }
        for row in rows:
            ident = (row["level1"], row["level2"], row["level3"])
            current = stored.get(ident)
            if current is None:
                report.created.append(CommonIndicator.objects.create(**row))
            elif any(getattr(current, name) != row[name] for name in fields):
                for name in fields:
                    setattr(current, name, row[name])
                current.save()
                report.updated.append(current)
            else:
                report.unchanged += 1
    return report
