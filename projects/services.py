"""Work that spans several models: importing sheets and documents."""

import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from indicators.models import Indicator

from .documents.data import project_to_dict
from .documents.errors import ImportFormatError
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


def replace_goals(project, goals, user=None):
    """Replace a project's goals and indicator rows with `goals` (plain dicts).

    Deletions and creations are both written to the history (bulk_create alone
    would bypass it), so the project page shows what an import changed.
    """
    project.goals.all().delete()  # sends the signals the history listens to
    positions = {}
    goal_objects = []
    for goal in goals:
        positions[goal["term"]] = positions.get(goal["term"], 0) + 1
        goal_objects.append(
            Goal(
                project=project,
                term=goal["term"],
                position=positions[goal["term"]],
                name=goal["name"],
                text=goal["text"],
            )
        )
    goal_objects = bulk_create_with_history(goal_objects, Goal, default_user=user)
    rows = []
    for goal_object, goal in zip(goal_objects, goals, strict=True):
        for position, row in enumerate(goal["indicators"], start=1):
            rows.append(Indicator.build(goal=goal_object, position=position, **row))
    bulk_create_with_history(rows, Indicator, default_user=user)


class ImportRefused(ImportFormatError):
    """An import that would change what the workflow owns; nothing was stored."""


def _unit(name, departments, data, user):
    """The unit of a project to import, if `user` may import into it."""
    if not name:
        raise ImportFormatError("", f"项目“{data['name']}”没有预算单位，请指定预算单位（--department）。")
    if name not in departments:
        departments[name], _ = Department.objects.get_or_create(name=name)
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
        plan.append(PlannedProject(data, unit_name, existing, action, reason))
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
    person = None if user is SYSTEM else user  # recorded as creator and in the history
    report = ImportReport()
    departments = {}
    for data in projects:
        unit = _unit(department or data.get("department"), departments, data, user)
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
