"""Pages of the monitoring stage: the rounds, a round's overview (and its Excel),
a form (fill, submit, confirm or return), its printed form (HTML, Excel, PDF), the
upload of filled workbooks and the rules of the lights.

Every view starts from `ResultForm.objects.restrict(user, action)`: another
unit's form answers 404, a form the user may see but not change 403.
"""

import io
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from perfgoals.downloads import download
from projects.documents.errors import ImportFormatError
from projects.documents.layout import year_titled
from projects.documents.writers import pdf as sheet_pdf
from projects.models import Department
from projects.permissions import may_administer
from projects.uploads import checked_upload
from projects.workflow import TransitionNotAllowed, TransitionRefused

from . import scoring
from .documents import layout, readers
from .documents import xlsx as result_xlsx
from .filters import ResultFormFilter
from .forms import StaleVersion, editor_for
from .history import form_history
from .models import (
    FUND_COLUMNS,
    FUND_PARTS,
    Basis,
    FormStatus,
    Kind,
    Light,
    ResultForm,
    ResultRow,
    Round,
    amount,
    percent,
    thresholds,
)
from .scoring import points_text
from .services import import_results
from .stats import UNSCORED
from .tables import EvaluationTable, ResultFormTable
from .workflow import ACTIONS, SAVE, actions_for, adjust_score, guard

GRADES = tuple(label for _, label in scoring.GRADES)

PDF_TYPE = "application/pdf"
STYLESHEETS = ("css/sheet.css", "css/results.css")
EVALUATION_STYLESHEETS = ("css/sheet.css", "css/evaluation.css")


# -- rounds and the overview ----------------------------------------------------------


@login_required
def rounds(request):
    """The rounds with the counts of the forms the user sees in each: monitoring rounds
    with their lights, self-evaluation rounds with their grades and average score."""
    stats = (
        ResultForm.objects.restrict(request.user)
        .values("round")
        .annotate(
            forms=Count("pk"),
            submitted=Count("pk", filter=Q(status=FormStatus.SUBMITTED)),
            returned=Count("pk", filter=Q(status=FormStatus.RETURNED)),
            confirmed=Count("pk", filter=Q(status=FormStatus.CONFIRMED)),
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            average=Avg("total"),
            **{f"grade_{n}": Count("pk", filter=Q(grade=grade)) for n, grade in enumerate(GRADES)},
        )
        .order_by()
    )
    by_round = {row["round"]: row for row in stats}
    administer = may_administer(request.user)
    # Rounds where the user sees forms (superusers and administrators: all rounds).
    listed = Round.objects.all() if administer else Round.objects.filter(pk__in=list(by_round))
    items = {Kind.MONITORING: [], Kind.EVALUATION: []}
    for round_ in listed:
        stat = dict(by_round.get(round_.pk, {}))
        stat["grades"] = [(grade, stat.get(f"grade_{n}", 0)) for n, grade in enumerate(GRADES)]
        stat["average"] = points_text(stat.get("average"))
        items[round_.kind].append((round_, stat))
    context = {
        "monitoring": items[Kind.MONITORING],
        "evaluation": items[Kind.EVALUATION],
        "can_import": Department.objects.restrict(request.user, "import").exists(),
        "administer": administer,
    }
    return render(request, "results/rounds.html", context)


def _scoped(request, round_, action="view"):
    """The round's forms `request.user` may `action`, with the overview's GET filters."""
    base = ResultForm.objects.restrict(request.user, action).filter(round=round_)
    return ResultFormFilter(request.GET, queryset=base, user=request.user).qs


class CountedPaginator(Paginator):
    """A paginator told its count (the overview's totals already counted the forms)."""

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


class OverviewView(LoginRequiredMixin, SingleTableMixin, FilterView):
    table_class = ResultFormTable
    filterset_class = ResultFormFilter
    template_name = "results/overview.html"

    def get_round(self):
        if not hasattr(self, "round"):
            self.round = get_object_or_404(Round, pk=self.kwargs["pk"])
        return self.round

    def get_queryset(self):
        forms = ResultForm.objects.restrict(self.request.user).filter(round=self.get_round())
        return forms.defer("goal_text", "summary", "funds_reason")

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table_class(self):
        return EvaluationTable if self.get_round().kind == Kind.EVALUATION else ResultFormTable

    def get_table_kwargs(self):
        return {"period": self.get_round().period}

    def get_totals(self):
        """Counts per light, sums and the number of forms (one query, before the table pages)."""
        if not hasattr(self, "totals"):
            # Counting the project column lets PostgreSQL answer from result_form_totals alone.
            self.totals = self.object_list.order_by().aggregate(
                count=Count("project"),
                budget=Sum("budget_full"),
                executed=Sum("executed"),
                behind=Sum("behind"),
                **{f"light_{light.value}": Count("project", filter=Q(light=light)) for light in Light},
                **(
                    {
                        "average": Avg("total"),
                        **{f"grade_{n}": Count("project", filter=Q(grade=g)) for n, g in enumerate(GRADES)},
                    }
                    if self.get_round().kind == Kind.EVALUATION
                    else {}
                ),
            )
        return self.totals

    def get_table_pagination(self, table):
        # django-tables2 pages the table; the totals give it the count.
        return {
            "per_page": 50,
            "paginator_class": partial(CountedPaginator, count=self.get_totals()["count"]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        totals = self.get_totals()
        rate = totals["executed"] / totals["budget"] if totals["budget"] and totals["executed"] else None
        context.update(
            round=self.round,
            totals=totals,
            lights=[(light, totals[f"light_{light.value}"]) for light in reversed(Light)],
            total_budget=amount(totals["budget"] or 0),
            total_executed=amount(totals["executed"] or 0),
            total_rate=percent(rate),
            share=percent(self.round.time_share),
            query=self.request.GET.urlencode(),
            grades=_grades(totals),
            average=points_text(totals.get("average")),
        )
        return context


overview = OverviewView.as_view()


def _grades(totals):
    """(grade, forms) of the overview's summary, the forms not yet scored last (未评分)."""
    grades = [(grade, totals.get(f"grade_{n}", 0)) for n, grade in enumerate(GRADES)]
    return [*grades, (UNSCORED, totals["count"] - sum(count for _, count in grades))]


@login_required
def overview_xlsx(request, pk):
    round_ = get_object_or_404(Round, pk=pk)
    buffer = io.BytesIO()
    forms_ = _scoped(request, round_, "export").order_by("-light", "department_name", "project_name")
    result_xlsx.write_overview(round_, forms_, buffer)
    noun = "自评" if round_.kind == Kind.EVALUATION else "监控"
    return download(buffer.getvalue(), result_xlsx.CONTENT_TYPE, f"{round_}{noun}汇总.xlsx")


@login_required
def forms_xlsx(request, pk):
    """The filtered forms of a round in one workbook (汇总 + one sheet per form), to fill offline."""
    round_ = get_object_or_404(Round, pk=pk)
    buffer = io.BytesIO()
    forms_ = _scoped(request, round_, "export").order_by("department_name", "project_name", "pk")
    result_xlsx.write_forms(round_, forms_, buffer)
    noun = "自评表" if round_.kind == Kind.EVALUATION else "监控表"
    return download(buffer.getvalue(), result_xlsx.CONTENT_TYPE, f"{round_}{noun}.xlsx")


# -- one form -------------------------------------------------------------------------


def _form_of(request, pk, action="view"):
    rows = Prefetch("rows", queryset=ResultRow.objects.select_related("indicator", "adjusted_by"))
    return get_object_or_404(
        ResultForm.objects.restrict(request.user, action)
        .select_related("round", "project__department")
        .prefetch_related(rows, "transitions__user"),
        pk=pk,
    )


@login_required
def form_page(request, pk):
    """A form: the unit's 填报人 fills and submits it; others read it as printed."""
    form = _form_of(request, pk)
    rows = list(form.rows.all())
    can_edit = ResultForm.objects.restrict(request.user, "edit").filter(pk=form.pk).exists()
    editor, status = None, 200
    if request.method == "POST":
        if not can_edit:
            return _not_editable(request, form)
        editor = editor_for(form, request.POST, rows=rows)
        if editor.is_valid():
            seen = editor.funds.cleaned_data.get("version")
            try:
                editor.save(request.user)
            except StaleVersion:
                editor.errors.insert(
                    0,
                    (
                        "",
                        f"其他人已修改或提交了此{form.noun}，您的填写尚未保存。"
                        "请在新窗口打开查看最新内容后重新填写。",
                    ),
                )
                status = 409
            else:
                return _after_save(request, form, editor.changed, form.version if editor.changed else seen)
    elif can_edit:
        editor = editor_for(form, rows=rows)
    context = {
        "form": form,
        "rows": rows,
        "editor": editor,
        "lines": list(zip(rows, editor.row_forms, strict=True)) if editor else [],
        "sheet": None if editor else layout.build_form_sheet(form, rows),
        "actions": [action for action in actions_for(form, request.user) if action.code != "submit"],
        "last_return": _last_return(form),
        "entries": form_history(form),
        "share": percent(form.round.time_share),
        "several_goals": len({row.goal_name for row in rows}) > 1,
    }
    if form.is_evaluation:
        monitored = monitoring_rows(form)
        for row in rows:
            row.monitored = monitored.get(row.indicator_id)
        context.update(
            can_adjust=form.status == FormStatus.SUBMITTED
            and ResultForm.objects.restrict(request.user, "review").filter(pk=form.pk).exists(),
            adjusted=[row for row in rows if row.adjusted is not None],
            fund_parts=[
                (
                    label,
                    [editor.funds[f"{part}_{column}"] for column, _ in FUND_COLUMNS],
                    percent(form.part_rate(part)),
                )
                for part, label in FUND_PARTS
            ]
            if editor
            else [],
        )
        return render(request, "results/evaluation_form.html", context, status=status)
    return render(request, "results/form.html", context, status=status)


def monitoring_rows(form):
    """{indicator id: its row in the year's latest monitoring round} of the form's project:
    shown beside the self-evaluation's rows as context (one query)."""
    found = {}
    rows = (
        ResultRow.objects.filter(
            form__project_id=form.project_id,
            form__round__kind=Kind.MONITORING,
            form__round__year=form.round.year,
            indicator__isnull=False,
        )
        .select_related("form__round")
        .order_by("form__round__cutoff", "pk")
    )
    for row in rows:
        found[row.indicator_id] = row  # the latest round's wins
    return found


@login_required
@require_POST
def adjust(request, pk):
    """The unit's 审核人 changes one row's score of a submitted self-evaluation, with a reason."""
    form = get_object_or_404(
        ResultForm.objects.restrict(request.user).select_related("round", "project"), pk=pk
    )
    try:
        transition = adjust_score(
            form,
            request.user,
            request.POST.get("row"),
            request.POST.get("score", ""),
            request.POST.get("reason", ""),
            version=request.POST.get("version"),
        )
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except TransitionRefused as exc:
        messages.error(request, f"未能调整得分：{exc.message}")
        return redirect("results:form", pk=form.pk)
    messages.success(request, f"已调整得分。{transition.comment}")
    return redirect("results:form", pk=form.pk)


def _not_editable(request, form):
    """A 保存 or 保存并提交 of a form the user may not fill now: when the user's page is
    out of date (the form was submitted, returned and resubmitted, confirmed …), back to
    the form saying what happened, nothing changed; otherwise (no such role, no page's
    version, a state the page never showed) 403."""
    action = ACTIONS["submit"] if request.POST.get("action") == "submit" else SAVE
    try:
        guard(form, request.user, action, request.POST.get("version"))
    except TransitionRefused as exc:
        messages.error(request, f"未能{action.label}：{exc.message}")
        return redirect("results:form", pk=form.pk)
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    raise PermissionDenied(f"此{form.noun}当前不能由您填写。")  # editable again meanwhile


def _after_save(request, form, saved, version):
    """After the editor's save (`saved`: something changed), 保存并提交 submits the form
    the page showed (`version`): not one returned or changed since."""
    if request.POST.get("action") != "submit":
        recomputed = "得分和总分" if form.is_evaluation else "进度和预警"
        messages.success(request, f"已保存。{recomputed}已按填写的数值重新计算。")
        return redirect("results:form", pk=form.pk)
    try:
        form.submit(request.user, version=version)
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except TransitionRefused as exc:
        messages.error(request, f"{'已保存，但' if saved else ''}未能提交：{exc.message}")
        for finding in exc.findings:
            messages.warning(request, finding)
        return redirect("results:form", pk=form.pk)
    messages.success(request, "已保存并提交，等待本单位审核人确认。")
    return redirect("results:form", pk=form.pk)


def _last_return(form):
    if form.status != FormStatus.RETURNED:
        return None
    return next((t for t in reversed(list(form.transitions.all())) if t.action == "return"), None)


DONE = {"confirm": "已确认。", "return": "已退回填报人修改。"}


@login_required
@require_POST
def transition(request, pk, code):
    """确认 or 退回 (`code` from the URL configuration), by the unit's 审核人."""
    form = get_object_or_404(
        ResultForm.objects.restrict(request.user).select_related("round", "project"), pk=pk
    )
    comment, version = request.POST.get("comment", ""), request.POST.get("version")
    try:
        if code == "confirm":
            form.confirm(request.user, comment, version=version)
        else:
            form.send_back(request.user, comment, version=version)
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except TransitionRefused as exc:
        messages.error(request, f"未能{ACTIONS[code].label}：{exc.message}")
        return redirect("results:form", pk=form.pk)
    messages.success(request, f"“{form.project_name}”的{form.noun}{DONE[code]}")
    return redirect("results:form", pk=form.pk)


def _filename(form, suffix):
    return f"{year_titled(form.round.year, form.project_name)}{form.round.form_title}.{suffix}"


@login_required
def form_print(request, pk):
    form = _form_of(request, pk)
    context = {"form": form, "sheet": layout.build_form_sheet(form)}
    return render(request, "results/print.html", context)


@login_required
def form_xlsx(request, pk):
    form = _form_of(request, pk, "export")
    return download(result_xlsx.write_form(form), result_xlsx.CONTENT_TYPE, _filename(form, "xlsx"))


@login_required
def form_pdf(request, pk):
    form = _form_of(request, pk, "export")
    problem = sheet_pdf.missing()
    if problem:
        context = {"project": form.project, "component": problem[0], "remedy": problem[1]}
        return render(request, "projects/sheet_pdf_unavailable.html", context, status=503)
    sheet = layout.build_form_sheet(form)
    styles = EVALUATION_STYLESHEETS if form.is_evaluation else STYLESHEETS
    content = sheet_pdf.render_pdf(sheet, base_url=request.build_absolute_uri("/"), stylesheets=styles)
    return download(content, PDF_TYPE, _filename(form, "pdf"))


# -- import -----------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="监控表文件",
        help_text="本系统导出的监控表Excel工作簿（.xlsx，可含多张表）或JSON（.json）",
        error_messages={"required": "请选择要导入的文件。"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = checked_upload(upload)
        if not name.endswith((".xlsx", ".json")):
            raise forms.ValidationError("只能导入.xlsx或.json文件。")
        return upload


@login_required
def import_upload(request):
    if not Department.objects.restrict(request.user, "import").exists():
        raise PermissionDenied("只有预算单位的填报人可以导入监控表。")
    upload = UploadForm(request.POST or None, request.FILES or None)
    context = {"upload": upload}
    if request.method == "POST" and upload.is_valid():
        file = upload.cleaned_data["file"]
        try:
            report = import_results(readers.read_file(file.name, file.read()), user=request.user)
        except ImportFormatError as exc:
            context["failure"] = str(exc)
        else:
            context.update(report=report, filename=file.name)
    return render(request, "results/import.html", context)


# -- rules ------------------------------------------------------------------------------


@login_required
def rules(request):
    limits = thresholds()
    context = {
        "yellow": percent(limits.yellow, 0),
        "red": percent(limits.red, 0),
        "ahead": percent(limits.ahead, 0),
        "bases": Basis,
        "scoring": {
            "budget": points_text(scoring.BUDGET_POINTS),
            "indicators": points_text(scoring.INDICATOR_POINTS),
            "level1": [(name, points_text(points)) for name, points in scoring.LEVEL1_POINTS.items()],
            "bands": [
                (scoring.Achievement(level).label, percent(low, 0), percent(high, 0))
                for level, (low, high) in scoring.BANDS.items()
            ],
            "grades": [(label, points_text(floor)) for floor, label in scoring.GRADES],
            "far_above": percent(scoring.FAR_ABOVE, 0),
        },
    }
    return render(request, "results/rules.html", context)
