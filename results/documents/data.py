"""The JSON exchange format of results (`perfgoals-results/1`).

    {"format": "perfgoals-results/1", "forms": [{"kind", "project_id", "project",
     "department", "year", "cutoff", "status",
     "funds": {"budget_initial", "budget_full", "executed", "execution_rate",
               "forecast", "reason"},
     "overall": {"target", "actual"}, "light",
     "rows": [{"goal", "level1", "level2", "level3", "target", "actual",
               "forecast", "expected_progress", "progress", "light", "ahead",
               "reasons": {"causes": [...], "text"}, "likelihood", "note"}]}]}

Numbers are strings (amounts in 万元; rates and progress in percent, `"37.59"`
for 37.59 %), or null when empty. Lights are "green", "yellow", "red" or null;
causes are codes of `models.Cause`, likelihood one of `models.Likelihood` or "".
What a unit fills in is read back by `readers.parse_document`; everything
computed is recomputed on import.

A self-evaluation (kind "evaluation") carries instead "funds" without forecast but
with "parts" ({"appropriation" | "carryover" | "other": {"initial", "full", "executed"}}),
"budget_score", "total", "grade", and rows {"goal", "level1", "level2", "level3",
"target", "actual", "level", "points", "weight", "score", "adjusted", "reason"}:
level is "achieved", "partial", "missed" or "" (qualitative rows), points the
points picked within it, adjusted null or {"score", "reason", "by", "at"} (a
reviewer's change). Scores are strings in points ("8.33").
"""

import json
from decimal import ROUND_HALF_UP, Decimal

from indicators.values import normalize_number

from ..models import FUND_COLUMNS, FUND_PARTS, LIGHT_CODES, Kind

FORMAT = "perfgoals-results/1"


def _number(value):
    return None if value is None else normalize_number(value)


def _percent(fraction):
    if fraction is None:
        return None
    return normalize_number((Decimal(fraction) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _points(value):
    return None if value is None else normalize_number(Decimal(value).quantize(Decimal("0.01")))


def _adjustment(row):
    if row.adjusted is None:
        return None
    by = row.adjusted_by
    return {
        "score": _points(row.adjusted),
        "reason": row.adjust_reason,
        "by": (by.get_full_name() or by.get_username()) if by else None,
        "at": row.adjusted_at.isoformat() if row.adjusted_at else None,
    }


def row_to_dict(row, evaluation=False):
    if evaluation:
        return {
            "goal": row.goal_name,
            "level1": row.level1,
            "level2": row.level2,
            "level3": row.level3,
            "target": row.target,
            "actual": row.actual,
            "level": row.level,
            "points": _points(row.points),
            "weight": _points(row.weight),
            "score": _points(row.score),
            "adjusted": _adjustment(row),
            "reason": row.reason,
        }
    return {
        "goal": row.goal_name,
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "target": row.target,
        "actual": row.actual,
        "forecast": row.forecast,
        "expected_progress": _percent(row.expected),
        "progress": _percent(row.progress),
        "light": LIGHT_CODES[row.light],
        "ahead": row.ahead,
        "reasons": {"causes": list(row.causes), "text": row.reason},
        "likelihood": row.likelihood,
        "note": row.note,
    }


def form_to_dict(form, rows=None):
    """One form (round, project and rows loaded: `ResultForm.objects.with_rows()`): the
    monitoring form, or a self-evaluation with its funds by source and scores, the rows
    with weight and score, and a reviewer's changes with their reasons (`adjusted`)."""
    rows = list(form.rows.all()) if rows is None else rows
    evaluation = form.round.kind == Kind.EVALUATION
    funds = {
        "budget_initial": _number(form.budget_initial),
        "budget_full": _number(form.budget_full),
        "executed": _number(form.executed),
        "execution_rate": _percent(form.execution_rate),
    }
    data = {
        "kind": form.round.kind,
        "project_id": form.project_id,
        "project": form.project_name,
        "department": form.department_name,
        "year": form.round.year,
        "cutoff": form.round.cutoff.isoformat(),
        "status": form.status,
        "funds": funds,
        "overall": {"target": form.goal_text, "actual": form.summary},
    }
    if evaluation:
        funds["parts"] = {
            part: {column: _number(getattr(form, f"{part}_{column}")) for column, _ in FUND_COLUMNS}
            for part, _ in FUND_PARTS
        }
        data.update(budget_score=_points(form.budget_score), total=_points(form.total), grade=form.grade)
    else:
        funds.update(forecast=_number(form.forecast), reason=form.funds_reason)
        data["light"] = LIGHT_CODES[form.light]
    data["rows"] = [row_to_dict(row, evaluation=evaluation) for row in rows]
    return data


def write_document(forms, output):
    """Write the forms (an iterable, rows loaded) as one document to a text stream."""
    output.write(f'{{"format": {json.dumps(FORMAT)}, "forms": [')
    for n, form in enumerate(forms):
        output.write(",\n" if n else "\n")
        output.write(json.dumps(form_to_dict(form), ensure_ascii=False))
    output.write("\n]}\n")
