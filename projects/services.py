"""Work that spans several models: importing sheets and documents."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Indicator
from indicators.values import parse_value

from .documents.data import project_to_dict
from .documents.errors import ImportFormatError
from .models import ApprovalSnapshot, Department, Goal, Project, Status, Transition

# Fields compared to decide whether an import changes a stored project.
CONTENT_KEYS = ("budget", "project_type", "funding", "rationale", "status", "goals")


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def projects(self):
        return self.created + self.updated + self.unchanged

    def summary(self):
        return f"新建{len(self.created)}个项目，更新{len(self.updated)}个，未变化{len(self.unchanged)}个。"


def _comparable(data):
    """A project's content in the canonical JSON shape, for change detection."""
    from indicators.values import normalize_number

    return {
        "budget": normalize_number(data["budget"]),
        "project_type": data["project_type"],
        "funding": list(data["funding"]),
        "rationale": data["rationale"],
        "status": data.get("status"),
        "goals": [
            {
                "term": goal["term"],
                "name": goal["name"],
                "text": goal["text"],
                "indicators": [
                    {key: row[key] for key in ("level1", "level2", "level3", "value", "basis")}
                    for row in goal["indicators"]
                ],
            }
            for goal in data["goals"]
        ],
    }


GOAL_FIELDS = ("term", "position", "name", "text")
ROW_FIELDS = ("position", "level1", "level2", "level3", "value", "basis")
# Goals whose place changes wait here while the others take their places
# (the place, project + term + position, is unique).
PARKING = 30000


MISSING = object()


def _given_id(data):
    """The stored id a goal or row dict names: an int, None (new), or MISSING (not given)."""
    if "id" not in data:
        return MISSING
    try:
        return int(str(data["id"]).strip())
    except (TypeError, ValueError):
        return None


def _match(incoming, stored, text_key=None):
    """Pair incoming dicts with stored objects; returns a list parallel to `incoming`.

    A dict with an "id" key is its own identity (an id among `stored`, or new);
    the others are matched to unclaimed stored objects, first by `text_key`
    (三级指标 for rows), then by place (`position`, as numbered by the caller).
    """
    by_id = {obj.pk: obj for obj in stored}
    matches, claimed = [None] * len(incoming), set()
    for i, (data, _) in enumerate(incoming):
        given = _given_id(data)
        if given is not MISSING and given in by_id and given not in claimed:
            matches[i] = by_id[given]
            claimed.add(given)
    free = [i for i, (data, _) in enumerate(incoming) if _given_id(data) is MISSING]
    if text_key:
        for i in free:
            text = incoming[i][0].get(text_key, "")
            found = next((o for o in stored if o.pk not in claimed and getattr(o, text_key) == text), None)
            if found is not None:
                matches[i] = found
                claimed.add(found.pk)
    for i in free:
        if matches[i] is None:
            place = incoming[i][1]
            found = next((o for o in stored if o.pk not in claimed and _place(o) == place), None)
            if found is not None:
                matches[i] = found
                claimed.add(found.pk)
    return matches


def _place(obj):
    return (obj.term, obj.position) if isinstance(obj, Goal) else obj.position


def _by(obj, user):
    """`obj`, its history to be recorded as `user`'s (without one: the request's user)."""
    if user is not None:
        obj._history_user = user
    return obj


def _assign(obj, values, fields):
    """Set `values` on `obj`; whether anything changed."""
    changed = False
    for name in fields:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def replace_goals(project, goals, user=None):
    """Bring a project's goals and indicator rows to `goals` (plain dicts), in place.

    Stored goals and rows keep their identity (monitoring and self-evaluation
    values are attached to rows): a matched goal or row is updated in place,
    an unmatched incoming one is created, an unmatched stored one is deleted.
    Dicts that carry an "id" (the editor) are that stored goal or row of this
    project (None or a foreign id: a new one); the others (imports, copies) are
    matched: goals by term and position, rows within their goal by 三级指标,
    then by position. Every creation, change and deletion is written to the
    history (django-simple-history), with `user` when given.
    """
    stored = list(Goal.objects.filter(project=project).prefetch_related("indicators")) if project.pk else []
    counts, incoming = {}, []
    for goal in goals:
        counts[goal["term"]] = counts.get(goal["term"], 0) + 1
        incoming.append((goal, (goal["term"], counts[goal["term"]])))
    matches = _match(incoming, stored)
    kept = {goal.pk for goal in matches if goal is not None}
    for goal in stored:
        if goal.pk not in kept:
            _by(goal, user).delete()  # its rows too; the signals write the history
    moving = [
        goal for goal, (_, place) in zip(matches, incoming, strict=True) if goal and _place(goal) != place
    ]
    if moving:
        for n, goal in enumerate(moving, start=1):
            Goal.objects.filter(pk=goal.pk).update(position=PARKING + n)
    new_goals, goal_objects = [], []
    for match, (data, (term, position)) in zip(matches, incoming, strict=True):
        values = {"term": term, "position": position, "name": data["name"], "text": data["text"]}
        if match is None:
            new_goals.append(Goal(project=project, **values))
            goal_objects.append(new_goals[-1])
            continue
        if _assign(match, values, GOAL_FIELDS):
            _by(match, user).save()
        goal_objects.append(match)
    if new_goals:
        bulk_create_with_history(new_goals, Goal, default_user=user)
    new_rows, changed_rows, gone_rows = [], [], []
    for goal, (data, _) in zip(goal_objects, incoming, strict=True):
        rows = list(goal.indicators.all()) if goal.pk in kept else []
        given = [(row, position) for position, row in enumerate(data["indicators"], start=1)]
        row_matches = _match(given, rows, text_key="level3")
        claimed = {row.pk for row in row_matches if row is not None}
        gone_rows += [row.pk for row in rows if row.pk not in claimed]
        for row, (values, position) in zip(row_matches, given, strict=True):
            fields = {name: values.get(name, "") for name in ROW_FIELDS if name != "position"}
            if row is None:
                new_rows.append(Indicator.build(goal=goal, position=position, **fields))
            elif _assign(row, {**fields, "position": position}, ROW_FIELDS):
                row.apply_parsed(parse_value(row.value))
                changed_rows.append(row)
    if gone_rows:
        for row in Indicator.objects.filter(pk__in=gone_rows):
            _by(row, user).delete()
    if changed_rows:
        bulk_update_with_history(
            changed_rows,
            Indicator,
            [*ROW_FIELDS, "comparator", "number", "unit"],
            default_user=user,
        )
    if new_rows:
        bulk_create_with_history(new_rows, Indicator, default_user=user)
    getattr(project, "_prefetched_objects_cache", {}).pop("goals", None)


@transaction.atomic
def import_projects(projects, department=None, user=None, restore=False):
    """Create or update projects from plain dicts (text sheets or JSON).

    Identity is year + unit + project name. A project whose content equals
    what is stored is left untouched. All or nothing: the caller's file either
    imports entirely or not at all.

    An import follows the workflow: new projects start as 草稿, a status in the
    data is ignored, and a submitted or approved project is never overwritten.
    Only `restore=True` (an administrator restoring a perfgoals/1 backup from
    the command line) applies the status in the data and may overwrite them.
    """
    report = ImportReport()
    departments, users = {}, {}
    for data in projects:
        unit_name = department or data.get("department")
        if not unit_name:
            raise ImportFormatError("", f"项目“{data['name']}”没有预算单位，请指定预算单位（--department）。")
        if unit_name not in departments:
            departments[unit_name], _ = Department.objects.get_or_create(name=unit_name)
        unit = departments[unit_name]
        existing = (
            Project.objects.with_tree().filter(year=data["year"], department=unit, name=data["name"]).first()
        )
        if existing is not None:
            stored = _comparable({**project_to_dict(existing), "budget": existing.budget})
            status = data.get("status", existing.status) if restore else existing.status
            incoming = _comparable({**data, "status": status})
            if stored == incoming:
                report.unchanged.append(existing)
                continue
            if not restore and not existing.is_editable:
                raise ImportFormatError(
                    "",
                    f"{existing.year}年项目“{existing.name}”{existing.get_status_display()}，为只读，"
                    "导入不能覆盖；如需修改，请审核人先退回或重新打开该项目。",
                )
            project = existing
            target = report.updated
        else:
            project = Project(year=data["year"], department=unit, name=data["name"], created_by=user)
            target = report.created
        project.budget = data["budget"]
        project.project_type = data["project_type"]
        project.funding = list(data["funding"])
        project.rationale = data["rationale"]
        if restore:
            project.status = data.get("status", project.status or Status.DRAFT)
        elif existing is None:
            project.status = Status.DRAFT
        if existing is not None:
            project.version += 1
        if user is not None:
            project._history_user = user
        project.save()
        replace_goals(project, data["goals"], user=user)
        if restore:
            restore_record(project, data, users)
        target.append(project)
    return report


def restore_record(project, data, users):
    """Recreate a backup's workflow steps and approval snapshots, timestamps included.

    Only for a project that has no record yet (a restore into an empty database):
    a stored record is history and is never rewritten. Users are matched by user
    name; an unknown user leaves the reference empty (the snapshot keeps the
    approver's name).
    """
    if project.transitions.exists() or project.snapshots.exists():
        return

    def user_named(username):
        if username and username not in users:
            users[username] = get_user_model().objects.filter(username=username).first()
        return users.get(username) if username else None

    for step in data.get("transitions", []):
        transition = Transition.objects.create(project=project, **{**step, "user": user_named(step["user"])})
        Transition.objects.filter(pk=transition.pk).update(at=step["at"])  # auto_now_add on create
    for approval in data.get("approvals", []):
        snapshot = ApprovalSnapshot.objects.create(
            project=project, **{**approval, "approved_by": user_named(approval["approved_by"])}
        )
        ApprovalSnapshot.objects.filter(pk=snapshot.pk).update(approved_at=approval["approved_at"])
