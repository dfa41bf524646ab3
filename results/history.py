"""A monitoring form's history for people: each save (what changed, before → after)
and each workflow step, newest first, in the entries the project page uses
(`projects.history`). Records come from django-simple-history (form and rows)
and `FormTransition`. A round's forms and rows are created without history (one
statement per batch); before the first save of a form or row, `keep_opening` records
it as it stands (an opening record, history type "+"), so that the first save's
changes are read against the values the form was opened with."""

from django.utils import timezone

from projects.history import SAME_SAVE, Change, Entry, Line

from .models import FUND_COLUMNS, FUND_PART_KEYS, FUND_PARTS, Cause, Likelihood, ResultForm, ResultRow, amount
from .scoring import Achievement, points_text

FORM_FIELDS = ("budget_full", "executed", "forecast", "funds_reason", "summary", *FUND_PART_KEYS)
ROW_FIELDS = (*ResultRow.VALUES, "adjusted", "adjust_reason")
AMOUNTS = ("budget_full", "executed", "forecast", *FUND_PART_KEYS)
# 当年财政拨款年初预算数 … 其他资金全年执行数
FUND_LABELS = {
    f"{part}_{column}": f"{part_label.removeprefix('其中：')}{column_label}"
    for part, part_label in FUND_PARTS
    for column, column_label in FUND_COLUMNS
}


def keep_opening(form):
    """Record `form` and its rows as stored, where they have no history yet: the values
    they were opened with, which their first save's changes are read against. Call it in
    the save's transaction, before the save writes."""
    at = timezone.now()
    for model, objects in (
        (ResultForm, ResultForm.objects.filter(pk=form.pk)),
        (ResultRow, ResultRow.objects.filter(form_id=form.pk)),
    ):
        recorded = model.history.filter(id__in=objects.values("pk")).values("id")
        missing = list(objects.exclude(pk__in=recorded))
        if missing:
            model.history.bulk_history_create(missing, default_date=at)


def _value(record, name):
    if name in FUND_PART_KEYS:  # a property of ResultForm over `funds_parts`
        return getattr(ResultForm, name).fget(record)
    return getattr(record, name)


def _display(model, name, value):
    if value in (None, "", []):
        return "（空）"
    if model is ResultForm and name in AMOUNTS:
        return f"{amount(value)}万元"
    if name == "causes":
        return "、".join(Cause(code).label for code in value if code in Cause.values)
    if name == "likelihood":
        return Likelihood(value).label if value in Likelihood.values else value
    if name == "level":
        return Achievement(value).label if value in Achievement.values else value
    if name in ("weight", "points", "adjusted"):
        return f"{points_text(value)}分"
    return str(value)


# Set when the round opens. A first save recorded before opening records were kept has
# nothing to read them against but the form's 年初预算数 (全年预算数 opens equal to it).
PRESET = {ResultForm: ("budget_full",), ResultRow: ("weight",)}
EVALUATION_LABELS = {"executed": "全年执行数（B）", "summary": "实际完成情况", "actual": "实际完成值（B）"}


def _changes(model, fields, before, after, period):
    changes = []
    for name in fields:
        old = _value(before, name) if before is not None else None
        new = _value(after, name)
        if before is None and name in PRESET[model]:
            if model is not ResultForm:
                continue  # unknown: the defaults of the rows as they were then
            old = after.budget_initial
        if (old or None) != (new or None):
            label = FUND_LABELS.get(name) or str(model._meta.get_field(name).verbose_name)
            if period is None:
                label = EVALUATION_LABELS.get(name, label)
            elif name in ("executed", "summary", "actual"):
                label = f"{period}{label}"
            changes.append(Change(label, _display(model, name, old), _display(model, name, new)))
    return changes


def form_history(form):
    """Entries of `form` (round loaded), newest first, in a fixed number of queries."""
    period = None if form.is_evaluation else form.round.period
    form_records = list(ResultForm.history.filter(id=form.pk).select_related("history_user"))
    row_records = list(ResultRow.history.filter(form_id=form.pk).select_related("history_user"))
    transitions = list(form.transitions.select_related("user"))
    items = sorted(
        [*form_records, *row_records, *transitions],
        key=lambda item: (getattr(item, "history_date", None) or item.at, getattr(item, "history_id", 0)),
    )
    previous, entries, seen = {}, [], set()
    for item in items:
        at = getattr(item, "history_date", None) or item.at
        user = item.history_user if hasattr(item, "history_type") else item.user
        key = (type(item).__name__, item.id)
        last = entries[-1] if entries else None
        # One entry per save: the same user within a moment, and no object saved twice.
        if last is None or last.user != user or at - last.at > SAME_SAVE or key in seen:
            last = Entry(at=at, user=user)
            entries.append(last)
            seen = set()
        seen.add(key)
        last.at = at
        if not hasattr(item, "history_type"):
            last.transitions.append(item)
            continue
        model = ResultForm if isinstance(item, ResultForm.history.model) else ResultRow
        fields = FORM_FIELDS if model is ResultForm else ROW_FIELDS
        before = previous.get((model, item.id))
        previous[(model, item.id)] = item
        if before is None and item.history_type == "+":
            continue  # the opening record: the values as the round opened them
        changes = _changes(model, fields, before, item, period)
        if changes:
            where = form.noun if model is ResultForm else f"第{item.position}行（{item.level3}）"
            last.lines.append(Line(where, "修改", changes))
    entries = [entry for entry in entries if entry.lines or entry.transitions]
    entries.reverse()
    return entries
