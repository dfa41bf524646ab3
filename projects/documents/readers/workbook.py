"""Read any Excel workbook: our own export as before, a unit's own sheets by recognition.

Every guard of `readers.xlsx` applies to every sheet: the zip container is
checked before openpyxl opens anything (`container`), and each sheet is walked
by `xlsx.read_sheets` (the cells that exist, within `limits`, formulas refused)
before any sheet is read. Then, sheet
by sheet:

- a sheet in the layout our export writes (title `YYYY年项目支出绩效目标批复`
  then `预算单位：…`) is read by `xlsx._SheetReader`, strictly, exactly as before;
- any other sheet goes through the grid (merged ranges resolved) to the
  official reader or the recognizer (`recognize`), like Word and text files.

A sheet where nothing is recognised is named in the report, not dropped
silently; a workbook where nothing at all is recognised is refused.
"""

from datetime import date, datetime, time

from .. import layout
from ..errors import ImportFormatError
from ..writers.xlsx import SUMMARY_SHEET
from .findings import Finding
from .grid import cell_name, grid_from_sheet
from .official import is_official, read_official
from .recognize import recognize
from .text import TITLE_RE, ParseResult
from .xlsx import MARK_RE, _SheetReader, read_sheets


def cell_text(value, number_format):
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


def is_our_export(values):
    """Our writer's sheet: (mark,) title in A1/A2, then `预算单位：…` in column A."""
    first = [str(values.get((r, 1), "")).strip() for r in (1, 2, 3)]
    start = 1 if MARK_RE.match(first[0]) else 0
    return bool(TITLE_RE.match(first[start])) and first[start + 1].startswith(layout.UNIT_PREFIX)


def read_any_workbook(data):
    sheets = read_sheets(data)  # bounded, every sheet checked for formulas before any is read
    result, first_place = ParseResult(), None
    for title, cells, merges in sheets:
        if title == SUMMARY_SHEET or not cells:
            continue
        values = {key: value for key, (value, _format) in cells.items()}
        if first_place is None:
            first_place = cell_name(title, *min(cells))
        if is_our_export(values):
            result.projects.append(_SheetReader(title, values, merges).read())
            result.places.append(f"工作表“{title}”")
        else:
            texts = {key: cell_text(value, fmt) for key, (value, fmt) in cells.items()}
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
            offset = len(result.projects)
            result.unit_sources.update({offset + index: text for index, text in part.unit_sources.items()})
            for key in ("projects", "places", "repairs", "skipped", "unplaced"):
                getattr(result, key).extend(getattr(part, key))
    if not result.projects:
        raise ImportFormatError(
            first_place or "",
            "不是本系统导出的批复表，也没有识别出项目支出绩效目标表"
            "（应有标题、“项目名称”和“一级指标、二级指标、三级指标、指标值”表头）。",
        )
    return result
