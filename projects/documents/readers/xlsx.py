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

from ...models import Funding, Goal
from .. import layout, limits
from ..errors import ImportFormatError
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

MAX_ROWS = limits.MAX_ROWS
MAX_COLUMNS = limits.MAX_COLUMNS

MARK_RE = re.compile(rf"^{layout.MARK_PREFIX}（(.+)）$")
LIMITS = {"level1": 50, "level2": 50, "level3": 200, "value": 200, "basis": 50}


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
        project["name"] = self.text(row, 2, limit=200)
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
            name = self.text(row, 1, limit=100)
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


def _merges(archive, path):
    """Merged ranges (min_row, min_col, max_row, max_col) of one worksheet's XML.

    Read-only worksheets do not load merges, and a full openpyxl load spends
    most of its time formatting merged cells, so they are read here directly.
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils import range_boundaries

    merges = []
    with archive.open(path) as source:
        for _, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                merges.append((min_row, min_col, max_row, max_col))
            element.clear()
    return merges


def _values(worksheet):
    """{(row, col): value} of a read-only worksheet; refuses formulas and huge sheets."""
    values = {}
    for row in worksheet.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None or value == "":
                continue
            if cell.row > MAX_ROWS or cell.column > MAX_COLUMNS:
                raise ImportFormatError(
                    _where(worksheet.title, cell.row, cell.column),
                    f"工作表超过{MAX_ROWS}行或{MAX_COLUMNS}列，不是本系统导出的表格，拒绝导入。",
                )
            if cell.data_type == "f":
                raise ImportFormatError(
                    _where(worksheet.title, cell.row, cell.column),
                    "含有公式，本系统只接受文本内容，出于安全考虑拒绝导入；请将公式转为数值或文本后再导入。",
                )
            values[(cell.row, cell.column)] = value
    return values


def read_cells(data):
    """[(title, values, merges)] of every worksheet of an uploaded workbook.

    The zip container is checked before openpyxl opens anything, and every
    worksheet is checked for formulas (refused) before any is read.
    """
    from openpyxl import load_workbook

    check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFormatError(
            "", f"无法读取Excel工作簿（{type(exc).__name__}），文件可能已损坏。"
        ) from None
    try:
        # Every sheet is checked for formulas before any is read as a project.
        sheets = [
            (ws.title, _values(ws), _merges(workbook._archive, ws._worksheet_path))
            for ws in workbook.worksheets
        ]
    finally:
        workbook.close()
    return sheets


def read_workbook(data):
    """Projects (plain dicts, shaped like `projects.documents.readers.text`) from one of our workbooks."""
    sheets = read_cells(data)
    result = ParseResult()
    seen = set()
    for title, values, merges in sheets:
        if title == SUMMARY_SHEET:
            continue
        project = _SheetReader(title, values, merges).read()
        key = (project["year"], project["department"], project["name"])
        if key in seen:
            raise ImportFormatError(f"工作表“{title}”", f"项目“{project['name']}”在工作簿中出现了两次。")
        seen.add(key)
        result.projects.append(project)
    if not result.projects:
        raise ImportFormatError("", "工作簿中没有批复表工作表。")
    return result
