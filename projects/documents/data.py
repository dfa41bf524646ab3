"""The canonical JSON (`perfgoals/1`): our backup and exchange format.

    {"format": "perfgoals/1", "projects": [{"id", "year", "department", "name",
     "budget" (string, 万元), "project_type", "funding" [list], "rationale",
     "status", "goals": [{"term": "long"|"annual", "name", "text",
     "indicators": [{"level1", "level2", "level3", "value", "comparator",
                     "number", "unit", "basis"}]}],
     "approval": {"body", "date"}}]}

"approval" (批复单位 and 批复日期, `YYYY-MM-DD`, of the final review step) is
written for an approved project only. Readers ignore it: an import never sets a
state, and a restore takes it from the restored record. A full backup's
approvals also carry the review "steps" of their round (初审通过, 批复).

Keep it stable: export -> import into an empty database -> export gives the
same document apart from ids. `value` is the truth for an indicator; the
parsed parts are written for readers and recomputed on import.

This module turns stored projects into that structure; `readers.jsondoc` reads
it back.
"""

import json

from indicators.values import normalize_number

from ..models import Status, funding_in_order

FORMAT = "perfgoals/1"
INDICATOR_TEXT_FIELDS = ("level1", "level2", "level3", "value", "basis")


def indicator_to_dict(indicator):
    return {
        "level1": indicator.level1,
        "level2": indicator.level2,
        "level3": indicator.level3,
        "value": indicator.value,
        "comparator": indicator.comparator or None,
        "number": None if indicator.number is None else normalize_number(indicator.number),
        "unit": indicator.unit,
        "basis": indicator.basis,
    }


def approval_to_dict(body, date):
    return {"body": body, "date": date.isoformat()}


def transition_to_dict(transition):
    return {
        "action": transition.action,
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "user": transition.user.username if transition.user else None,
        "comment": transition.comment,
        "body": transition.body,
        "version": transition.version,
        "at": transition.at.isoformat(),
    }


def snapshot_to_dict(snapshot):
    return {
        "version": snapshot.version,
        "approved_by": snapshot.approved_by.username if snapshot.approved_by else None,
        "approved_by_name": snapshot.approved_by_name,
        "approved_at": snapshot.approved_at.isoformat(),
        "comment": snapshot.comment,
        "steps": snapshot.steps,
        "data": snapshot.data,
    }


def project_to_dict(project, full=False):
    """The canonical form of one project (its goals and rows must be prefetched).

    `full` adds the workflow record a backup needs: "transitions" (every step,
    oldest first) and "approvals" (the frozen approval snapshots, oldest first);
    prefetch them with `ProjectQuerySet.with_record()`.
    """
    data = {
        "id": project.pk,
        "year": project.year,
        "department": project.department.name,
        "name": project.name,
        "budget": normalize_number(project.budget),
        "project_type": project.project_type,
        "funding": funding_in_order(project.funding),
        "rationale": project.rationale,
        "status": project.status,
        "goals": [
            {
                "term": goal.term,
                "name": goal.name,
                "text": goal.text,
                "indicators": [indicator_to_dict(row) for row in goal.indicators.all()],
            }
            for goal in project.goals.all()
        ],
    }
    if project.status == Status.APPROVED and project.approval_date is not None:
        data["approval"] = approval_to_dict(project.approval_body, project.approval_date)
    if full:
        data["transitions"] = [transition_to_dict(t) for t in project.transitions.all()]
        data["approvals"] = [
            snapshot_to_dict(s) for s in sorted(project.snapshots.all(), key=lambda s: (s.approved_at, s.pk))
        ]
    return data


def dump_document(projects, full=False):
    """The whole document for an iterable of projects (use `.with_tree()`)."""
    return {"format": FORMAT, "projects": [project_to_dict(p, full=full) for p in projects]}


def dumps(projects, full=False):
    return json.dumps(dump_document(projects, full=full), ensure_ascii=False, indent=2) + "\n"
