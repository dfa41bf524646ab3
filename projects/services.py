"""Work that spans several models: importing sheets and documents."""

import logging
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import Indicator
from indicators.values import parse_value

from .documents.data import project_to_dict
from .documents.errors import ImportFormatError
from .documents.validate import validate_projects
from .models import ApprovalSnapshot, Department, Goal, Project, Status, Transition
from .permissions import SYSTEM

logger = logging.getLogger("perfgoals.imports")


def log_refused(source, exc, user=None):
    """One log line per refused import (file, page or command), for the operators."""
    who = getattr(user, "username", None) or "command line"
    logger.warning("import refused: %s (%s): %s", source, who, exc)


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    new_units: list = field(default_factory=list)  # names of the units the import created

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
            if row is not None:
                _keep_line_breaks(row, fields)
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


# Row fields the editor shows in one-line boxes: a browser drops the line breaks of a
# value it puts there (a 三级指标 read from a Word cell of two lines).
ONE_LINE_FIELDS = ("level3", "value")


def _keep_line_breaks(row, fields):
    """Keep a stored row's line breaks when `fields` bring the same text without them
    (a save from the editor that did not touch it), instead of changing it unasked."""
    for name in ONE_LINE_FIELDS:
        stored = getattr(row, name) or ""
        # What a browser's text box makes of it: line breaks dropped, the ends stripped by the form.
        if "\n" in stored and fields.get(name) == re.sub(r"[\r\n]", "", stored).strip():
            fields[name] = stored


class ImportRefused(ImportFormatError):
    """An import that would change what the workflow owns; nothing was stored."""


def _unit(name, departments, data, user, created=None):
    """The unit of a project to import, if `user` may import into it; the name of a unit
    created for it is added to `created`."""
    if not name:
        raise ImportFormatError("", f"项目“{data['name']}”没有预算单位，请指定预算单位（--department）。")
    if name not in departments:
        departments[name], made = Department.objects.get_or_create(name=name)
        if made and created is not None:
            created.append(name)
        if not Department.objects.restrict(user, "import").contains(departments[name]):
            raise ImportRefused("", f"您不是“{name}”的填报人，不能导入该单位的项目。")
    return departments[name]


CONTENT_FIELDS = ("budget", "project_type", "funding", "rationale")


def _apply_fields(project, data):
    project.budget = data["budget"]
    project.project_type = data["project_type"]
    project.funding = list(data["funding"])
    project.rationale = data["rationale"]


def project_key(data):
    """The identity of a project within one unit, as a JSON-safe string."""
    return f"{data['year']}|{data['name']}"


@dataclass
class PlannedProject:
    """What an import would do with one project of a file (a preview; nothing written)."""

    data: dict
    unit_name: str
    existing: Project | None
    action: str  # create, update, unchanged, refused
    reason: str = ""
    new_unit: bool = False  # its unit does not exist yet: the import would create it

    LABELS = {"create": "新建", "update": "更新", "unchanged": "未变化", "refused": "不能导入"}

    @property
    def label(self):
        return self.LABELS[self.action]


def plan_import(projects, department=None, user=None):
    """What `import_projects` would do, project by project, without writing anything.

    Returns (plan, seen): `seen` maps each project's key to the stored version at
    this moment (None if it does not exist); pass it to `import_projects(expected=…)`
    so that a project changed after the preview is refused instead of overwritten.
    """
    plan, seen, units = [], {}, {}
    importable = Project.objects.restrict(user, "import")
    for data in projects:
        unit_name = department or data.get("department") or ""
        if unit_name not in units:
            units[unit_name] = Department.objects.filter(name=unit_name).first()
        unit = units[unit_name]
        existing = (
            Project.objects.with_tree().filter(year=data["year"], department=unit, name=data["name"]).first()
            if unit is not None
            else None
        )
        seen[project_key(data)] = existing.version if existing else None
        if existing is None:
            action, reason = "create", ""
            if unit is not None and not Department.objects.restrict(user, "import").contains(unit):
                action, reason = "refused", f"您不是“{unit_name}”的填报人"
        elif _comparable({**project_to_dict(existing), "budget": existing.budget}) == _comparable(data):
            action, reason = "unchanged", ""
        elif not existing.is_editable:
            action, reason = "refused", f"{existing.get_status_display()}，为只读；需审核人先退回或重新打开"
        elif not importable.contains(existing):
            action, reason = "refused", "不能由您导入覆盖"
        else:
            action, reason = "update", f"现为第{existing.version}版，{existing.get_status_display()}"
        plan.append(PlannedProject(data, unit_name, existing, action, reason, new_unit=unit is None))
    return plan, seen


def _check_unchanged_since(existing, data, expected):
    """Refuse a project that changed after the preview the user confirmed."""
    key = project_key(data)
    if expected is None or key not in expected:
        return
    before, now = expected[key], existing.version if existing else None
    if before == now:
        return
    if before is None:
        change = "在您预览后已由他人新建"
    elif now is None:
        change = "在您预览后已被删除"
    else:
        change = f"在您预览后已被修改（预览时为第{before}版，现为第{now}版）"
    raise ImportRefused(
        "",
        f"{data['year']}年项目“{data['name']}”{change}，未导入任何数据；请重新上传文件，核对预览后再导入。",
    )


@transaction.atomic
def import_projects(projects, department=None, user=None, expected=None):
    """Create or update projects from plain dicts (any reader's project data).

    Identity is year + unit + project name. A project whose content equals
    what is stored is left untouched. All or nothing: the caller's file either
    imports entirely or not at all.

    An import follows the workflow and never sets a state: new projects start
    as 草稿, a status in the data is ignored, and only a draft or returned
    project is updated. The stored row is locked while it is compared and
    written, and the write is a compare-and-set on its version (as in the
    editor), so an import racing a 提交 either lands before it or is refused;
    it never writes an old state back. Restoring a backup is `restore_backup`.

    `user` imports: a user (upload page, paste) or `permissions.SYSTEM` (the
    command line). It creates projects only in `Department.objects.restrict(user,
    "import")` and overwrites only `Project.objects.restrict(user, "import")`.

    `expected` (from `plan_import`) is what the user saw in a preview: a project
    whose stored version differs from it is refused.
    """
    if user is None:
        raise TypeError("import_projects needs the importing user, or permissions.SYSTEM")
    validate_projects(projects)  # the readers did; dicts from elsewhere are checked alike
    person = None if user is SYSTEM else user  # recorded as creator and in the history
    report = ImportReport()
    departments = {}
    for data in projects:
        unit = _unit(department or data.get("department"), departments, data, user, report.new_units)
        existing = (
            Project.objects.select_for_update()
            .with_tree()
            .filter(year=data["year"], department=unit, name=data["name"])
            .first()
        )
        _check_unchanged_since(existing, data, expected)
        if existing is None:
            project = Project(
                year=data["year"], department=unit, name=data["name"], created_by=person, status=Status.DRAFT
            )
            _apply_fields(project, data)
            if person is not None:
                project._history_user = person
            try:
                with transaction.atomic():  # a savepoint: the outer transaction stays usable
                    project.save()
            except IntegrityError:
                raise ImportRefused(
                    "",
                    f"{data['year']}年项目“{data['name']}”刚刚已由其他人新建，未导入任何数据；"
                    "请刷新后查看该项目，再决定是否重新导入。",
                ) from None
            replace_goals(project, data["goals"], user=person)
            report.created.append(project)
            continue
        stored = _comparable({**project_to_dict(existing), "budget": existing.budget})
        if stored == _comparable(data):
            report.unchanged.append(existing)
            continue
        if not existing.is_editable:
            raise ImportRefused(
                "",
                f"{existing.year}年项目“{existing.name}”{existing.get_status_display()}，为只读，"
                "导入不能覆盖；如需修改，请审核人先退回或重新打开该项目。",
            )
        if not Project.objects.restrict(user, "import").contains(existing):
            raise ImportRefused("", f"{existing.year}年项目“{existing.name}”不能由您导入覆盖。")
        seen = existing.version
        claimed = Project.objects.filter(
            pk=existing.pk, version=seen, status__in=Project.EDITABLE_STATUSES
        ).update(version=F("version") + 1)
        if not claimed:  # only where the database has no row locks (SQLite)
            raise ImportRefused(
                "", f"{existing.year}年项目“{existing.name}”在导入期间已被他人修改或提交，未导入任何数据。"
            )
        existing.version = seen + 1
        _apply_fields(existing, data)
        if person is not None:
            existing._history_user = person
        existing.save(update_fields=[*CONTENT_FIELDS, "version", "updated_at"])
        replace_goals(existing, data["goals"], user=person)
        report.updated.append(existing)
    return report


def _describe(project):
    return f"{project.year}年 {project.department} {project.name}"


@transaction.atomic
def restore_backup(projects):  # the operator's command only: acts as permissions.SYSTEM
    """Restore a perfgoals/1 backup (`import_approvals --restore`): states, steps, snapshots.

    Meant for an empty database. A project of the backup that is stored already
    is left as it is when it equals the backup (state included); if any stored
    project differs, the backup would roll it back, so nothing is restored and
    the refusal lists every such project with its stored and backed-up state.
    """
    report = ImportReport()
    departments, users, conflicts, missing = {}, {}, [], []
    for data in projects:
        unit = _unit(data.get("department"), departments, data, SYSTEM)
        existing = (
            Project.objects.select_for_update()
            .with_tree()
            .filter(year=data["year"], department=unit, name=data["name"])
            .first()
        )
        if existing is None:
            missing.append((unit, data))
            continue
        stored = _comparable({**project_to_dict(existing), "budget": existing.budget})
        if stored == _comparable(data) and existing.status == data.get("status", Status.DRAFT):
            report.unchanged.append(existing)
            continue
        backed_up = Status(data.get("status", Status.DRAFT)).label
        conflicts.append(
            f"{_describe(existing)}（数据库中：{existing.get_status_display()}，第{existing.version}版；"
            f"备份中：{backed_up}）"
        )
    if conflicts:
        raise ImportRefused(
            "",
            f"数据库中已有{len(conflicts)}个项目与备份不同，恢复会把它们回退到备份时的内容和状态，"
            "因此未恢复任何数据：" + "；".join(conflicts) + "。恢复备份只用于空数据库；"
            "如只需导入内容，请去掉 --restore。",
        )
    for unit, data in missing:
        project = Project(
            year=data["year"], department=unit, name=data["name"], status=data.get("status", Status.DRAFT)
        )
        _apply_fields(project, data)
        project.save()
        replace_goals(project, data["goals"])
        restore_record(project, data, users)
        report.created.append(project)
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
    if project.status == Status.APPROVED:
        _restore_approval(project)


def _snapshot_approval(snapshot):
    """(批复单位, 批复日期) as an approval snapshot recorded them, or None."""
    from datetime import date

    approval = snapshot.data.get("approval") if snapshot else None
    if not isinstance(approval, dict):
        return None
    try:
        return str(approval.get("body") or "")[:200], date.fromisoformat(approval.get("date"))
    except (TypeError, ValueError):
        return None


def _restore_approval(project):
    """批复单位 / 批复日期 of a restored approved project, from its restored record: the
    latest snapshot's copy, else the latest 批复 step."""
    from django.utils import timezone

    found = _snapshot_approval(project.snapshots.order_by("-approved_at", "-id").first())
    if found is None:
        step = project.transitions.filter(action=Transition.Action.APPROVE).order_by("-at", "-id").first()
        if step is None:
            return
        found = step.body, timezone.localdate(step.at)
    project.approval_body, project.approval_date = found
    Project.objects.filter(pk=project.pk).update(approval_body=found[0], approval_date=found[1])


class DeleteRefused(Exception):
    """A draft that cannot be deleted; the message says why, in Chinese."""


def delete_draft(project, user):
    """Delete a 草稿 the user may edit, with its goals and rows, in one transaction, and log it.

    Refused (DeleteRefused) when it is no longer a draft (someone submitted it meanwhile),
    or when something must be kept: an approval snapshot (批复存档) or a monitoring form.
    """
    from django.db.models import ProtectedError

    with transaction.atomic():
        locked = Project.objects.restrict(user, "edit").select_for_update(of=("self",)).filter(pk=project.pk)
        locked = locked.first()
        if locked is None or locked.status != Status.DRAFT:
            current = Project.objects.get(pk=project.pk).get_status_display()
            raise DeleteRefused(f"只有草稿可以删除，此项目当前为“{current}”。")
        name = f"{locked.year}年 {locked.name}（{locked.department}）"
        locked._history_user = user
        locked._change_reason = "删除草稿"
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError:
            raise DeleteRefused(f"“{locked.name}”有批复存档或运行监控表，须保留，不能删除。") from None
    logging.getLogger("perfgoals.projects").info(
        "draft deleted: project=%s %s by user=%s", project.pk, name, user.get_username()
    )
    return name
