"""A grid of cells: the one shape in which text, Excel and Word tables reach the recognizer.

A `Grid` is a list of `Row`s; a row holds its cells by grid column. Merged
areas are resolved the way a copied table shows them: the text stands in the
first cell of the area and the other cells of the area are empty (a vertical
merge is "filled down" by the reader that knows what the column means; a
horizontal merge is never duplicated). Every row and cell knows its place in
the words a user reads: `第12行第3列` (text), `工作表“X”单元格C12` (Excel),
`第2个表格第5行第3列` (Word), `第3段` (a Word paragraph between tables).

Builders: `grid_from_text` (one row per line, TAB between cells),
`grid_from_sheet` (one worksheet's values and merged ranges) and
`grid_from_docx` (paragraphs and tables of a Word body, in document order).
"""

from dataclasses import dataclass, field

from .. import limits
from ..errors import ImportFormatError


@dataclass(frozen=True)
class Cell:
    text: str
    where: str


@dataclass
class Row:
    cells: list = field(default_factory=list)
    where: str = ""
    paragraph: bool = False  # a Word paragraph, not a table row

    @property
    def texts(self):
        return [cell.text for cell in self.cells]

    @property
    def filled(self):
        """The cells that hold text, in column order."""
        return [cell for cell in self.cells if cell.text]

    def text_at(self, col):
        return self.cells[col].text if 0 <= col < len(self.cells) else ""

    def where_at(self, col):
        return self.cells[col].where if 0 <= col < len(self.cells) else self.where


@dataclass
class Grid:
    rows: list = field(default_factory=list)


def clean(text):
    """A cell's text without surrounding blanks; inner line breaks kept."""
    lines = [line.strip() for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def check_cells(grid, noun):
    """Refuse a grid with more cells than the recognizer is given (`limits`), naming the row."""
    cells = filled = 0
    for row in grid.rows:
        cells += len(row.cells)
        filled += sum(1 for cell in row.cells if cell.text)
        for cell in row.cells:
            if len(cell.text) > limits.MAX_CELL_CHARS:
                message = f"单元格文字有{len(cell.text)}个字符，超过上限{limits.MAX_CELL_CHARS}个，拒绝导入。"
                raise ImportFormatError(cell.where, message)
        if cells > limits.MAX_SHEET_AREA or filled > limits.MAX_CELLS:
            raise ImportFormatError(
                row.where,
                f"{noun}的单元格超过上限（共{limits.MAX_SHEET_AREA}个、有内容的{limits.MAX_CELLS}个），拒绝导入。",
            )
    return grid


# -- text ------------------------------------------------------------------
def grid_from_text(text):
    grid = Grid()
    from .text import split_rows  # the one rule for TAB-separated rows (Excel's quoted cells)

    for number, parts in split_rows(text):
        grid.rows.append(
            Row(
                cells=[Cell(part, f"第{number}行第{col}列") for col, part in enumerate(parts, start=1)],
                where=f"第{number}行",
            )
        )
    return grid


# -- Excel -----------------------------------------------------------------
def cell_name(title, row, col):
    from openpyxl.utils import get_column_letter

    return f"工作表“{title}”单元格{get_column_letter(col)}{row}"


def grid_from_sheet(title, texts, merges):
    """`texts`: {(row, col): text}, 1-based, non-empty only;
    `merges`: (min_row, min_col, max_row, max_col) of each merged range."""
    covered = set()
    for min_row, min_col, max_row, max_col in merges:
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    covered.add((r, c))
    if not texts:
        return Grid()
    last_row = max(r for r, _ in texts)
    last_col = max(c for _, c in texts)
    grid = Grid()
    for r in range(1, last_row + 1):
        cells = [
            Cell("" if (r, c) in covered else texts.get((r, c), ""), cell_name(title, r, c))
            for c in range(1, last_col + 1)
        ]
        grid.rows.append(Row(cells=cells, where=f"工作表“{title}”第{r}行"))
    return grid


# -- Word ------------------------------------------------------------------
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Checkbox symbols of the Wingdings fonts (w:sym w:char), as Word inserts them.
TICKED_SYMBOLS = {"F0FE", "F0FD", "F078", "F0FC", "F052", "F053", "F050", "F0D6"}
EMPTY_SYMBOLS = {"F0A8", "F0A3", "F06F", "F0A1", "F0A2", "F071", "F030"}


def _symbol(element):
    code = (element.get(f"{W}char") or "").upper()
    if len(code) == 4 and code.startswith("00"):
        code = "F0" + code[2:]
    if code in TICKED_SYMBOLS:
        return "☑"
    if code in EMPTY_SYMBOLS:
        return "☐"
    return ""


def paragraph_text(paragraph):
    """Text of a w:p: runs, tabs as spaces, breaks as new lines, checkbox symbols as ☑/☐."""
    parts = []
    for element in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}sym", f"{W}checked"):
        tag = element.tag
        if tag == f"{W}t":
            parts.append(element.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}sym":
            parts.append(_symbol(element))
    return "".join(parts)


def _cell_text(tc):
    texts = [paragraph_text(p) for p in tc.iter(f"{W}p")]
    return clean("\n".join(texts))


class _Budget:
    """Counts the work a Word document costs and refuses past the limits."""

    def __init__(self):
        self.tables = self.rows = self.cells = self.chars = 0

    def table(self, where):
        self.tables += 1
        if self.tables > limits.MAX_DOCX_TABLES:
            raise ImportFormatError(where, f"文档中的表格超过{limits.MAX_DOCX_TABLES}个，拒绝导入。")

    def row(self, where):
        self.rows += 1
        if self.rows > limits.MAX_ROWS:
            raise ImportFormatError(where, f"文档中的表格行超过{limits.MAX_ROWS}行，拒绝导入。")

    def cell(self, where, text):
        self.cells += 1
        self.chars += len(text)
        if self.cells > limits.MAX_DOCX_CELLS:
            raise ImportFormatError(where, f"文档中的单元格超过{limits.MAX_DOCX_CELLS}个，拒绝导入。")
        if len(text) > limits.MAX_CELL_CHARS:
            raise ImportFormatError(where, f"单元格文字超过{limits.MAX_CELL_CHARS}个字符，拒绝导入。")
        if self.chars > limits.MAX_DOCX_CHARS:
            raise ImportFormatError(where, f"文档文字超过{limits.MAX_DOCX_CHARS}个字符，拒绝导入。")


def _table_rows(tbl, number, budget):
    """Rows of one w:tbl by grid column; vertical continuations and span tails empty."""
    rows = []
    for r, tr in enumerate(tbl.iterchildren(f"{W}tr"), start=1):
        where = f"第{number}个表格第{r}行"
        budget.row(where)
        cells, col = [], 0
        for tc in tr.iterchildren(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span, continued = 1, False
            if pr is not None:
                grid_span = pr.find(f"{W}gridSpan")
                if grid_span is not None:
                    try:
                        span = max(1, int(grid_span.get(f"{W}val", "1")))
                    except ValueError:
                        span = 1
                v_merge = pr.find(f"{W}vMerge")
                continued = v_merge is not None and v_merge.get(f"{W}val", "continue") != "restart"
            text = "" if continued else _cell_text(tc)
            cell_where = f"第{number}个表格第{r}行第{col + 1}列"
            budget.cell(cell_where, text)
            cells.append(Cell(text, cell_where))
            for extra in range(1, span):
                cells.append(Cell("", f"第{number}个表格第{r}行第{col + extra + 1}列"))
            col += span
            if col > limits.MAX_COLUMNS:
                raise ImportFormatError(where, f"表格超过{limits.MAX_COLUMNS}列，拒绝导入。")
        rows.append(Row(cells=cells, where=where))
    return rows


def _blocks(parent):
    """Paragraphs and tables of a body in order, inside content controls (w:sdt) too."""
    for child in parent.iterchildren():
        if child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif child.tag in (f"{W}p", f"{W}tbl"):
            yield child


def grid_from_docx(body):
    """The paragraphs and tables of a Word body element (w:body), in document order."""
    grid, budget = Grid(), _Budget()
    paragraphs = tables = 0
    for child in _blocks(body):
        if child.tag == f"{W}p":
            paragraphs += 1
            text = clean(paragraph_text(child))
            where = f"第{paragraphs}段"
            budget.cell(where, text)
            if text:
                grid.rows.append(Row(cells=[Cell(text, where)], where=where, paragraph=True))
        elif child.tag == f"{W}tbl":
            tables += 1
            budget.table(f"第{tables}个表格")
            grid.rows.extend(_table_rows(child, tables, budget))
            grid.rows.append(Row(cells=[], where=f"第{tables}个表格之后"))  # a table ends a block
    return grid
