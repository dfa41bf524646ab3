"""Read any Excel workbook: our own export as before, a unit's own sheets by recognition.

Every guard of `readers.xlsx` applies to every sheet: the zip container is
checked before openpyxl opens anything (`container`), and each cell is checked
for formulas and the sheet for its size before any sheet is read. Then, sheet
by sheet:

- a sheet in the layout our export writes (title `YYYY年项目支出绩效目标批复`
  then `预算单位：…`) is read by `xlsx._SheetReader`, strictly, exactly as before;
- any other sheet goes through the grid (merged ranges resolved) to the
  official reader or the recognizer (`recognize`), like Word and text files.

A sheet where nothing is recognised is named in the report, not dropped
silently; a workbook where nothing at all is recognised is refused.
"""

import io
from datetime import date, datetime, time

from .. import layout
from ..errors import ImportFormatError
from ..writers.xlsx import SUMMARY_SHEET
from .container import check_container
from .findings import Finding
from .grid import cell_name, grid_from_sheet
from .official import is_official, read_official
from .recognize import recognize
from .text import TITLE_RE, ParseResult
from .xlsx import MARK_RE, MAX_COLUMNS, MAX_ROWS, _merges, _SheetReader


def _text_of(value, number_format):
    """A cell as the sheet shows it: 0.95 formatted as % is `95%`, 1000.0 is `1000`."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            value = round(value * 100, 6)
            return f"{value:g}%" if isinstance(value, float) else f"{value}%"
        if isinstance(value, float):
            return f"{int(value)}" if value.is_integer() else f"{value:.10g}"
        return str(value)
    return str(value).strip()


def _cells(worksheet):
    """{(row, col): (value, number format)}; refuses formulas and oversized sheets (as `xlsx._values`)."""
    cells = {}
    for row in worksheet.iter_rows():
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None or value == "":
                continue
            if cell.row > MAX_ROWS or cell.column > MAX_COLUMNS:
                raise ImportFormatError(
                    cell_name(worksheet.title, cell.row, cell.column),
                    f"工作表超过{MAX_ROWS}行或{MAX_COLUMNS}列，拒绝导入。",
                )
            if cell.data_type == "f":
                raise ImportFormatError(
                    cell_name(worksheet.title, cell.row, cell.column),
                    "含有公式，本系统只接受文本内容，出于安全考虑拒绝导入；请将公式转为数值或文本后再导入。",
                )
            cells[(cell.row, cell.column)] = (value, getattr(cell, "number_format", ""))
    return cells


def is_our_export(values):
    """Our writer's sheet: (mark,) title in A1/A2, then `预算单位：…` in column A."""
    first = [str(values.get((r, 1), "")).strip() for r in (1, 2, 3)]
    start = 1 if MARK_RE.match(first[0]) else 0
    return bool(TITLE_RE.match(first[start])) and first[start + 1].startswith(layout.UNIT_PREFIX)


def read_any_workbook(data):
    from openpyxl import load_workbook

    check_container(data, expect="xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFormatError(
            "", f"无法读取Excel工作簿（{type(exc).__name__}），文件可能已损坏。"
        ) from None
    try:
        # Every sheet is checked for formulas before any is read as a project.
        sheets = [
            (ws.title, _cells(ws), _merges(workbook._archive, ws._worksheet_path))
            for ws in workbook.worksheets
        ]
    finally:
        workbook.close()
    result, seen, first_place = ParseResult(), set(), None
    for title, cells, merges in sheets:
        if title == SUMMARY_SHEET or not cells:
            continue
        values = {key: value for key, (value, _format) in cells.items()}
        if first_place is None:
            first_place = cell_name(title, *min(cells))
        if is_our_export(values):
            projects = [_SheetReader(title, values, merges).read()]
        else:
            texts = {key: _text_of(value, fmt) for key, (value, fmt) in cells.items()}
            grid = grid_from_sheet(title, {k: v for k, v in texts.items() if v}, merges)
            try:
                part = read_official(grid) if is_official(grid) else recognize(grid)
            except ImportFormatError as exc:
                if exc.where:
                    raise
                result.unplaced.append(
                    Finding(f"工作表“{title}”", f"没有识别出绩效目标表，未读取。（{exc.message}）")
                )
                continue
            projects = part.projects
            result.repairs += part.repairs
            result.skipped += part.skipped
            result.unplaced += part.unplaced
        for project in projects:
            key = (project["year"], project.get("department", ""), project["name"])
            if key in seen:
                raise ImportFormatError(f"工作表“{title}”", f"项目“{project['name']}”在工作簿中出现了两次。")
            seen.add(key)
            result.projects.append(project)
    if not result.projects:
        raise ImportFormatError(
            first_place or "",
            "不是本系统导出的批复表，也没有识别出项目支出绩效目标表"
            "（应有标题、“项目名称”和“一级指标、二级指标、三级指标、指标值”表头）。",
        )
    return result
