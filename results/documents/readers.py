"""Filled forms back from our Excel workbooks and `perfgoals-results/1` documents.

Excel: the workbook goes through the same guard as the approval sheets
(`projects.documents.readers.xlsx.read_sheets`: zip container checked first,
formulas refused); a number in a %-formatted cell reads as the percentage shown.
Each worksheet names its form (title, 截止日期 line, 填报单位, 项目名称); the stored
form's layout is then drawn again and every cell the system wrote must read the
same (a changed structure is refused with its cell), and the cells with a `field`
give the values. JSON: the document is validated and its
forms' rows must match the stored rows in order.

Readers return `Filled` items; `results.services.import_results` finds the forms,
binds the values to the same editor as the browser and says where a refused value
stands (the sheet and cell, or the JSON path).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date

from openpyxl.utils import get_column_letter

from projects.documents.errors import ImportFormatError
from projects.documents.readers import ZIP_MAGIC, decode_text
from projects.documents.readers.workbook import cell_text
from projects.documents.readers.xlsx import CellGrid, read_sheets
from projects.documents.writers.xlsx import SUMMARY_SHEET

from ..models import FUND_COLUMNS, FUND_PARTS, Cause, Kind, Likelihood, Round
from ..scoring import Achievement
from . import layout
from .data import FORMAT

# `（2025年度　截至6月30日）` (monitoring) or `（2025年度）` (self-evaluation: the year's end).
SUBTITLE_RE = re.compile(r"^（(\d{4})年度(?:\s*截至(\d{1,2})月(\d{1,2})日)?）$")
CAUSE_BY_LABEL = {choice.label: choice.value for choice in Cause}
LIKELIHOOD_BY_LABEL = {choice.label: choice.value for choice in Likelihood}
LEVEL_BY_LABEL = {choice.label: choice.value for choice in Achievement}
CAUSE_SEPARATORS = re.compile(r"[、，,；;/\s]+")
TITLES = {Round(kind=kind).form_title: kind for kind in Kind.values}


@dataclass
class Filled:
    """One form's values as read from a file, and where each one stands."""

    kind: str
    year: int
    cutoff: date
    department: str
    project: str
    where: str  # the worksheet or the JSON path of the form
    values: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)  # value key -> place
    grid: CellGrid | None = None  # Excel: checked against the stored form's layout
    rows: list | None = None  # JSON: [(level3, target)] in order

    @property
    def identity(self):
        return (self.kind, self.year, self.cutoff, self.department, self.project)

    def place(self, key):
        return self.places.get(key, self.where)


def split_reasons(text):
    """`经费保障、人员保障：说明` → (["funding", "staff"], "说明"); text without leading
    category names is all explanation."""
    text = (text or "").strip()
    colon = re.search("[：:]", text)
    head, rest = (text[: colon.start()], text[colon.end() :]) if colon else (text, "")
    names = [name for name in CAUSE_SEPARATORS.split(head.strip()) if name]
    if names and all(name in CAUSE_BY_LABEL for name in names):
        return [code for code in Cause.values if code in {CAUSE_BY_LABEL[n] for n in names}], rest.strip()
    return [], text


def read_file(filename, data):
    """Filled forms of an uploaded or given file (.xlsx or .json)."""
    if data.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        return read_workbook(data)
    if b"\x00" in data[:4096]:
        raise ImportFormatError("", "文件不是Excel工作簿（.xlsx）或JSON文件，无法导入。")
    return parse_document(decode_text(data))


# -- Excel -----------------------------------------------------------------------


def _place(title, row, col):
    return f"工作表“{title}”单元格{get_column_letter(col)}{row}"


def _shown(value, number_format):
    """A cell's value as the sheet shows it where Excel converted what was typed: `97%`
    typed into a General cell is stored as 0.97 with a % format, and reads `97%`."""
    if "%" in (number_format or "") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return cell_text(value, number_format)
    return value


def read_workbook(data):
    filled = []
    for title, cells, merges in read_sheets(data):
        if title == SUMMARY_SHEET:
            continue
        values = {key: _shown(value, fmt) for key, (value, fmt) in cells.items()}
        filled.append(_identify(CellGrid(title, values, merges)))
    if not filled:
        raise ImportFormatError("", "工作簿中没有监控表工作表。")
    return filled


def _identify(grid):
    """Which form a worksheet is: its title, 截止日期 line, 填报单位 and 项目名称."""
    kind = year = cutoff = department = project = None
    for row in grid.rows[:12]:
        first = grid.text(row, 1)
        if first in TITLES:
            kind = TITLES[first]
        elif match := SUBTITLE_RE.match(first):
            try:
                year = int(match[1])
                cutoff = date(year, int(match[2]), int(match[3])) if match[2] else date(year, 12, 31)
            except ValueError:
                grid.fail(row, 1, f"截止日期“{first}”不是有效日期。")
        elif first.startswith(layout.UNIT_PREFIX):
            department = first[len(layout.UNIT_PREFIX) :].strip()
        elif first == "项目名称":
            project = grid.text(row, 3)
    missing = [
        label
        for label, value in (
            ("标题", kind),
            ("年度与截止日期", cutoff),
            ("填报单位", department),
            ("项目名称", project),
        )
        if not value
    ]
    if missing:
        grid.fail(grid.rows[0] if grid.rows else 1, 1, f"不是本系统导出的监控表：缺少{'、'.join(missing)}。")
    return Filled(kind, year, cutoff, department, project, where=f"工作表“{grid.title}”", grid=grid)


def values_from_grid(filled, sheet):
    """Check a worksheet against the stored form's layout `sheet`; return its values."""
    grid = filled.grid
    offset = grid.rows[0] - 1 if grid.rows else 0  # our sheets start at row 1
    if offset:
        grid.fail(grid.rows[0], 1, "表格上方有多余的行，不是本系统导出的监控表格式。")
    values, places, rows = {}, {}, {}
    for drawn in sheet.rows:
        for cell in drawn.cells:
            r, c = drawn.number + 1, cell.col + 1
            text = grid.text(r, c)
            if cell.field:
                places[cell.field] = _place(grid.title, r, c)
                _put(values, rows, cell.field, text)
            elif cell.role not in layout.COMPUTED_ROLES and text != (cell.text or "").strip():
                grid.fail(
                    r,
                    c,
                    f"应为“{(cell.text or '（空）')[:30]}”，实际为“{text[:30] or '（空）'}”："
                    "表格内容与系统中的监控表不一致（只能填写浅黄色单元格），请重新导出后填写。",
                )
    for r, c in grid.values:
        if r > len(sheet.rows) or c > sheet.columns:
            grid.fail(r, c, "此处超出监控表的范围，有多余内容。")
    values["rows"] = [rows[i] for i in sorted(rows)]
    return _readable(values, places)


def _put(values, rows, key, text):
    if key.startswith("rows."):
        _, index, name = key.split(".")
        rows.setdefault(int(index), {})[name] = text
    else:
        values[key] = text


def _readable(values, places):
    """Reasons, likelihood and a qualitative row's level from their printed texts to the
    editor's values."""
    for index, row in enumerate(values["rows"]):
        key = f"rows.{index}."
        if "level" in row:
            level = row["level"]
            if level and level not in LEVEL_BY_LABEL:
                raise ImportFormatError(
                    places.get(key + "level", ""), f"完成程度“{level}”应为“达成”“部分达成”或“未达成”。"
                )
            row["level"] = LEVEL_BY_LABEL.get(level, "")
        if "reasons" in row:
            row["causes"], row["reason"] = split_reasons(row.pop("reasons"))
            places[key + "causes"] = places[key + "reason"] = places.get(key + "reasons", "")
        label = row.get("likelihood", "")
        if label and label not in LIKELIHOOD_BY_LABEL:
            raise ImportFormatError(
                places.get(key + "likelihood", ""),
                f"完成目标可能性“{label}”应为“确定能”“有可能”或“完全不可能”。",
            )
        row["likelihood"] = LIKELIHOOD_BY_LABEL.get(label, "")
    return values, places


# -- JSON ------------------------------------------------------------------------


def _text(data, key, path, *, required=False, limit=None):
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportFormatError(f"{path}.{key}", '应为文本（数值也写成文本，如"266"）。')
    value = value.strip()
    if required and not value:
        raise ImportFormatError(f"{path}.{key}", "不能为空。")
    if limit and len(value) > limit:
        raise ImportFormatError(f"{path}.{key}", f"超过{limit}个字符。")
    return value


def _object(data, path):
    if not isinstance(data, dict):
        raise ImportFormatError(path, "应为对象。")
    return data


def _row(data, path):
    _object(data, path)
    reasons = _object(data.get("reasons") or {"causes": [], "text": ""}, f"{path}.reasons")
    causes = reasons.get("causes", [])
    if not isinstance(causes, list) or not all(isinstance(code, str) for code in causes):
        raise ImportFormatError(f"{path}.reasons.causes", "应为偏差原因代码的列表。")
    for i, code in enumerate(causes):
        if code not in Cause.values:
            allowed = "、".join(f"{c.value}（{c.label}）" for c in Cause)
            raise ImportFormatError(
                f"{path}.reasons.causes[{i}]", f"“{code}”不是有效的偏差原因，应为：{allowed}。"
            )
    likelihood = _text(data, "likelihood", path)
    if likelihood and likelihood not in Likelihood.values:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in Likelihood)
        raise ImportFormatError(f"{path}.likelihood", f"“{likelihood}”不是有效选项，应为：{allowed}。")
    return {
        "actual": _text(data, "actual", path, limit=200),
        "forecast": _text(data, "forecast", path, limit=200),
        "causes": list(causes),
        "reason": _text(reasons, "text", f"{path}.reasons"),
        "likelihood": likelihood,
        "note": _text(data, "note", path),
    }


def _evaluation_row(data, path):
    _object(data, path)
    level = _text(data, "level", path)
    if level and level not in Achievement.values:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in Achievement)
        raise ImportFormatError(f"{path}.level", f"“{level}”不是有效的完成程度，应为：{allowed}。")
    return {
        "actual": _text(data, "actual", path, limit=200),
        "level": level,
        "points": _text(data, "points", path),
        "weight": _text(data, "weight", path),
        "reason": _text(data, "reason", path),
    }


def _form(data, path):
    _object(data, path)
    kind = data.get("kind")
    if kind not in Kind.values:
        raise ImportFormatError(f"{path}.kind", f"应为{'或'.join(Kind.values)}。")
    evaluation = kind == Kind.EVALUATION
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ImportFormatError(f"{path}.year", "应为2000至2100之间的年份。")
    try:
        cutoff = date.fromisoformat(_text(data, "cutoff", path, required=True))
    except ValueError:
        raise ImportFormatError(f"{path}.cutoff", "应为日期，如“2025-06-30”。") from None
    funds = _object(data.get("funds") or {}, f"{path}.funds")
    overall = _object(data.get("overall") or {}, f"{path}.overall")
    rows = data.get("rows", [])
    if not isinstance(rows, list):
        raise ImportFormatError(f"{path}.rows", "应为列表。")
    read_row = _evaluation_row if evaluation else _row
    values = {
        "budget_full": _text(funds, "budget_full", f"{path}.funds"),
        "executed": _text(funds, "executed", f"{path}.funds"),
        "rows": [read_row(row, f"{path}.rows[{i}]") for i, row in enumerate(rows)],
    }
    places = {}
    if evaluation:
        parts = _object(funds.get("parts") or {}, f"{path}.funds.parts")
        for part, _ in FUND_PARTS:
            columns = _object(parts.get(part) or {}, f"{path}.funds.parts.{part}")
            for column, _ in FUND_COLUMNS:
                values[f"{part}_{column}"] = _text(columns, column, f"{path}.funds.parts.{part}")
                places[f"{part}_{column}"] = f"{path}.funds.parts.{part}.{column}"
    else:
        values["forecast"] = _text(funds, "forecast", f"{path}.funds")
        values["funds_reason"] = _text(funds, "reason", f"{path}.funds")
    if "actual" in overall:
        values["summary"] = _text(overall, "actual", f"{path}.overall")
    places |= {
        "budget_full": f"{path}.funds.budget_full",
        "executed": f"{path}.funds.executed",
        "forecast": f"{path}.funds.forecast",
        "funds_reason": f"{path}.funds.reason",
        "summary": f"{path}.overall.actual",
    }
    for i in range(len(rows)):
        for key in ("actual", "forecast", "likelihood", "note", "level", "points", "weight"):
            places[f"rows.{i}.{key}"] = f"{path}.rows[{i}].{key}"
        if evaluation:
            places[f"rows.{i}.reason"] = f"{path}.rows[{i}].reason"
            continue
        places[f"rows.{i}.causes"] = f"{path}.rows[{i}].reasons.causes"
        places[f"rows.{i}.reason"] = f"{path}.rows[{i}].reasons.text"
    return Filled(
        kind=kind,
        year=year,
        cutoff=cutoff,
        department=_text(data, "department", path, required=True),
        project=_text(data, "project", path, required=True),
        where=path,
        values=values,
        places=places,
        rows=[
            (_text(row, "level3", f"{path}.rows[{i}]"), _text(row, "target", f"{path}.rows[{i}]"))
            for i, row in enumerate(rows)
        ],
    )


def parse_document(text):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"第{exc.lineno}行第{exc.colno}列", f"不是有效的JSON（{exc.msg}）。"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFormatError("format", f"不是本系统导出的监控数据（应为“{FORMAT}”格式）。")
    forms = data.get("forms")
    if not isinstance(forms, list):
        raise ImportFormatError("forms", "应为列表。")
    if not forms:
        raise ImportFormatError("forms", "文件中没有监控表。")
    return [_form(form, f"forms[{i}]") for i, form in enumerate(forms)]
