"""Work that spans several models: importing sheets and documents."""

from dataclasses import dataclass, field

from django.db import transaction

from indicators.models import Indicator

from .errors import ImportFormatError
from .models import Department, Goal, Project, Status
from .serialization import project_to_dict

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


def replace_goals(project, goals):
    """Replace a project's goals and indicator rows with `goals` (plain dicts)."""
    project.goals.all().delete()
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
    Goal.objects.bulk_create(goal_objects)
    rows = []
    for goal_object, goal in zip(goal_objects, goals, strict=True):
        for position, row in enumerate(goal["indicators"], start=1):
            rows.append(Indicator.build(goal=goal_object, position=position, **row))
    Indicator.objects.bulk_create(rows)


@transaction.atomic
def import_projects(projects, department=None, user=None, as_drafts=False):
    """Create or update projects from plain dicts (text sheets or JSON).

    Identity is year + unit + project name. A project whose content equals
    what is stored is left untouched. All or nothing: the caller's file either
    imports entirely or not at all.

    `as_drafts` (browser uploads): the file's statuses are ignored, new
    projects are drafts, updated ones keep their editable status, and a file
    that would change a submitted or approved project is refused.
    """
    report = ImportReport()
    departments = {}
    for incoming_data in projects:
        data = incoming_data
        unit_name = department or data.get("department")
        if not unit_name:
            raise ImportFormatError("", f"项目“{data['name']}”没有预算单位，请指定预算单位（--department）。")
        if unit_name not in departments:
            departments[unit_name], _ = Department.objects.get_or_create(name=unit_name)
        unit = departments[unit_name]
        existing = (
            Project.objects.with_tree().filter(year=data["year"], department=unit, name=data["name"]).first()
        )
        if as_drafts:
            data = {**data, "status": existing.status if existing is not None else Status.DRAFT}
        if existing is not None:
            stored = _comparable({**project_to_dict(existing), "budget": existing.budget})
            incoming = _comparable({**data, "status": data.get("status", existing.status)})
            if stored == incoming:
                report.unchanged.append(existing)
                continue
            if as_drafts and not existing.is_editable:
                raise ImportFormatError(
                    f"项目“{data['name']}”",
                    f"该项目{existing.get_status_display()}，不能通过导入修改；请先由审核人退回后再导入。",
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
        project.status = data.get("status", project.status or Status.DRAFT)
        if existing is not None:
            project.version += 1
        project.save()
        replace_goals(project, data["goals"])
        target.append(project)
    return report
