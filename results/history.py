"""A monitoring form's history for people: each save (what changed, before → after)
and each workflow step, newest first, in the entries the project page uses
(`projects.history`). Records come from django-simple-history (form and rows)
and `FormTransition`; a form's rows are created without history when the round
opens, so a row's first record is compared with the empty row."""

from projects.history import SAME_SAVE, Change, Entry, Line

from .models import Cause, Likelihood, ResultForm, ResultRow, amount
from .scoring import Achievement, points_text

FORM_FIELDS = ("budget_full", "executed", "forecast", "funds_reason", "summary")
ROW_FIELDS = (*ResultRow.VALUES, "adjusted", "adjust_reason")


def _display(model, name, value):
    if value in (None, "", []):
        return "（空）"
    if model is ResultForm and name in ("budget_full", "executed", "forecast"):
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


# Set when the round opens: a first record's value is not a change by the user.
PRESET = {ResultForm: ("budget_full",), ResultRow: ("weight",)}
EVALUATION_LABELS = {"executed": "全年执行数（B）", "summary": "实际完成情况", "actual": "实际完成值（B）"}


def _changes(model, fields, before, after, period):
    changes = []
    for name in fields:
        old = getattr(before, name) if before is not None else None
        new = getattr(after, name)
        if before is None and name in PRESET[model]:
            continue  # a new form's 全年预算数 and a row's 分值 start as set when the round opens
        if (old or None) != (new or None):
            label = str(model._meta.get_field(name).verbose_name)
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
        changes = _changes(model, fields, before, item, period)
        if changes:
            where = form.noun if model is ResultForm else f"第{item.position}行（{item.level3}）"
            last.lines.append(Line(where, "修改", changes))
    entries = [entry for entry in entries if entry.lines or entry.transitions]
    entries.reverse()
    return entries
