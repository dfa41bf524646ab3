"""Work that spans several models: importing sheets and documents."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from indicators.models import Indicator

from .documents.data import project_to_dict
from .documents.errors import ImportFormatError
from .models import ApprovalSnapshot, Department, Goal, Project, Status, Transition
from .permissions import SYSTEM

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

    `user` imports: a user (upload page, paste) or `permissions.SYSTEM` (the
    command line). It creates projects only in `Department.objects.restrict(user,
    "import")` and overwrites only `Project.objects.restrict(user, "import")`.
    """
    if user is None:
        raise TypeError("import_projects needs the importing user, or permissions.SYSTEM")
    person = None if user is SYSTEM else user  # recorded as creator and in the history
    report = ImportReport()
    departments, users = {}, {}
    for data in projects:
        unit_name = department or data.get("department")
        if not unit_name:
            raise ImportFormatError("", f"项目“{data['name']}”没有预算单位，请指定预算单位（--department）。")
        if unit_name not in departments:
            departments[unit_name], _ = Department.objects.get_or_create(name=unit_name)
            if not Department.objects.restrict(user, "import").contains(departments[unit_name]):
                raise ImportFormatError("", f"您不是“{unit_name}”的填报人，不能导入该单位的项目。")
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
            if not Project.objects.restrict(user, "import").contains(existing):
                raise ImportFormatError("", f"{existing.year}年项目“{existing.name}”不能由您导入覆盖。")
            project = existing
            target = report.updated
        else:
            project = Project(year=data["year"], department=unit, name=data["name"], created_by=person)
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
        if person is not None:
            project._history_user = person
        project.save()
        replace_goals(project, data["goals"], user=person)
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
