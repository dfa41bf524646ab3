"""Work that spans several models: opening a round, importing filled forms."""

from dataclasses import dataclass, field

from django.db import transaction

from projects.documents.errors import ImportFormatError
from projects.models import Goal, Project, Status

from . import scoring
from .bulk import update_values
from .documents import layout
from .documents.readers import values_from_grid
from .forms import StaleVersion, editor_class
from .models import (
    EDITABLE,
    Kind,
    ResultForm,
    ResultRow,
    Round,
    ScoredForm,
    ScoredRow,
    evaluation_cutoff,
    thresholds,
)

CHUNK = 500


@dataclass
class OpenReport:
    round: Round
    created: int = 0  # new forms
    updated: int = 0  # draft forms brought up to a new approval

    def summary(self):
        noun = "自评表" if self.round.kind == Kind.EVALUATION else "监控表"
        text = f"{self.round}：新建{self.created}张{noun}"
        return text + (f"，{self.updated}张草稿{noun}已按重新批复的指标更新。" if self.updated else "。")


def round_cutoff(kind, year, cutoff=None):
    """The cut-off of the round to open: a self-evaluation's is fixed at the year's end
    (one round a year; another date is refused), a monitoring round's must be given."""
    if kind == Kind.EVALUATION:
        fixed = evaluation_cutoff(year)
        if cutoff is not None and cutoff != fixed:
            raise ValueError(
                f"绩效自评每年度只有一轮，截止日期固定为{year}年12月31日，不能指定截止日期{cutoff.isoformat()}。"
            )
        return fixed
    if cutoff is None:
        raise ValueError("运行监控须指定截止日期。")
    return cutoff


def open_round(kind, year, cutoff=None, user=None):
    """Open the round (kind, year, cut-off) or bring an open one up to date; a year has
    one self-evaluation round, at 12月31日 (`round_cutoff`).

    Every approved project of the year without a form in the round gets one: its
    name, unit, type, budget and annual goal text, and a frozen copy of each
    approved annual indicator row. Running it again adds the projects approved
    since, and brings forms not yet submitted up to a project's new approval
    (`sync_rows`); recorded values are never dropped. The lights are recomputed.
    """
    cutoff = round_cutoff(kind, year, cutoff)
    if cutoff.year != year:
        raise ValueError(f"截止日期{cutoff.isoformat()}不在{year}年度内。")
    with transaction.atomic():
        round_, opened = Round.objects.get_or_create(
            kind=kind, year=year, cutoff=cutoff, defaults={"opened_by": user}
        )
        report = OpenReport(round_)
        new = Project.objects.filter(year=year, status=Status.APPROVED).exclude(result_forms__round=round_)
        pks = list(new.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            part = Project.objects.filter(pk__in=pks[start : start + CHUNK]).with_tree()
            part = part.select_related("department__parent").order_by("pk")
            report.created += _create_forms(round_, part)
        if opened:
            return report
        # Forms not yet submitted of projects approved again since the round opened.
        stale = round_.forms.filter(
            status__in=EDITABLE,
            project__status=Status.APPROVED,
            project__snapshots__approved_at__gt=round_.opened_at,
        ).distinct()
        for form in stale.select_related("round", "project__department__parent").prefetch_related(
            "rows", "project__goals__indicators"
        ):
            if sync_rows(form):
                report.updated += 1
        evaluate_round(round_)
    return report


def _approved_rows(project):
    return [
        (goal, indicator)
        for goal in project.goals.all()
        if goal.term == Goal.Term.ANNUAL
        for indicator in goal.indicators.all()
    ]


def _goal_text(project):
    goals = [goal for goal in project.goals.all() if goal.term == Goal.Term.ANNUAL]
    if len(goals) == 1:
        return goals[0].text
    return "\n".join(f"{goal.name}：{goal.text}" for goal in goals)


def _header(project):
    return {
        "project_name": project.name,
        "department_name": project.department.name,
        "authority_name": project.department.authority.name,
        "project_type": project.project_type,
        "goal_text": _goal_text(project),
    }


def _create_forms(round_, projects):
    projects = list(projects)
    forms = ResultForm.objects.bulk_create(
        [
            ResultForm(
                round=round_,
                project=project,
                budget_initial=project.budget,
                budget_full=project.budget,
                **_header(project),
            )
            for project in projects
        ]
    )
    rows = []
    for form, project in zip(forms, projects, strict=True):
        made = [
            ResultRow.frozen_from(form, indicator, goal, position)
            for position, (goal, indicator) in enumerate(_approved_rows(project), start=1)
        ]
        if round_.kind == Kind.EVALUATION:
            set_default_weights(made)
        rows += made
    ResultRow.objects.bulk_create(rows, batch_size=2000)
    return len(forms)


def set_default_weights(rows):
    """Give `rows` (one form's, in order) the default 分值 of results/scoring.py."""
    for row, weight in zip(rows, scoring.default_weights(rows), strict=True):
        row.weight = weight


def sync_rows(form):
    """Bring a form not yet submitted up to its project's current approval.

    Rows follow the approved annual rows in order; a row keeps what was recorded
    against it. A row whose approved indicator is gone (SET_NULL) stays when it
    holds values (as recorded), and goes when it is empty; an empty row takes the
    approved row's new wording. Returns whether anything changed.
    """
    project = form.project
    evaluation = form.round.kind == Kind.EVALUATION
    # A self-evaluation's weights as opened (the defaults) are not something the unit
    # recorded: they follow the new set of rows. Weights the unit changed stay where they
    # were given, and rows new to the form get none, so the editor asks for them.
    edited = evaluation and _weights_edited(sorted(form.rows.all(), key=lambda row: (row.position, row.pk)))

    def recorded(row):
        return _recorded(row, weight=not evaluation)

    rows = {row.indicator_id: row for row in form.rows.all() if row.indicator_id}
    orphans = [row for row in form.rows.all() if not row.indicator_id]
    keep, create, changed = [], [], False
    for position, (goal, indicator) in enumerate(_approved_rows(project), start=1):
        row = rows.pop(indicator.pk, None)
        if row is None:
            create.append(ResultRow.frozen_from(form, indicator, goal, position))
            continue
        copy = ResultRow.copy_of(indicator, goal)
        fresh = {} if recorded(row) else {k: v for k, v in copy.items() if getattr(row, k) != v}
        if fresh or row.position != position:
            for key, value in {**fresh, "position": position}.items():
                setattr(row, key, value)
            row.save()
            changed = True
        keep.append(row)
    # Rows no longer among the approved annual rows: kept after them when they hold
    # values, as recorded; dropped when empty.
    position = len(keep) + len(create)
    for row in [*rows.values(), *orphans]:
        if not recorded(row):
            row.delete()
            changed = True
            continue
        position += 1
        if row.position != position:
            row.position = position
            row.save()
            changed = True
    if create:
        ResultRow.objects.bulk_create(create)
        changed = True
    if changed and evaluation and not edited:
        # The rows changed: the default weights of the new set (a re-approval).
        current = list(form.rows.all().order_by("position", "pk"))
        set_default_weights(current)
        ResultRow.objects.bulk_update(current, ["weight"])
    header = {k: v for k, v in _header(project).items() if getattr(form, k) != v}
    if header:
        for key, value in header.items():
            setattr(form, key, value)
        form.save()
        changed = True
    return changed


def _recorded(row, weight=True):
    """Whether the unit recorded anything against `row` (its weight counted if asked)."""
    return any(getattr(row, key) for key in ResultRow.VALUES if weight or key != "weight")


def _weights_edited(rows):
    """Whether a self-evaluation form's weights (its rows in order) differ from the defaults."""
    return [row.weight for row in rows] != scoring.default_weights(rows)


# What the computation reads and writes: nothing else is loaded for a whole round.
FORM_INPUTS = ("round_id", "budget_full", "executed", *ResultForm.COMPUTED)
ROW_INPUTS = (
    "form_id",
    "level2",
    "comparator",
    "number",
    "unit",
    "actual",
    "likelihood",
    "weight",
    "level",
    "points",
    "adjusted",
    *ResultRow.COMPUTED,
)


def _computed(obj):
    return [getattr(obj, name) for name in obj.COMPUTED]


def evaluate_round(round_, chunk=1000):
    """Recompute every row's and form's progress and light in the round (after a change
    of thresholds or of the forms), `chunk` forms at a time; only what changed is
    written, one statement per batch, no history (computed values).
    Returns the number of forms."""
    if round_.kind == Kind.EVALUATION:
        return score_round(round_)
    share, limits = round_.time_share, thresholds()
    pks = list(round_.forms.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        forms = list(ResultForm.objects.filter(pk__in=part).only(*FORM_INPUTS))
        rows_of = {form.pk: [] for form in forms}
        for row in ResultRow.objects.filter(form_id__in=part).only(*ROW_INPUTS).order_by("position", "pk"):
            rows_of[row.form_id].append(row)
        changed_forms, changed_rows = [], []
        for form in forms:
            form.round = round_
            rows = rows_of[form.pk]
            before = [_computed(row) for row in rows]
            was = _computed(form)
            form.evaluate(rows, share, limits)
            changed_rows += [row for row, old in zip(rows, before, strict=True) if _computed(row) != old]
            if _computed(form) != was:
                changed_forms.append(form)
        update_values(ResultForm, changed_forms, ResultForm.COMPUTED)
        update_values(ResultRow, changed_rows, ResultRow.COMPUTED)
    return len(pks)


def score_round(round_, chunk=2000):
    """Score every form of a self-evaluation round (results/scoring.py), `chunk` forms at a
    time: rows and forms loaded as plain values (`ScoredRow`, `ScoredForm`, scored by the
    models' own methods), only what changed written, one statement per batch.
    Returns the number of forms."""
    pks = list(round_.forms.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        part = pks[start : start + chunk]
        forms = [
            ScoredForm(values)
            for values in ResultForm.objects.filter(pk__in=part).values_list(*ScoredForm.FIELDS)
        ]
        rows_of = {form.pk: [] for form in forms}
        rows = ResultRow.objects.filter(form_id__in=part).order_by("position", "pk")
        for values in rows.values_list(*ScoredRow.FIELDS):
            row = ScoredRow(values)
            rows_of[row.form_id].append(row)
        changed_forms, changed_rows = [], []
        for form in forms:
            rows = rows_of[form.pk]
            before = [row.score for row in rows]
            was = [getattr(form, name) for name in scoring.FORM_RESULTS]
            form.score(rows)
            changed_rows += [row for row, old in zip(rows, before, strict=True) if row.score != old]
            if [getattr(form, name) for name in scoring.FORM_RESULTS] != was:
                changed_forms.append(form)
        update_values(ResultForm, changed_forms, scoring.FORM_RESULTS)
        update_values(ResultRow, changed_rows, scoring.ROW_RESULTS)
    return len(pks)


# -- import ----------------------------------------------------------------------


@dataclass
class ImportReport:
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    # Submitted or confirmed forms whose sheet the file leaves as stored: skipped.
    submitted: list = field(default_factory=list)

    OUTCOMES = (("updated", "已更新"), ("unchanged", "未变化"), ("submitted", "未变化（已提交）"))

    @property
    def forms(self):
        return self.updated + self.unchanged + self.submitted

    @property
    def outcomes(self):
        """(form, what the import did with it) in the order of `forms`."""
        return [(form, label) for name, label in self.OUTCOMES for form in getattr(self, name)]

    def summary(self):
        names = "、".join(form.project_name for form in self.updated)
        noun = self.forms[0].noun if self.forms else "监控表"
        imported = len(self.updated) + len(self.unchanged)
        text = f"已导入{imported}张{noun}：更新{len(self.updated)}张" + (f"（{names}）" if names else "")
        text += f"，未变化{len(self.unchanged)}张"
        if self.submitted:
            text += f"；{len(self.submitted)}张已提交的{noun}未变化，已跳过"
        return text + "。"


def _label(filled):
    """The noun and the name of a file's form in a message: `自评表`, `单位“项目”（2025年度）`."""
    if filled.kind == Kind.EVALUATION:
        return "自评表", f"{filled.department}“{filled.project}”（{filled.year}年度）"
    cutoff = filled.cutoff
    when = f"{filled.year}年 截至{cutoff.month}月{cutoff.day}日"
    return "监控表", f"{filled.department}“{filled.project}”（{when}）"


def _submitted_error(filled, form):
    noun, label = _label(filled)
    return ImportFormatError(
        filled.where,
        f"{label}的{noun}{form.get_status_display()}，只能导入尚未提交的{noun}；如需修改，请审核人先退回。",
    )


def find_form(filled, user=None, submitted=False):
    """The stored form a file's form is about, refused with the place when it cannot be
    imported: unknown, not visible, already submitted or not the user's to fill. With
    `submitted`, a form already submitted or confirmed is returned (for the caller to
    check that the file leaves it as stored) instead of refused."""
    forms = ResultForm.objects.filter(
        round__kind=filled.kind,
        round__year=filled.year,
        round__cutoff=filled.cutoff,
        department_name=filled.department,
        project_name=filled.project,
    )
    if user is not None:
        forms = forms.restrict(user, "view")
    form = forms.select_related("round", "project").first()
    noun, label = _label(filled)
    if form is None:
        raise ImportFormatError(filled.where, f"未找到{label}的{noun}（或您无权查看）。")
    if not form.is_editable:
        if submitted:
            return form
        raise _submitted_error(filled, form)
    if user is not None and not ResultForm.objects.restrict(user, "import").filter(pk=form.pk).exists():
        raise ImportFormatError(filled.where, f"只有{filled.department}的填报人可以导入{label}的{noun}。")
    return form


def import_results(filled, user=None):
    """Store the values of filled forms (from `documents.readers`), all or nothing.

    Each form must exist, be visible to `user` (None: the command line) and not yet
    submitted; its rows must be the stored ones; every value is checked by the
    browser's editor. A form already submitted or confirmed is skipped when the file
    leaves its values as stored (a round's workbook exported, its drafts filled) and
    refused otherwise. The first problem is raised as ImportFormatError naming the
    worksheet and cell (or JSON path); then nothing is stored.
    """
    report = ImportReport()
    seen = set()
    with transaction.atomic():
        for item in filled:
            if item.identity in seen:
                raise ImportFormatError(item.where, f"“{item.project}”的监控表在文件中出现了两次。")
            seen.add(item.identity)
            form = find_form(item, user, submitted=True)
            rows = list(form.rows.all())
            if item.grid is not None:
                form_rows = (
                    ResultForm.objects.with_rows().prefetch_related("transitions__user").get(pk=form.pk)
                )
                values, places = values_from_grid(item, layout.build_form_sheet(form_rows, rows))
                item.values, item.places = values, places
            else:
                _match_rows(item, rows)
            editor_type = editor_class(form)
            editor = editor_type(form, editor_type.data_from(item.values, form, rows), rows=rows)
            if not form.is_editable:
                if not editor.is_valid() or editor.differs():
                    raise _submitted_error(item, form)
                report.submitted.append(form)
                continue
            if not editor.is_valid():
                key, message = editor.errors[0]
                raise ImportFormatError(item.place(key), message)
            try:
                editor.save(user, check_version=False)
            except StaleVersion:
                raise ImportFormatError(item.where, "监控表正在被他人提交或修改，请稍后重试。") from None
            (report.updated if editor.changed else report.unchanged).append(form)
    return report


def _match_rows(item, rows):
    given = item.rows or []
    if len(given) != len(rows):
        raise ImportFormatError(
            f"{item.where}.rows", f"有{len(given)}行指标，系统中的监控表有{len(rows)}行。"
        )
    for index, ((level3, target), row) in enumerate(zip(given, rows, strict=True)):
        if (level3, target) != (row.level3, row.target):
            raise ImportFormatError(
                f"{item.where}.rows[{index}]",
                f"应为“{row.level3}（{row.target}）”，实际为“{level3}（{target}）”：指标行与系统中的监控表不一致。",
            )
