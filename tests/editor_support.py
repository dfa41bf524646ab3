"""Helpers for the editor, list, paste and copy tests (users, POST data, seed text)."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from projects.models import Department, Goal, Membership, Project, Role
from projects.services import replace_goals

from .conftest import SEED_TEXT

PASSWORD = "a-long-test-password-1"


def make_user(username, department=None, role=Role.FILLER):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    if department is not None:
        Membership.objects.create(user=user, department=department, role=role)
    return user


def make_project(department, name, year=2025, budget="10", **fields):
    project = Project.objects.create(
        year=year, department=department, name=name, budget=Decimal(budget), **fields
    )
    replace_goals(
        project,
        [
            {
                "term": Goal.Term.ANNUAL,
                "name": "年度绩效目标1",
                "text": "",
                "indicators": [
                    {
                        "level1": "产出指标",
                        "level2": "数量指标",
                        "level3": f"{name}指标",
                        "value": "1个",
                        "basis": "计划标准",
                    }
                ],
            }
        ],
    )
    return project


def unit(name):
    return Department.objects.get_or_create(name=name)[0]


ROW_KEYS = ("level1", "level2", "level3", "value", "basis")


def editor_data(
    project=None,
    *,
    department,
    year=2025,
    name="测试项目",
    budget="12.5",
    project_type="recurring",
    funding=("appropriation",),
    rationale="依据",
    goals=(),
    version=None,
):
    """The POST of the editor page: basic fields, goal formset, one row formset per goal.

    `goals` is a list of dicts {term, text, rows: [dict or tuple], deleted?, position?, id?};
    a row may carry `position`, `DELETE` and `id` (the stored row it shows) to test order,
    deletion and identity.
    """
    data = {
        "department": str(department.pk),
        "year": str(year),
        "name": name,
        "budget": budget,
        "project_type": project_type,
        "funding": list(funding),
        "rationale": rationale,
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
    }
    if version is not None:
        data["version"] = str(version)
    elif project is not None:
        data["version"] = str(project.version)
    for g, goal in enumerate(goals):
        data[f"goals-{g}-term"] = goal["term"]
        data[f"goals-{g}-text"] = goal.get("text", "")
        data[f"goals-{g}-position"] = str(goal.get("position", g + 1))
        if goal.get("deleted"):
            data[f"goals-{g}-DELETE"] = "on"
        if "id" in goal:
            data[f"goals-{g}-id"] = str(goal["id"] or "")
        rows = goal.get("rows", [])
        data.update(
            {
                f"g{g}-TOTAL_FORMS": str(len(rows)),
                f"g{g}-INITIAL_FORMS": "0",
                f"g{g}-MIN_NUM_FORMS": "0",
                f"g{g}-MAX_NUM_FORMS": "1000",
            }
        )
        for r, given in enumerate(rows):
            row = dict(zip(ROW_KEYS, given, strict=True)) if isinstance(given, (tuple, list)) else given
            for key in ROW_KEYS:
                data[f"g{g}-{r}-{key}"] = row.get(key, "")
            data[f"g{g}-{r}-position"] = str(row.get("position", r + 1))
            if row.get("DELETE"):
                data[f"g{g}-{r}-DELETE"] = "on"
            if "id" in row:
                data[f"g{g}-{r}-id"] = str(row["id"] or "")
    return data


def seed_sheet(name):
    """The text of one sheet of the seed file: from its title to the next title."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    blocks = text.split("2025年项目支出绩效目标批复")
    for block in blocks:
        if f"项目名称\t{name}\t" in block:
            return "2025年项目支出绩效目标批复" + block
    raise LookupError(name)


def stored_editor_data(project):
    """The POST of the editor page as loaded for a stored project (goals and rows with their ids)."""
    project = Project.objects.with_tree().get(pk=project.pk)
    goals = [
        {
            "term": goal.term,
            "text": goal.text,
            "id": goal.pk,
            "rows": [
                {**{key: getattr(row, key) for key in ROW_KEYS}, "id": row.pk}
                for row in goal.indicators.all()
            ],
        }
        for goal in project.goals.all()
    ]
    return editor_data(
        project,
        department=project.department,
        year=project.year,
        name=project.name,
        budget=str(project.budget),
        project_type=project.project_type,
        funding=project.funding,
        rationale=project.rationale,
        goals=goals,
    )


def seed_sheet_names():
    """The project names of the seed file, in order."""
    import re

    return re.findall(r"^项目名称\t([^\t\n]+)", SEED_TEXT.read_text(encoding="utf-8"), re.M)
