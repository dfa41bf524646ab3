"""The approval sheet (项目支出绩效目标批复) as a plain structure, computed once.

`build_sheet(data)` turns the project data of one project — the perfgoals/1
structure of `projects.documents.data`, from a stored project (a Project with
its tree prefetched by `Project.objects.with_tree()` is converted) or from a
frozen approval snapshot — into blocks of rows of cells, with the merged spans
of the official document: six columns, 目标名称 / 一级指标 / 二级指标 merged
vertically over their rows. The HTML page, the PDF, the Excel and the Word
writers draw from it, so a live project and an approval snapshot print
through one path; the Excel reader (`projects.documents.readers.xlsx`) parses
it back, so the labels below are the contract between writer and reader.

A block is one HTML table: `head` rows repeat on every printed page (`thead`),
`bodies` are row groups (`tbody`) kept together where they fit. A row with
`keep_with_previous` continues a level-1 group and should not be separated
from the row above it. An approved sheet ends with the `approval` block: one
line naming the approving body and date (批复单位 / 批复日期) of the final
review step, printed without borders under the tables.

The classes are shared by every official form the product prints: the
monitoring and self-evaluation forms (`results.documents.layout`) build the
same structure with their own columns (`Sheet.widths`, `column_classes`),
orientation and final state, and mark the cells a user fills in offline with
`Cell.field`.
"""

from dataclasses import dataclass, field, replace

from indicators.values import normalize_number

from ..models import Funding, Goal, ProjectType, Status, funding_in_order
from .data import project_to_dict

COLUMNS = 6
UNIT_PREFIX = "预算单位："
AMOUNT_UNIT = "金额单位：万元"
APPROVAL_BODY_PREFIX = "批复单位："
APPROVAL_DATE_PREFIX = "批复日期："
MARK_PREFIX = "未批复"
MARK_NOTE = "此表尚未批复，不作为批复依据"
# Column widths in Excel character units (a Chinese character takes about two).
COLUMN_WIDTHS = (15, 11, 14, 26, 14, 22)
COLUMN_CLASSES = ("w-goal", "w-l1", "w-l2", "w-l3", "w-value", "w-basis")
CHECKED, UNCHECKED = "☑", "☐"
OVERALL_TITLE = "项目绩效总目标"
OVERALL_HEADER = ("名称", "目标说明")
TABLE_TITLES = {Goal.Term.LONG: "长期绩效目标表", Goal.Term.ANNUAL: "年度绩效目标表"}
TABLE_HEADER = (
    "目标名称",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "指标值确定依据（计划标准、行业标准、历史标准、预算支出标准或其他标准）",
)


@dataclass
class Cell:
    text: str
    # mark, title, unit, amount, section, label, value, options, header,
    # goal, level1, level2, level3, target, basis, approval_body, approval_date
    role: str
    col: int
    colspan: int = 1
    rowspan: int = 1
    header: bool = False  # drawn as <th>
    # A cell filled in by the user (offline Excel): the key of the value it holds;
    # `choices` lists the accepted texts, `hint` says what to type.
    field: str = ""
    choices: tuple = ()
    hint: str = ""

    @property
    def last_col(self):
        return self.col + self.colspan - 1


@dataclass
class Row:
    cells: list
    kind: str  # mark, title, unit, basic, section, header, overall, indicator, approval
    keep_with_previous: bool = False
    number: int = 0  # 0-based position in the whole sheet (set by Sheet)
    page_start: bool = False  # a continuation that starts a new printed page (PDF)


@dataclass
class Block:
    kind: str  # heading, basic, section, overall, table, approval
    head: list = field(default_factory=list)
    bodies: list = field(default_factory=list)  # list of lists of rows
    term: str = ""

    @property
    def rows(self):
        return self.head + [row for body in self.bodies for row in body]


@dataclass
class Sheet:
    project_id: int
    title: str
    name: str
    department: str
    status: str
    status_label: str
    blocks: list
    columns: int = COLUMNS
    approval_body: str = ""  # 批复单位 of an approved sheet (may be unknown: "")
    approval_date: str = ""  # 批复日期, `2025年3月15日`
    widths: tuple = COLUMN_WIDTHS
    column_classes: tuple = COLUMN_CLASSES
    landscape: bool = False
    kind: str = "approval"  # the HTML article's class: sheet-approval, sheet-monitoring …
    final_status: str = Status.APPROVED  # the state in which the sheet carries no mark
    mark_prefix: str = MARK_PREFIX
    mark_note: str = MARK_NOTE

    def __post_init__(self):
        for number, row in enumerate(self.rows):
            row.number = number

    @property
    def final(self):
        """Whether the sheet is in its final state (approved, confirmed): no mark."""
        return self.status == self.final_status

    @property
    def mark(self):
        """The provisional mark (`未批复（草稿）`), empty for a final sheet."""
        return "" if self.final else f"{self.mark_prefix}（{self.status_label}）"

    @property
    def rows(self):
        return [row for block in self.blocks for row in block.rows]

    @property
    def header_rows(self):
        """Rows that identify the sheet on every printed page (mark, title, units)."""
        return [row for row in self.rows if row.kind in ("mark", "title", "unit")]

    def merges(self):
        """(first_row, first_col, last_row, last_col) of every merged range, 0-based."""
        for row in self.rows:
            for cell in row.cells:
                if cell.colspan > 1 or cell.rowspan > 1:
                    yield row.number, cell.col, row.number + cell.rowspan - 1, cell.last_col

    def grid(self):
        """The sheet as a full rows × columns matrix of texts; merged areas hold the
        text in their first cell and None elsewhere (as a spreadsheet stores them)."""
        rows = self.rows
        matrix = [[None] * self.columns for _ in rows]
        for row in rows:
            for cell in row.cells:
                for r in range(row.number, row.number + cell.rowspan):
                    for c in range(cell.col, cell.last_col + 1):
                        matrix[r][c] = None
                matrix[row.number][cell.col] = cell.text
        return matrix


def options_text(choices, chosen):
    """`☑常年性项目 ☐延续性项目 ☐一次性项目`: every option, ticked or not."""
    return " ".join(f"{CHECKED if c.value in chosen else UNCHECKED}{c.label}" for c in choices)


def _span(text, role, col, colspan=1, header=False):
    return Cell(text=text, role=role, col=col, colspan=colspan, header=header)


def merge_runs(rows, columns, keep_col=None):
    """Merge equal texts vertically: for each (col, role, value) of `columns`, in
    order, runs of equal values (within the runs of the columns before it) become
    one cell spanning them; rows after the first of a run of `keep_col` are kept
    with the previous one across pages. Cells are appended to the rows and sorted."""

    def split(start, stop, depth):
        if depth == len(columns):
            return
        col, role, values = columns[depth]
        for i, j in _runs(values, start, stop):
            rows[i].cells.append(Cell(values[i], role, col, rowspan=j - i))
            if col == keep_col:
                for k in range(i + 1, j):
                    rows[k].keep_with_previous = True
            split(i, j, depth + 1)

    split(0, len(rows), 0)
    for row in rows:
        row.cells.sort(key=lambda cell: cell.col)
    return rows


CONTINUED = "（续）"


def split_body(body, at, continued_roles=("goal",)):
    """A row group cut before row `at`, as a printed page cuts it: (top, rest). A merged
    cell that spans the cut is repeated on the rest (the 目标名称 with `（续）`), so a
    continuation page does not start with an empty 目标名称 or 一级指标 cell; the rest
    starts a new page."""
    top = [replace(row, cells=list(row.cells)) for row in body[:at]]
    rest = [replace(row, cells=list(row.cells)) for row in body[at:]]
    carried = []
    for index, row in enumerate(top):
        for position, cell in enumerate(row.cells):
            if index + cell.rowspan > at:
                row.cells[position] = replace(cell, rowspan=at - index)
                text = cell.text
                if cell.role in continued_roles and text and not text.endswith(CONTINUED):
                    text += CONTINUED
                carried.append(replace(cell, text=text, rowspan=index + cell.rowspan - at))
    rest[0].cells = sorted(carried + rest[0].cells, key=lambda cell: cell.col)
    rest[0].keep_with_previous = False
    rest[0].page_start = True
    return top, rest


def with_page_splits(sheet, splits):
    """`sheet` with its row groups cut where printed pages cut them: `splits` maps
    (block index, body index) to the row that starts a later page."""
    blocks = []
    for block_index, block in enumerate(sheet.blocks):
        bodies = []
        for body_index, body in enumerate(block.bodies):
            at = splits.get((block_index, body_index))
            bodies.extend(split_body(body, at) if at else [body])
        blocks.append(replace(block, bodies=bodies))
    return replace(sheet, blocks=blocks)


def _runs(values, start, stop):
    """Maximal runs [i, j) of equal values within values[start:stop]."""
    i = start
    while i < stop:
        j = i + 1
        while j < stop and values[j] == values[i]:
            j += 1
        yield i, j
        i = j


def _goal_body(goal):
    """Rows of one goal in its table: goal, level 1 and level 2 merged over their runs."""
    indicators = goal["indicators"]
    rows = [
        Row(
            cells=[
                _span(ind["level3"], "level3", 3),
                _span(ind["value"], "target", 4),
                _span(ind["basis"], "basis", 5),
            ],
            kind="indicator",
        )
        for ind in indicators
    ]
    if not rows:
        return []
    rows[0].cells.append(Cell(goal["name"], "goal", 0, rowspan=len(rows)))
    level1 = [ind["level1"] for ind in indicators]
    level2 = [ind["level2"] for ind in indicators]
    return merge_runs(rows, [(1, "level1", level1), (2, "level2", level2)], keep_col=1)


def year_titled(year, name):
    """`2026年` and `name` as a file's name starts, the year once: a name that already
    begins with it (2026年政务云运维服务项目) is not made 2026年2026年…."""
    name = name.strip()
    return name if name.startswith(f"{year}年") else f"{year}年{name}"


def date_text(iso_date):
    """`2025-03-15` as the sheet prints it: `2025年3月15日`."""
    from datetime import date

    day = date.fromisoformat(iso_date)
    return f"{day.year}年{day.month}月{day.day}日"


def _approval_block(approval):
    """The line under an approved sheet: 批复单位 at the left, 批复日期 at the right."""
    body, day = approval.get("body") or "", date_text(approval["date"])
    cells = [_span(f"{APPROVAL_DATE_PREFIX}{day}", "approval_date", 3, 3)]
    if body:
        cells.insert(0, _span(f"{APPROVAL_BODY_PREFIX}{body}", "approval_body", 0, 3))
    return Block(kind="approval", head=[Row(cells, "approval")]), body, day


def sheet_title(year):
    return f"{year}年项目支出绩效目标批复"


def budget_text(budget):
    """The budget as the sheet prints it: `266万` (from a Decimal or the data's string)."""
    from decimal import Decimal

    return f"{normalize_number(Decimal(str(budget)))}万"


def build_sheet(data):
    """The whole sheet of one project: its project data (or a Project, tree prefetched)."""
    if not isinstance(data, dict):
        data = project_to_dict(data)
    goals = data["goals"]
    status = data.get("status") or Status.DRAFT
    title = sheet_title(data["year"])
    heading = Block(kind="heading")
    if status != Status.APPROVED:
        label = Status(status).label
        heading.head.append(Row([_span(f"{MARK_PREFIX}（{label}）", "mark", 0, COLUMNS)], "mark"))
    heading.head.append(Row([_span(title, "title", 0, COLUMNS)], "title"))
    heading.head.append(
        Row(
            [
                _span(f"{UNIT_PREFIX}{data['department']}", "unit", 0, 3),
                _span(AMOUNT_UNIT, "amount", 3, 3),
            ],
            "unit",
        )
    )
    basic = Block(kind="basic")
    basic.bodies.append(
        [
            Row([_span("项目名称", "label", 0, header=True), _span(data["name"], "value", 1, 5)], "basic"),
            Row(
                [
                    _span("项目预算", "label", 0, header=True),
                    _span(budget_text(data["budget"]), "value", 1),
                    _span("项目类型", "label", 2, header=True),
                    _span(options_text(ProjectType, {data["project_type"]}), "options", 3, 3),
                ],
                "basic",
            ),
            Row(
                [
                    _span("资金性质", "label", 0, header=True),
                    _span(options_text(Funding, set(funding_in_order(data["funding"]))), "options", 1, 5),
                ],
                "basic",
            ),
            Row(
                [_span("立项依据", "label", 0, header=True), _span(data["rationale"], "value", 1, 5)], "basic"
            ),
        ]
    )
    overall = Block(kind="overall")
    overall.head.append(Row([_span(OVERALL_TITLE, "section", 0, COLUMNS, header=True)], "section"))
    overall.head.append(
        Row(
            [
                _span(OVERALL_HEADER[0], "header", 0, header=True),
                _span(OVERALL_HEADER[1], "header", 1, 5, True),
            ],
            "header",
        )
    )
    overall.bodies.append(
        [
            Row([_span(goal["name"], "goal", 0, header=True), _span(goal["text"], "value", 1, 5)], "overall")
            for goal in goals
        ]
    )
    blocks = [heading, basic, overall]
    for term in (Goal.Term.LONG, Goal.Term.ANNUAL):
        blocks.append(
            Block(
                kind="section",
                head=[Row([_span(TABLE_TITLES[term], "section", 0, COLUMNS, header=True)], "section")],
                term=term,
            )
        )
        table = Block(kind="table", term=term)
        table.head.append(
            Row([_span(text, "header", col, header=True) for col, text in enumerate(TABLE_HEADER)], "header")
        )
        for goal in goals:
            if goal["term"] == term:
                body = _goal_body(goal)
                if body:
                    table.bodies.append(body)
        blocks.append(table)
    approval_body = approval_date = ""
    approval = data.get("approval")
    if status == Status.APPROVED and approval and approval.get("date"):
        block, approval_body, approval_date = _approval_block(approval)
        blocks.append(block)
    return Sheet(
        project_id=data.get("id"),
        title=title,
        name=data["name"],
        department=data["department"],
        status=status,
        status_label=Status(status).label,
        blocks=blocks,
        approval_body=approval_body,
        approval_date=approval_date,
    )
