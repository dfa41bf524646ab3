"""Read the approval sheet back from an Excel workbook (openpyxl).

Only our own layout (`projects.documents.layout`, as `writers.xlsx` writes it)
is accepted. Before openpyxl opens anything the zip container is checked (entry
count, uncompressed size, compression ratio, macros); then every cell is
checked for formulas, and the layout is read by its labels. Every refusal names
the worksheet and the cell.
"""

import io
import re
from datetime import date, datetime, time

from lxml.etree import XMLSyntaxError

from ...models import Funding, Goal
from .. import layout, limits
from ..errors import ImportFormatError
from ..validate import FIELD_LIMITS
from ..writers.xlsx import SUMMARY_SHEET
from .container import check_container
from .text import (
    FUNDING_BY_LABEL,
    PROJECT_TYPE_BY_LABEL,
    TITLE_RE,
    ParseResult,
    SheetFormatError,
    parse_budget,
    parse_checkboxes,
)

MARK_RE = re.compile(rf"^{layout.MARK_PREFIX}（(.+)）$")
LIMITS = {key: FIELD_LIMITS[key] for key in ("level1", "level2", "level3", "value", "basis")}


def _where(title, row, col):
    from openpyxl.utils import get_column_letter

    return f"工作表“{title}”单元格{get_column_letter(col)}{row}"


class CellGrid:
    """One worksheet's cells as a layout drew them: a merged range reads as its first
    cell; `fail` refuses with the worksheet and the cell (A1 notation)."""

    def __init__(self, title, values, merges):
        self.title = title
        self.values = values  # {(row, col): value}, 1-based, non-empty only
        self.owner = {}
        for min_row, min_col, max_row, max_col in merges:
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    self.owner[(r, c)] = (min_row, min_col)
        # Rows with a text or inside a merged range; blank rows in between are skipped.
        self.rows = sorted({r for r, _ in self.values} | {r for r, _ in self.owner})
        self.end = (self.rows[-1] + 1) if self.rows else 1
        self.index = 0

    def fail(self, row, col, message):
        raise ImportFormatError(_where(self.title, row, col), message)

    def text(self, row, col, limit=None):
        """The text shown at (row, col): a merged cell's text is its first cell's."""
        source = self.owner.get((row, col), (row, col))
        value = self.values.get(source)
        if value is None:
            return ""
        if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
            self.fail(*source, "应为文本，实际为日期或逻辑值。")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value).strip()
        if limit and len(value) > limit:
            self.fail(*source, f"超过{limit}个字符。")
        return value


class _SheetReader(CellGrid):
    """Reads one worksheet in the layout of `projects.documents.layout` back into a project dict."""

    def peek(self):
        return self.rows[self.index] if self.index < len(self.rows) else None

    def take(self):
        row = self.peek()
        self.index += 1
        return row

    def expect(self, label, what):
        row = self.take()
        if row is None:
            self.fail(self.end, 1, f"缺少“{what}”行。")
        if self.text(row, 1) != label:
            self.fail(
                row, 1, f"应为“{label}”，实际为“{self.text(row, 1)[:20]}”：不是本系统导出的批复表格式。"
            )
        return row

    def read(self):
        for r, c in sorted(self.values):
            if c > layout.COLUMNS:
                self.fail(r, c, "批复表只有A至F六列，此处有多余内容。")
        row = self.peek()
        if row is None:
            self.fail(1, 1, "工作表为空，不是本系统导出的批复表。")
        mark = MARK_RE.match(self.text(row, 1))
        if mark:  # the printed 未批复 mark: a file never sets a workflow state
            self.take()
        row = self.take()
        title = TITLE_RE.match(self.text(row, 1)) if row else None
        if not title:
            self.fail(row or 1, 1, "不是本系统导出的批复表：此处应为标题“YYYY年项目支出绩效目标批复”。")
        project = {"year": int(title[1])}
        row = self.take()
        unit = self.text(row, 1) if row else ""
        if not unit.startswith(layout.UNIT_PREFIX) or self.text(row, 4) != layout.AMOUNT_UNIT:
            self.fail(
                row or 1,
                1,
                f"应为“{layout.UNIT_PREFIX}…”与“{layout.AMOUNT_UNIT}”：不是本系统导出的批复表格式。",
            )
        project["department"] = unit[len(layout.UNIT_PREFIX) :].strip()
        self.read_basic(project)
        self.read_goals(project)
        return project

    def read_basic(self, project):
        row = self.expect("项目名称", "项目名称")
        project["name"] = self.text(row, 2, limit=FIELD_LIMITS["name"])
        if not project["name"]:
            self.fail(row, 2, "项目名称为空。")
        row = self.expect("项目预算", "项目预算")
        project["budget"] = self.parsed(row, 2, parse_budget)
        if self.text(row, 3) != "项目类型":
            self.fail(row, 3, "应为“项目类型”：不是本系统导出的批复表格式。")
        types = self.parsed(
            row, 4, lambda text, line: parse_checkboxes(text, PROJECT_TYPE_BY_LABEL, line, "项目类型")
        )
        if len(types) != 1:
            self.fail(row, 4, f"项目类型应勾选一项，实际勾选了{len(types)}项。")
        project["project_type"] = types[0]
        row = self.expect("资金性质", "资金性质")
        project["funding"] = [
            code
            for code in Funding.values
            if code
            in self.parsed(
                row, 2, lambda text, line: parse_checkboxes(text, FUNDING_BY_LABEL, line, "资金性质")
            )
        ]
        row = self.expect("立项依据", "立项依据")
        project["rationale"] = self.text(row, 2)

    def read_goals(self, project):
        self.expect(layout.OVERALL_TITLE, layout.OVERALL_TITLE)
        row = self.expect(layout.OVERALL_HEADER[0], "名称 | 目标说明")
        if self.text(row, 2) != layout.OVERALL_HEADER[1]:
            self.fail(row, 2, f"应为“{layout.OVERALL_HEADER[1]}”：不是本系统导出的批复表格式。")
        goals, order = {}, []
        tables = list(layout.TABLE_TITLES.values())
        while self.peek() is not None and self.text(self.peek(), 1) not in tables:
            row = self.take()
            name = self.text(row, 1, limit=FIELD_LIMITS["goal_name"])
            if not name:
                self.fail(row, 1, "目标名称为空。")
            if name in goals:
                self.fail(row, 1, f"目标名称“{name}”重复。")
            goals[name] = {"term": None, "name": name, "text": self.text(row, 2), "indicators": []}
            order.append(name)
        for term, table_title in layout.TABLE_TITLES.items():
            self.expect(table_title, table_title)
            row = self.take()
            if row is None or [self.text(row, c) for c in range(1, 7)] != list(layout.TABLE_HEADER):
                self.fail(row or self.end, 1, f"{table_title}的表头与批复表格式不符。")
            while self.peek() is not None and self.text(self.peek(), 1) not in tables:
                if self.is_approval_line(self.peek()):  # 批复单位 / 批复日期 under an approved sheet
                    self.take()
                    if self.peek() is not None:
                        self.fail(
                            self.peek(), 1, "批复单位、批复日期之后不应有内容：不是本系统导出的批复表。"
                        )
                    break
                self.indicator_row(self.take(), term, goals)
        for name in order:
            goal = goals[name]
            if goal["term"] is None:
                goal["term"] = Goal.Term.ANNUAL if name.startswith("年度") else Goal.Term.LONG
        project["goals"] = [goals[name] for name in order if goals[name]["term"] == Goal.Term.LONG] + [
            goals[name] for name in order if goals[name]["term"] == Goal.Term.ANNUAL
        ]

    def is_approval_line(self, row):
        return any(
            self.text(row, col).startswith((layout.APPROVAL_BODY_PREFIX, layout.APPROVAL_DATE_PREFIX))
            for col in (1, 4)
        )

    def indicator_row(self, row, term, goals):
        name = self.text(row, 1)
        if name not in goals:
            self.fail(row, 1, f"目标名称“{name}”未在项目绩效总目标中列出。")
        goal = goals[name]
        if goal["term"] not in (None, term):
            self.fail(row, 1, f"“{name}”同时出现在长期和年度绩效目标表中。")
        goal["term"] = term
        goal["indicators"].append(
            {key: self.text(row, col, limit=LIMITS[key]) for col, key in enumerate(LIMITS, start=2)}
        )

    def parsed(self, row, col, parse):
        try:
            return parse(self.text(row, col), row)
        except SheetFormatError as exc:
            self.fail(row, col, exc.message)


FORMULA_MESSAGE = "含有公式，本系统只接受文本内容，出于安全考虑拒绝导入；请将公式转为数值或文本后再导入。"


class _Walk:
    """The bounded walk over one worksheet's XML (see `sheet_cells`)."""

    def __init__(self, title, budget):
        self.title = title
        self.budget = budget  # [filled cells left in the workbook]
        self.elements = 0
        self.cells = {}
        self.last_row = self.last_col = 0

    def fail(self, row, col, message):
        raise ImportFormatError(_where(self.title, row, col), message)

    def count(self):
        self.elements += 1
        if self.elements > limits.MAX_SHEET_ELEMENTS:
            raise ImportFormatError(
                f"工作表“{self.title}”",
                f"内部元素超过{limits.MAX_SHEET_ELEMENTS}个（含空单元格），不是正常的批复表，拒绝导入。",
            )

    def take(self, cell, worksheet):
        """Keep a filled cell (value and number format); refuse it past the limits."""
        from openpyxl.cell.read_only import ReadOnlyCell

        value, row, col = cell["value"], cell["row"], cell["column"]
        if value is None or value == "":
            return
        if row > limits.MAX_ROWS or col > limits.MAX_COLUMNS:
            self.fail(row, col, f"工作表超过{limits.MAX_ROWS}行或{limits.MAX_COLUMNS}列，拒绝导入。")
        if cell["data_type"] == "f":
            self.fail(row, col, FORMULA_MESSAGE)
        if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
            self.fail(row, col, f"单元格文字超过{limits.MAX_CELL_CHARS}个字符，拒绝导入。")
        self.budget[0] -= 1
        if self.budget[0] < 0:
            self.fail(row, col, f"工作簿中有内容的单元格超过{limits.MAX_CELLS}个，拒绝导入。")
        shown = ReadOnlyCell(worksheet, row, col, value, cell["data_type"], cell["style_id"])
        self.cells[(row, col)] = (value, shown.number_format)
        self.last_row, self.last_col = max(self.last_row, row), max(self.last_col, col)
        if self.last_row * self.last_col > limits.MAX_SHEET_AREA:
            self.fail(row, col, f"工作表的使用范围（A1至此）超过{limits.MAX_SHEET_AREA}个单元格，拒绝导入。")


def _merge_range(walk, ref, extent):
    """A merged range cut to the sheet's filled area (None when wholly outside it)."""
    from openpyxl.utils import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (TypeError, ValueError):
        raise ImportFormatError(f"工作表“{walk.title}”", f"合并单元格范围“{ref[:40]}”无法识别。") from None
    # Beyond the last filled row and column a merge shows nothing: it is cut there
    # (or dropped), so `A1:XFD1048576` costs no more than the cells that exist.
    if min_row > extent[0] or min_col > extent[1]:
        return None
    return (min_row, min_col, min(max_row, extent[0]), min(max_col, extent[1]))


def sheet_cells(workbook, worksheet, budget):
    """({(row, col): (value, number format)}, merges) of one worksheet, from the cells that exist.

    The worksheet's XML is walked once as a stream: its declared dimension is
    ignored (a 5 KB file may claim `A1:XFD1048576`), each element is counted and
    dropped once read, and a sheet is refused, with the place, when it holds
    more elements, rows, columns or area than `limits` allow or any formula.
    Merged ranges (min_row, min_col, max_row, max_col) are cut to the filled area.
    `budget` ([cells]) is what the workbook's other sheets left of `limits.MAX_CELLS`.
    """
    from lxml.etree import iterparse
    from openpyxl.worksheet._reader import WorkSheetParser

    parser = WorkSheetParser(
        None,
        worksheet._shared_strings,
        data_only=False,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,
        timedelta_formats=workbook._timedelta_formats,
    )
    walk = _Walk(worksheet.title, budget)
    refs, row = [], None
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with workbook._archive.open(worksheet._worksheet_path) as source:
        # lxml (C) with entities, DTDs and network access off: no expansion, no fetching.
        # Only rows, cells and merged ranges come up to Python, once each.
        events = iterparse(
            source,
            tag=(f"{main}c", f"{main}row", f"{main}mergeCell"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
        )
        for _event, element in events:
            walk.count()
            tag = element.tag
            if tag == f"{main}c":
                parent = element.getparent()
                if parent is not row:  # the first cell of a row: where cells without `r` stand
                    row = parent
                    parser.row_counter = _row_number(row, parser.row_counter)
                    parser.col_counter = 0
                if len(element) == 0:  # an empty cell: nothing to read
                    parser.col_counter += 1
                    continue
                try:
                    cell = parser.parse_cell(element)
                except (IndexError, KeyError, TypeError, ValueError):
                    raise ImportFormatError(
                        _where(walk.title, parser.row_counter, parser.col_counter + 1),
                        "单元格内容无法读取，文件可能已损坏。",
                    ) from None
                element.clear()
                walk.take(cell, worksheet)
            elif tag == f"{main}row":
                if row is not element:  # a row without cells still counts
                    parser.row_counter = _row_number(element, parser.row_counter)
                row = None
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)  # read: nothing of it stays in memory
            else:
                refs.append(element.get("ref", ""))
                element.clear()
    merges, area = [], 0
    for ref in refs:
        merge = _merge_range(walk, ref, (walk.last_row, walk.last_col))
        if merge is None:
            continue
        area += (merge[2] - merge[0] + 1) * (merge[3] - merge[1] + 1)
        if area > limits.MAX_MERGED_CELLS:
            raise ImportFormatError(
                f"工作表“{walk.title}”合并单元格{ref}",
                f"合并单元格覆盖的单元格超过{limits.MAX_MERGED_CELLS}个，拒绝导入。",
            )
        merges.append(merge)
    return walk.cells, merges


def _row_number(element, previous):
    try:
        return int(float(element.get("r")))
    except (TypeError, ValueError):
        return previous + 1


def read_sheets(data):
    """[(title, {(row, col): (value, number format)}, merges)] of every worksheet of a workbook.

    The zip container is checked before openpyxl opens anything (sizes of the
    shared strings, styles and each worksheet included), and every worksheet is
    walked within the limits, formulas refused, before any is read as a project.
    """
    from openpyxl import load_workbook

    check_container(data, expect="xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFormatError(
            "", f"无法读取Excel工作簿（{type(exc).__name__}），文件可能已损坏。"
        ) from None
    try:
        sheets, budget = [], [limits.MAX_CELLS]
        for worksheet in workbook.worksheets:
            try:
                cells, merges = sheet_cells(workbook, worksheet, budget)
            except XMLSyntaxError as exc:  # damaged XML
                raise ImportFormatError(
                    f"工作表“{worksheet.title}”", f"无法读取（{type(exc).__name__}），文件可能已损坏。"
                ) from None
            sheets.append((worksheet.title, cells, merges))
    finally:
        workbook.close()
    return sheets


def read_cells(data):
    """[(title, {(row, col): value}, merges)]: `read_sheets` without the number formats."""
    return [
        (title, {key: value for key, (value, _format) in cells.items()}, merges)
        for title, cells, merges in read_sheets(data)
    ]


def read_workbook(data):
    """Projects (plain dicts, shaped like `projects.documents.readers.text`) from one of our workbooks."""
    sheets = read_cells(data)
    result = ParseResult()
    for title, values, merges in sheets:
        if title == SUMMARY_SHEET:
            continue
        result.projects.append(_SheetReader(title, values, merges).read())
        result.places.append(f"工作表“{title}”")  # a project held twice is refused by `validate`
    if not result.projects:
        raise ImportFormatError("", "工作簿中没有批复表工作表。")
    return result
