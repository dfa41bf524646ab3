"""The monitoring forms and the overview as Excel workbooks, drawn by the approval
sheet's writer (`projects.documents.writers.xlsx.SheetWriter`) from the layout.

A form's worksheet can be filled in offline (the light cells) and read back by
`results.documents.readers`; a round's workbook holds a 汇总 sheet (the overview)
and one worksheet per form. Every text is written as a string, so nothing typed
becomes a formula.
"""

import io

from projects.documents.writers.xlsx import (
    CONTENT_TYPE,
    SUMMARY_SHEET,
    SheetWriter,
    _unique_name,
    _workbook,
    sheet_names,
)

from .. import scoring
from ..models import FormStatus, Kind, Light, ResultForm, percent
from . import layout

__all__ = ["CONTENT_TYPE", "write_form", "write_forms", "write_overview"]

CHUNK = 500
FONT = "宋体"
LIGHT_COLORS = {
    Light.GREEN: "#C6EFCE",
    Light.YELLOW: "#FFEB9C",
    Light.RED: "#FFC7CE",
}
# Cells where a unit types values and words (实际完成值 `97%`, reasons, notes) are Text
# cells, so Excel keeps what is typed instead of turning `97%` into 0.97 or `1-2` into a
# date; amounts and points stay General (numbers, `1,234.5`).
TEXT = "@"
ROLES = {
    "target": {"align": "center", "num_format": TEXT},
    "value": {"align": "left", "num_format": TEXT},
    "subtitle": {"border": 0, "align": "center"},
    "sign": {"border": 0, "align": "left"},
    "number": {"align": "right"},
    "computed": {"align": "center"},
    "subhead": {"bold": True, "align": "left"},
    "score": {"align": "center"},
    "total": {"align": "center", "bold": True},
    "grade": {"align": "left", "bold": True},
    "adjustment": {"align": "left"},
    "light-none": {"align": "center"},
    **{
        layout.LIGHT_ROLES[light]: {"align": "center", "bold": True, "bg_color": color}
        for light, color in LIGHT_COLORS.items()
    },
}
SUMMARY_WIDTHS = (6, 34, 20, 9, 14, 14, 10, 10, 10, 10, 10, 10)


def summary_header(period):
    return (
        "序号",
        "项目名称",
        "预算单位",
        "状态",
        "全年预算数（万元）",
        f"{period}执行数（万元）",
        "执行率",
        "时间进度",
        "资金预警",
        "落后指标数",
        "超前指标数",
        "项目预警",
    )


def _writer(workbook):
    return SheetWriter(workbook, roles=ROLES)


def write_form(form, output=None):
    """One form's workbook; returns the bytes when `output` is None."""
    buffer = output if output is not None else io.BytesIO()
    workbook = _workbook(buffer)
    workbook.set_properties({"title": form.round.form_title, "subject": form.project_name})
    sheet = layout.build_form_sheet(form)
    _writer(workbook).write(workbook.add_worksheet(sheet_names([form.project_name])[0]), sheet)
    workbook.close()
    return buffer.getvalue() if output is None else None


def iter_forms(queryset, chunk=CHUNK):
    """The queryset's forms in its order, loaded with rows and steps `chunk` at a time."""
    pks = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        loaded = {
            f.pk: f
            for f in ResultForm.objects.filter(pk__in=part).with_rows().prefetch_related("transitions__user")
        }
        for pk in part:
            yield loaded[pk]


class Summary:
    """The 汇总 (overview) worksheet: one line per form, then the totals."""

    def __init__(self, workbook, round_):
        self._open(workbook, round_, f"{round_}　监控汇总", summary_header(round_.period), SUMMARY_WIDTHS)
        self.lights = {
            light: workbook.add_format({**self.base, "align": "center", "bold": True, "bg_color": color})
            for light, color in LIGHT_COLORS.items()
        }
        self.share = round_.time_share
        self.totals = {"budget": 0, "executed": 0, "count": 0, "lights": dict.fromkeys(Light, 0)}

    def _open(self, workbook, round_, title, header, widths):
        """The worksheet with its formats, title, header row and column widths."""
        self.workbook = workbook
        self.round = round_
        self.sheet = workbook.add_worksheet(SUMMARY_SHEET)
        add = workbook.add_format
        self.base = base = {"font_name": FONT, "border": 1, "valign": "vcenter"}
        self.head = add({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F3F3F3"})
        self.text = add(base)
        self.center = add({**base, "align": "center"})
        self.number = add({**base, "num_format": "#,##0.00####"})
        self.bold = add({**base, "bold": True})
        self.bold_number = add({**base, "bold": True, "num_format": "#,##0.00####"})
        self.sheet.write_string(0, 0, title, add({"font_name": FONT, "bold": True, "font_size": 14}))
        for col, text in enumerate(header):
            self.sheet.write_string(1, col, text, self.head)
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)
        self.sheet.freeze_panes(2, 2)
        self.line = 1

    def light(self, row, col, light, ahead=False):
        fmt = self.lights.get(light, self.center)
        self.sheet.write_string(row, col, layout.light_text(light, ahead), fmt)

    def add(self, form, link=None):
        self.line += 1
        row, sheet = self.line, self.sheet
        self.totals["count"] += 1
        self.totals["lights"][Light(form.light)] += 1
        sheet.write_number(row, 0, self.totals["count"], self.center)
        if link:
            sheet.write_url(row, 1, f"internal:'{link}'!A1", self.text, string=form.project_name)
        else:
            sheet.write_string(row, 1, form.project_name, self.text)
        sheet.write_string(row, 2, form.department_name, self.text)
        sheet.write_string(row, 3, FormStatus(form.status).label, self.center)
        for col, value in ((4, form.budget_full), (5, form.executed)):
            if value is not None:
                sheet.write_number(row, col, float(value), self.number)
                self.totals["budget" if col == 4 else "executed"] += value
            else:
                sheet.write_blank(row, col, None, self.number)
        sheet.write_string(row, 6, percent(form.execution_rate), self.center)
        sheet.write_string(row, 7, percent(self.share), self.center)
        self.light(row, 8, form.funds_light, form.funds_ahead)
        sheet.write_number(row, 9, form.behind, self.center)
        sheet.write_number(row, 10, form.ahead, self.center)
        self.light(row, 11, form.light)

    def close(self):
        row = self.line + 1
        totals = self.totals
        counts = "，".join(f"{Light(light).label}{n}" for light, n in reversed(totals["lights"].items()) if n)
        self.sheet.write_string(
            row, 1, f"合计（{totals['count']}个项目{'；' + counts if counts else ''}）", self.bold
        )
        self.sheet.write_number(row, 4, float(totals["budget"]), self.bold_number)
        self.sheet.write_number(row, 5, float(totals["executed"]), self.bold_number)
        rate = totals["executed"] / totals["budget"] if totals["budget"] else None
        self.sheet.write_string(row, 6, percent(rate), self.bold)
        self.sheet.write_string(row, 7, percent(self.share), self.bold)
        if self.line > 1:
            self.sheet.autofilter(1, 0, self.line, len(SUMMARY_WIDTHS) - 1)
        self.sheet.set_landscape()
        self.sheet.set_paper(9)
        self.sheet.fit_to_pages(1, 0)
        self.sheet.repeat_rows(1)


EVALUATION_HEADER = (
    "序号",
    "项目名称",
    "预算单位",
    "状态",
    "全年预算数（万元）",
    "全年执行数（万元）",
    "执行率",
    "预算执行得分",
    "指标得分",
    "总分",
    "等级",
)
EVALUATION_WIDTHS = (6, 34, 20, 9, 14, 14, 10, 12, 10, 10, 8)
GRADE_LABELS = tuple(label for _, label in scoring.GRADES)


class EvaluationSummary(Summary):
    """The 汇总 sheet of a self-evaluation round: score, grade and execution per project."""

    def __init__(self, workbook, round_):
        title = f"{round_.year}年度项目支出绩效自评汇总"
        self._open(workbook, round_, title, EVALUATION_HEADER, EVALUATION_WIDTHS)
        self.score = workbook.add_format({**self.base, "num_format": "0.00"})
        self.bold_score = workbook.add_format({**self.base, "bold": True, "num_format": "0.00"})
        self.totals = {"budget": 0, "executed": 0, "count": 0, "scored": 0, "sum": 0}
        self.grades = dict.fromkeys(GRADE_LABELS, 0)

    def _points(self, row, col, value, fmt=None):
        if value is None:
            self.sheet.write_blank(row, col, None, fmt or self.score)
        else:
            self.sheet.write_number(row, col, float(value), fmt or self.score)

    def add(self, form, link=None):
        self.line += 1
        row, sheet = self.line, self.sheet
        self.totals["count"] += 1
        sheet.write_number(row, 0, self.totals["count"], self.center)
        if link:
            sheet.write_url(row, 1, f"internal:'{link}'!A1", self.text, string=form.project_name)
        else:
            sheet.write_string(row, 1, form.project_name, self.text)
        sheet.write_string(row, 2, form.department_name, self.text)
        sheet.write_string(row, 3, FormStatus(form.status).label, self.center)
        for col, value, key in ((4, form.budget_full, "budget"), (5, form.executed, "executed")):
            self._points(row, col, value, self.number)
            self.totals[key] += value or 0
        sheet.write_string(row, 6, percent(form.execution_rate), self.center)
        self._points(row, 7, form.budget_score)
        indicators = None if form.total is None else form.total - (form.budget_score or 0)
        self._points(row, 8, indicators)
        self._points(row, 9, form.total)
        sheet.write_string(row, 10, form.grade, self.center)
        if form.total is not None:
            self.totals["scored"] += 1
            self.totals["sum"] += form.total
            self.grades[form.grade] += 1

    def close(self):
        row = self.line + 1
        totals = self.totals
        counts = "，".join(f"{grade}{n}" for grade, n in self.grades.items() if n)
        self.sheet.write_string(
            row, 1, f"合计（{totals['count']}个项目{'；' + counts if counts else ''}）", self.bold
        )
        self.sheet.write_number(row, 4, float(totals["budget"]), self.bold_number)
        self.sheet.write_number(row, 5, float(totals["executed"]), self.bold_number)
        rate = totals["executed"] / totals["budget"] if totals["budget"] else None
        self.sheet.write_string(row, 6, percent(rate), self.bold)
        self.sheet.write_string(row, 8, "平均总分", self.bold)
        average = totals["sum"] / totals["scored"] if totals["scored"] else None
        self._points(row, 9, average, self.bold_score)
        if self.line > 1:
            self.sheet.autofilter(1, 0, self.line, len(EVALUATION_WIDTHS) - 1)
        self.sheet.set_landscape()
        self.sheet.set_paper(9)
        self.sheet.fit_to_pages(1, 0)
        self.sheet.repeat_rows(1)


def summary_for(workbook, round_):
    return (EvaluationSummary if round_.kind == Kind.EVALUATION else Summary)(workbook, round_)


def write_overview(round_, queryset, output):
    """The overview of a round (the forms of `queryset`, in its order) as one 汇总 sheet."""
    workbook = _workbook(output)
    noun = "自评" if round_.kind == Kind.EVALUATION else "监控"
    workbook.set_properties({"title": f"{round_}{noun}汇总"})
    summary = summary_for(workbook, round_)
    count = 0
    for form in queryset.select_related(None).only(*OVERVIEW_FIELDS).iterator(chunk_size=2000):
        summary.add(form)
        count += 1
    summary.close()
    workbook.close()
    return count


OVERVIEW_FIELDS = (
    "project_name",
    "department_name",
    "status",
    "budget_full",
    "executed",
    "execution_rate",
    "funds_light",
    "funds_ahead",
    "light",
    "behind",
    "ahead",
    "budget_score",
    "total",
    "grade",
)


def write_forms(round_, queryset, output):
    """A round's workbook: 汇总, then one worksheet per form that can be filled offline.
    Returns the number of forms written."""
    workbook = _workbook(output)
    workbook.set_properties({"title": f"{round_}"})
    summary = summary_for(workbook, round_)
    writer = _writer(workbook)
    used = {SUMMARY_SHEET.lower()}
    for form in iter_forms(queryset):
        name = _unique_name(form.project_name, used)
        summary.add(form, link=name)
        writer.write(workbook.add_worksheet(name), layout.build_form_sheet(form))
    summary.close()
    workbook.close()
    return summary.totals["count"]
