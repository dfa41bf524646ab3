"""The official approval sheet (our seed's layout) read out of a Word or Excel grid.

The official layout keeps its proven reader (`readers.text`, which loads the
seed's 10 sheets with their 11 repairs): a grid whose rows hold the title
`YYYY年项目支出绩效目标批复` is written out as the text copy that reader knows
(one row per line, TAB between cells, merged cells empty), and its errors and
repairs are given back with the grid's own places (`第2个表格第5行`).
"""

from .. import layout
from ..errors import ImportFormatError
from .findings import Finding
from .text import TITLE_RE, TITLE_VARIANT_RE, SheetFormatError, parse_sheets, sheet_title, split_cells

LINE_BREAK = "\u2028"  # a line break inside a cell, kept across the one-line-per-row text


def is_official(grid):
    """The official title `YYYY年项目支出绩效目标批复` (or a variant of it over the official
    项目绩效总目标), and no indicator table of another layout (the official tables' header
    starts with 目标名称)."""
    from .recognize import is_indicator_header

    singles = {row.filled[0].text for row in grid.rows if len(row.filled) == 1}
    if not any(TITLE_RE.match(text) for text in singles) and not (
        layout.OVERALL_TITLE in singles and any(TITLE_VARIANT_RE.match(text) for text in singles)
    ):
        return False
    return not any(is_indicator_header(row) and row.filled[0].text != "目标名称" for row in grid.rows)


def _restore(value):
    if isinstance(value, str):
        return value.replace(LINE_BREAK, "\n")
    if isinstance(value, list):
        return [_restore(item) for item in value]
    if isinstance(value, dict):
        return {key: _restore(item) for key, item in value.items()}
    return value


def _is_title(line):
    """Whether the text reader starts a sheet at this line (a title alone on it)."""
    cells = split_cells(line)
    return len(cells) == 1 and bool(sheet_title(cells[0]))


def read_official(grid):
    """Our own export's mark, unit and approval lines are the text reader's (`text.MARK_LINE_RE`,
    `UNIT_LINE_RE`, `APPROVAL_LINE_RE`): one place for the lines of our own sheet."""
    lines, places = [], [""]
    for row in grid.rows:
        if not row.filled:
            continue  # blank rows and table ends are not defects of a Word or Excel file
        lines.append("\t".join(c.text.replace("\t", " ").replace("\n", LINE_BREAK) for c in row.cells))
        places.append(row.where)
    try:
        result = parse_sheets("\n".join(lines), quoted=False)
    except SheetFormatError as exc:
        raise ImportFormatError(places[exc.line] if 0 < exc.line < len(places) else "", exc.message) from None
    result.projects = _restore(result.projects)
    result.places = [places[n] for n, line in enumerate(lines, start=1) if _is_title(line)]
    for key in ("repairs", "skipped"):
        found = getattr(result, key)
        setattr(
            result,
            key,
            [Finding(places[r.line] if 0 < r.line < len(places) else "", r.message) for r in found],
        )
    return result
