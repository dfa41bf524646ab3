"""The approval sheet as an Excel workbook (XlsxWriter).

Writing draws the sheet from `projects.documents.layout`: one worksheet per
project with merged cells, borders on merged ranges, wrapped text, widths and
heights for Chinese text, A4 portrait fitted to the page width and the title
rows repeated on every printed page. Every text is written with `write_string`,
so nothing a user typed (`=SUM(…)`, `+86…`, `-1`, `@x`) can become a formula.

XlsxWriter keeps merges in a list (openpyxl's `merge_cells` is quadratic in
the number of merges) and a batch of a thousand sheets writes in seconds.
`constant_memory` is not used: vertical merges pad later rows with formatted
blanks, which that mode (rows strictly in order) would silently drop.
(`readers.xlsx` reads the layout back.)
"""

import io
import re

from indicators.checks import check_project, count

from ...models import Project
from .. import layout

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY_SHEET = "汇总"
SUMMARY_HEADER = ("项目名称", "预算单位", "年度", "项目类型", "项目预算（万元）", "状态", "错误数", "提示数")
ROWS_HEADER = (
    "年度",
    "预算单位",
    "项目名称",
    "项目类型",
    "项目预算（万元）",
    "状态",
    "目标类别",
    "目标名称",
    "行号",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值",
    "比较符",
    "数值",
    "计量单位",
    "指标值确定依据",
)
# Column widths of the approval sheet (Excel character units; see `layout.Sheet.widths`).
COLUMN_WIDTHS = layout.COLUMN_WIDTHS
LINE_HEIGHT = 15  # points per text line at 10.5 pt
FONT = "宋体"
CHUNK = 500  # projects loaded per with_tree() query batch
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# -- writing -----------------------------------------------------------------


_WIDE = re.compile("[\u2e80-\U0010ffff]")


def _display_width(text):
    """Width in Excel character units: Chinese and full-width characters count two."""
    return len(text) + len(_WIDE.findall(text))


def _lines(text, width):
    """How many lines `text` takes when wrapped in a cell `width` units wide."""
    usable = max(width - 1, 4)
    return sum(max(1, -(-_display_width(part) // usable)) for part in (text or "").split("\n"))


INPUT_FILL = "#FFF7D6"  # cells to fill in offline


class SheetWriter:
    """Draws layouts onto worksheets of one XlsxWriter workbook (formats shared).

    `roles` adds the formats of another form's cell roles ({role: XlsxWriter
    format properties}, on top of the boxed base). Cells with a `field` are the
    ones a user fills in offline: drawn unlocked on a light fill, with a
    drop-down list when the cell has `choices`, and the worksheet is protected
    (without a password) so that only they take input.
    """

    BASE = {"font_name": FONT, "font_size": 10.5, "text_wrap": True, "valign": "vcenter"}

    def __init__(self, workbook, roles=None):
        self.workbook = workbook
        base = self.BASE
        boxed = {**base, "border": 1}
        add = workbook.add_format
        self.formats = {
            "mark": add({**base, "bold": True, "font_size": 14, "font_color": "#C00000", "align": "center"}),
            "title": add({**base, "bold": True, "font_size": 18, "align": "center"}),
            "unit": add({**base, "align": "left"}),
            "amount": add({**base, "align": "right"}),
            "section": add({**boxed, "bold": True, "align": "center"}),
            "header": add({**boxed, "bold": True, "align": "center"}),
            "label": add({**boxed, "bold": True, "align": "center"}),
            "goal": add({**boxed, "align": "center"}),
            "level1": add({**boxed, "align": "center"}),
            "level2": add({**boxed, "align": "center"}),
            "value": add({**boxed, "align": "left"}),
            "options": add({**boxed, "align": "left"}),
            "level3": add({**boxed, "align": "left"}),
            "target": add({**boxed, "align": "center"}),
            "basis": add({**boxed, "align": "center"}),
            "approval_body": add({**base, "align": "left"}),
            "approval_date": add({**base, "align": "right"}),
        }
        self.properties = {role: {**boxed, **props} for role, props in (roles or {}).items()}
        self.formats.update({role: add(props) for role, props in self.properties.items()})
        self.inputs = {}  # role -> the unlocked, filled variant (made when first needed)

    def format_of(self, cell):
        if not cell.field:
            return self.formats[cell.role]
        if cell.role not in self.inputs:
            props = self.properties.get(cell.role, {**self.BASE, "border": 1, "align": "left"})
            self.inputs[cell.role] = self.workbook.add_format(
                {**props, "locked": False, "bg_color": INPUT_FILL}
            )
        return self.inputs[cell.role]

    def write(self, worksheet, sheet):
        widths = sheet.widths
        for col, width in enumerate(widths):
            worksheet.set_column(col, col, width)
        heights = {}
        inputs = False
        rows = sheet.rows  # a property that rebuilds the list: read it once
        for row in rows:
            lines = 1
            for cell in row.cells:
                fmt = self.format_of(cell)
                if cell.colspan > 1 or cell.rowspan > 1:
                    worksheet.merge_range(
                        row.number, cell.col, row.number + cell.rowspan - 1, cell.last_col, "", fmt
                    )
                worksheet.write_string(row.number, cell.col, cell.text, fmt)
                if cell.field:
                    inputs = True
                    self.validate(worksheet, row.number, cell)
                if cell.rowspan == 1:
                    width = sum(widths[cell.col : cell.last_col + 1])
                    lines = max(lines, _lines(cell.text, width))
            heights[row.number] = lines * LINE_HEIGHT + 4
        for number, height in heights.items():
            kind = rows[number].kind
            worksheet.set_row(number, {"title": 36, "mark": 24}.get(kind, height))
        if inputs:
            worksheet.protect("", {"format_rows": True, "format_columns": True, "select_locked_cells": True})
        worksheet.set_paper(9)  # A4
        if sheet.landscape:
            worksheet.set_landscape()
        else:
            worksheet.set_portrait()
        worksheet.fit_to_pages(1, 0)
        worksheet.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
        worksheet.center_horizontally()
        header_rows = sheet.header_rows
        if header_rows:
            worksheet.repeat_rows(header_rows[0].number, header_rows[-1].number)
        worksheet.set_footer("&C第 &P 页，共 &N 页")

    @staticmethod
    def validate(worksheet, row, cell):
        """A drop-down list for a cell with choices, and the hint as its input message."""
        options = {}
        if cell.choices:
            options = {"validate": "list", "source": list(cell.choices), "ignore_blank": True}
            options["error_message"] = "请从下拉列表中选择：" + "、".join(cell.choices)
        elif cell.hint:
            options = {"validate": "any"}
        if cell.hint:
            options.update(input_title="填写说明", input_message=cell.hint[:255])
        if options:
            last_row = row + cell.rowspan - 1
            worksheet.data_validation(row, cell.col, last_row, cell.last_col, options)


def sheet_names(names):
    """Valid, unique worksheet names (≤31 characters, no []:*?/\\) in order."""
    used = {SUMMARY_SHEET.lower()}
    return [_unique_name(name, used) for name in names]


def iter_with_tree(queryset, chunk=CHUNK):
    """The queryset's projects in its order, loaded with their tree (and last year's
    self-evaluation, for the review checks) `chunk` at a time."""
    from indicators.past import attach_past

    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        loaded = {p.pk: p for p in attach_past(Project.objects.filter(pk__in=part).with_tree())}
        for pk in part:
            yield loaded[pk]


def _workbook(output):
    import xlsxwriter

    return xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)


def write_sheet(sheet, output=None):
    """One sheet (a live project's or an approval snapshot's layout) as a workbook;
    returns the bytes when `output` is None."""
    buffer = output if output is not None else io.BytesIO()
    workbook = _workbook(buffer)
    workbook.set_properties({"title": sheet.title, "subject": sheet.name})
    SheetWriter(workbook).write(workbook.add_worksheet(sheet_names([sheet.name])[0]), sheet)
    workbook.close()
    return buffer.getvalue() if output is None else None


def write_project(project, output=None):
    """One stored project's sheet as a workbook (tree prefetched)."""
    return write_sheet(layout.build_sheet(project), output)


def summary_values(project):
    """The 汇总 sheet's row of a project (tree prefetched): name, unit, year, type, budget,
    status, and the review checks' error and warning counts."""
    counts = count(check_project(project))
    return (
        project.name,
        project.department.name,
        project.year,
        project.get_project_type_display(),
        float(project.budget),
        project.get_status_display(),
        counts.errors,
        counts.warnings,
    )


def write_batch(queryset, output):
    """All projects of `queryset` as one workbook: 汇总 first, then one sheet each.

    Returns the number of projects written.
    """
    workbook = _workbook(output)
    workbook.set_properties({"title": "项目支出绩效目标批复"})
    writer = SheetWriter(workbook)
    summary = workbook.add_worksheet(SUMMARY_SHEET)
    head = workbook.add_format({"font_name": FONT, "bold": True, "border": 1, "align": "center"})
    text = workbook.add_format({"font_name": FONT, "border": 1})
    number = workbook.add_format({"font_name": FONT, "border": 1, "num_format": "0.00####"})
    for col, title in enumerate(SUMMARY_HEADER):
        summary.write_string(0, col, title, head)
    for col, width in enumerate((36, 20, 8, 12, 16, 10, 8, 8)):
        summary.set_column(col, col, width)
    summary.freeze_panes(1, 0)
    used = {SUMMARY_SHEET.lower()}
    count = 0
    for count, project in enumerate(iter_with_tree(queryset), start=1):
        name = _unique_name(project.name, used)
        values = summary_values(project)
        for col, value in enumerate(values):
            if isinstance(value, str):
                summary.write_string(count, col, value, text)
            else:
                summary.write_number(count, col, value, number if col == 4 else text)
        summary.write_url(count, 0, f"internal:'{name}'!A1", text, string=project.name)
        writer.write(workbook.add_worksheet(name), layout.build_sheet(project))
    if count:
        summary.autofilter(0, 0, count, len(SUMMARY_HEADER) - 1)
    workbook.close()
    return count


def _unique_name(name, used):
    base = INVALID_SHEET_CHARS.sub("_", name).strip("'") or "项目"
    candidate, counter = base[:31], 1
    while candidate.lower() in used or candidate.lower() == "history":
        counter += 1
        suffix = f"（{counter}）"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def write_rows(queryset, output):
    """One row per indicator, for sorting and pivoting in Excel. Returns the row count."""
    workbook = _workbook(output)
    worksheet = workbook.add_worksheet("指标明细")
    head = workbook.add_format({"font_name": FONT, "bold": True, "border": 1, "text_wrap": True})
    cell = workbook.add_format({"font_name": FONT})
    for col, title in enumerate(ROWS_HEADER):
        worksheet.write_string(0, col, title, head)
    for col, width in enumerate((6, 18, 30, 10, 12, 8, 12, 14, 6, 12, 14, 30, 14, 6, 10, 8, 12)):
        worksheet.set_column(col, col, width)
    worksheet.freeze_panes(1, 3)
    row = 0
    for project in iter_with_tree(queryset):
        for goal in project.goals.all():
            for position, indicator in enumerate(goal.indicators.all(), start=1):
                row += 1
                values = (
                    project.year,
                    project.department.name,
                    project.name,
                    project.get_project_type_display(),
                    float(project.budget),
                    project.get_status_display(),
                    goal.get_term_display(),
                    goal.name,
                    position,
                    indicator.level1,
                    indicator.level2,
                    indicator.level3,
                    indicator.value,
                    indicator.comparator_symbol,
                    None if indicator.number is None else float(indicator.number),
                    indicator.unit,
                    indicator.basis,
                )
                for col, value in enumerate(values):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        worksheet.write_string(row, col, value, cell)
                    else:
                        worksheet.write_number(row, col, value, cell)
    worksheet.autofilter(0, 0, row, len(ROWS_HEADER) - 1)
    workbook.close()
    return row
