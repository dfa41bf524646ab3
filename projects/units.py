"""The list of units (单位名单): reading it from Excel or CSV and importing it.

A unit list has one unit per row under a header row with the columns 单位编码,
单位名称 and 主管部门编码 (empty for a 主管部门; the column may be left out when
every unit is one), in any order; other columns are ignored. The code is the
unit's identity: importing the list again updates names and parents and never
deletes a unit. A stored unit without a code (made by `adduser` or an import of
sheets) is taken over by the row with its name.

Importing is all or nothing: every row is checked against the state the whole
list would leave (codes and names unique, parents that exist, two levels only)
before anything is written, and every refusal names its row.
"""

import csv
import io
import re
import uuid
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from .accounts import log
from .documents.errors import ImportFormatError
from .models import AdminChange, Department

CODE, NAME, PARENT = "单位编码", "单位名称", "主管部门编码"
MAX_UNITS = 20_000
SUFFIXES = (".xlsx", ".csv")


class UnitListError(ImportFormatError):
    """A unit list that cannot be imported; `problems` lists every row's problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("", "；".join(self.problems))

    def __str__(self):
        return "单位名单未导入：" + "；".join(self.problems)


@dataclass
class UnitRow:
    line: int  # the row number in the file (the header is row 1 when it is the first row)
    code: str
    name: str
    parent_code: str


@dataclass
class UnitReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)  # (unit, what changed)
    unchanged: list = field(default_factory=list)

    def summary(self):
        return f"新增{len(self.created)}个单位，更新{len(self.updated)}个，未变化{len(self.unchanged)}个。"


# -- reading -------------------------------------------------------------------


def _cell_text(value, line, column):
    if value is None:
        return ""
    if isinstance(value, bool):
        raise UnitListError([f"第{line}行{column}：应为文本，实际为逻辑值。"])
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number
    if not isinstance(value, (str, int, float)):
        raise UnitListError([f"第{line}行{column}：应为文本，实际为日期或其他值。"])
    return str(value).strip()


def _rows(table):
    """UnitRows from (line, [cells]) pairs whose first non-empty row is the header."""
    header, rows, seen = None, [], 0
    for line, cells in table:
        texts = [_cell_text(value, line, f"第{col}列") for col, value in enumerate(cells, start=1)]
        if not any(texts):
            continue
        if header is None:
            missing = [name for name in (CODE, NAME) if name not in texts]
            if missing:
                raise UnitListError(
                    [f"第{line}行应为表头，含“{CODE}”“{NAME}”“{PARENT}”列；缺少" + "、".join(missing)]
                )
            header = {name: texts.index(name) for name in (CODE, NAME, PARENT) if name in texts}
            continue
        seen += 1
        if seen > MAX_UNITS:
            raise UnitListError([f"单位名单超过{MAX_UNITS}行，拒绝导入。"])

        def get(name, texts=texts, header=header):
            index = header.get(name)
            return texts[index] if index is not None and index < len(texts) else ""

        rows.append(UnitRow(line, get(CODE), get(NAME), get(PARENT)))
    if header is None:
        raise UnitListError([f"文件为空：应有表头“{CODE}”“{NAME}”“{PARENT}”和每个单位一行。"])
    if not rows:
        raise UnitListError(["单位名单没有任何单位。"])
    return rows


def _xlsx_table(data):
    from openpyxl import load_workbook

    from .documents.readers.container import check_container

    try:
        check_container(data)
    except UnitListError:
        raise
    except ImportFormatError as exc:
        raise UnitListError([str(exc)]) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise UnitListError([f"无法读取Excel工作簿（{type(exc).__name__}），文件可能已损坏。"]) from None
    try:
        worksheet = workbook.worksheets[0]
        table = []
        for row in worksheet.iter_rows():
            cells = []
            line = None
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    raise UnitListError(
                        [f"工作表“{worksheet.title}”单元格{cell.coordinate}含有公式，请转为文本后再导入。"]
                    )
                line = getattr(cell, "row", line)
                cells.append(getattr(cell, "value", None))
            if line is not None:
                table.append((line, cells[:10]))
            if len(table) > MAX_UNITS + 10:
                raise UnitListError([f"单位名单超过{MAX_UNITS}行，拒绝导入。"])
        return table
    finally:
        workbook.close()


def _csv_table(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnitListError(["CSV文件编码无法识别，请另存为UTF-8或GBK编码。"])
    if "\x00" in text:
        raise UnitListError(["不是文本格式的CSV文件。"])
    try:
        return [(line, cells) for line, cells in enumerate(csv.reader(io.StringIO(text)), start=1)]
    except csv.Error as exc:
        raise UnitListError([f"CSV格式错误：{exc}"]) from None


def read_unit_list(filename, data):
    """The rows of a unit list file (.xlsx or .csv)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _rows(_xlsx_table(data))
    if name.endswith(".csv"):
        return _rows(_csv_table(data))
    raise UnitListError(["只能导入.xlsx或.csv格式的单位名单。"])


# -- importing -------------------------------------------------------------------


def _line_of(problem):
    found = re.match(r"第(\d+)行", problem)
    return int(found[1]) if found else 0


def unit_text(code, name, parent_name):
    return (
        f"单位编码：{code or '（无）'}；单位名称：{name}；主管部门：{parent_name or '（无，本身为主管部门）'}"
    )


def _check_rows(rows):
    """Problems of the rows on their own; returns (problems, the rows without one)."""
    code_limit = Department._meta.get_field("code").max_length
    name_limit = Department._meta.get_field("name").max_length
    problems, codes, names, sound = [], {}, {}, []
    for row in rows:
        where = f"第{row.line}行"
        found = len(problems)
        if not row.code:
            problems.append(f"{where}：单位编码为空")
        elif len(row.code) > code_limit:
            problems.append(f"{where}：单位编码超过{code_limit}个字符")
        elif row.code in codes:
            problems.append(f"{where}：单位编码“{row.code}”与第{codes[row.code]}行重复")
        else:
            codes[row.code] = row.line
        if not row.name:
            problems.append(f"{where}：单位名称为空")
        elif len(row.name) > name_limit:
            problems.append(f"{where}：单位名称超过{name_limit}个字符")
        elif row.name in names:
            problems.append(f"{where}：单位名称“{row.name}”与第{names[row.name]}行重复")
        else:
            names[row.name] = row.line
        if row.parent_code and row.parent_code == row.code:
            problems.append(f"{where}：单位不能是自己的主管部门")
        if len(row.parent_code) > code_limit:
            problems.append(f"{where}：主管部门编码超过{code_limit}个字符")
        if len(problems) == found:
            sound.append(row)
    return problems, sound


def _plan(rows):
    """Match rows to stored units and check the state the whole list would leave.

    Returns ({id(row): stored unit or None}, problems). In the final state every unit
    is a node: a row of the list, or a stored unit the list does not name.
    """
    stored = list(Department.objects.select_for_update().order_by("pk"))
    by_code = {unit.code: unit for unit in stored if unit.code}
    by_name = {unit.name: unit for unit in stored}
    matches, taken = {}, set()
    for row in rows:
        unit = by_code.get(row.code)
        if unit is None:
            named = by_name.get(row.name)
            if named is not None and not named.code and named.pk not in taken:
                unit = named  # a unit made before it had a code takes the code now
        if unit is not None:
            taken.add(unit.pk)
        matches[id(row)] = unit

    node_of_pk = {unit.pk: ("unit", unit.pk) for unit in stored if unit.pk not in taken}
    node_of_pk.update({matches[id(row)].pk: ("row", row.code) for row in rows if matches[id(row)]})
    node_of_code = {unit.code: ("unit", unit.pk) for unit in stored if unit.code and unit.pk not in taken}
    node_of_code.update({row.code: ("row", row.code) for row in rows})
    name = {("unit", unit.pk): unit.name for unit in stored if unit.pk not in taken}
    name.update({("row", row.code): row.name for row in rows})
    parent = {("unit", unit.pk): node_of_pk.get(unit.parent_id) for unit in stored if unit.pk not in taken}

    problems = []
    for row in rows:
        if row.parent_code and row.parent_code not in node_of_code:
            problems.append(f"第{row.line}行：主管部门编码“{row.parent_code}”在名单和系统中都不存在")
        parent[("row", row.code)] = node_of_code.get(row.parent_code) if row.parent_code else None

    holders = {}
    for node, text in name.items():
        holders.setdefault(text, []).append(node)
    stored_by_pk = {unit.pk: unit for unit in stored}
    for row in rows:
        others = [node for node in holders[row.name] if node != ("row", row.code)]
        if others and others[0][0] == "unit":
            other = stored_by_pk[others[0][1]]
            held = f"单位编码为“{other.code}”的单位" if other.code else "系统中另一个单位"
            problems.append(f"第{row.line}行：单位名称“{row.name}”已被{held}使用")

    children = {}
    for node, up in parent.items():
        if up is not None:
            children.setdefault(up, []).append(node)
    for row in rows:
        node, up = ("row", row.code), parent[("row", row.code)]
        if up is None:
            continue
        if parent.get(up) is not None:
            problems.append(
                f"第{row.line}行：主管部门“{name[up]}”本身是“{name[parent[up]]}”的所属单位，"
                "不能再作为主管部门（只分两级）"
            )
        if children.get(node):
            problems.append(
                f"第{row.line}行：“{row.name}”下有所属单位“{name[children[node][0]]}”，"
                "不能再隶属其他主管部门（只分两级）"
            )
    return matches, problems


@transaction.atomic
def import_units(rows, actor):
    """Create or update the units of a unit list (rows from `read_unit_list`), all or nothing;
    every created or changed unit is logged under `actor`."""
    problems, sound = _check_rows(rows)
    matches, more = _plan(sound)  # the whole list's state, as far as its rows can be read
    problems += more
    if problems:
        raise UnitListError(sorted(problems, key=_line_of))
    report = UnitReport()
    by_code = {}
    before = {}
    for row in rows:
        unit = matches[id(row)]
        if unit is not None:
            before[unit.pk] = unit_text(unit.code, unit.name, unit.parent.name if unit.parent else "")
    try:
        # Names first through a placeholder, so that swapping two names never collides midway.
        renamed = [
            (row, matches[id(row)]) for row in rows if matches[id(row)] and matches[id(row)].name != row.name
        ]
        for _, unit in renamed:
            Department.objects.filter(pk=unit.pk).update(name=f"（改名中）{unit.pk}-{uuid.uuid4().hex}")
        for row in rows:
            unit = matches[id(row)]
            if unit is None:
                unit = Department.objects.create(code=row.code, name=row.name)
                report.created.append(unit)
            else:
                unit.code, unit.name = row.code, row.name
                Department.objects.filter(pk=unit.pk).update(code=row.code, name=row.name)
            by_code[row.code] = unit
        stored = {unit.code: unit for unit in Department.objects.exclude(code=None)}
        for row in rows:
            unit = by_code[row.code]
            parent = stored[row.parent_code] if row.parent_code else None
            unit.parent = parent
            Department.objects.filter(pk=unit.pk).update(parent=parent)
    except IntegrityError:
        raise UnitListError(["单位名单导入时与他人的修改冲突，未导入任何单位，请重试。"]) from None
    created = {unit.pk for unit in report.created}
    for row in rows:
        unit = by_code[row.code]
        after = unit_text(unit.code, unit.name, unit.parent.name if unit.parent else "")
        if unit.pk in created:
            log(actor, AdminChange.Subject.UNIT, unit.pk, unit.name, "导入单位名单：新增", after=after)
        elif before[unit.pk] != after:
            report.updated.append(unit)
            log(
                actor,
                AdminChange.Subject.UNIT,
                unit.pk,
                unit.name,
                "导入单位名单：更新",
                before=before[unit.pk],
                after=after,
            )
        else:
            report.unchanged.append(unit)
    return report


@transaction.atomic
def save_unit(actor, unit, before_text=""):
    """Save a unit edited in the browser (validated by its form) and log the change."""
    created = unit.pk is None
    unit.save()
    after = unit_text(unit.code, unit.name, unit.parent.name if unit.parent else "")
    if created or before_text != after:
        action = "新增单位" if created else "修改单位"
        log(actor, AdminChange.Subject.UNIT, unit.pk, unit.name, action, before=before_text, after=after)
    return unit
