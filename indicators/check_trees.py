"""Light read-only project trees for checking many projects at once.

`check_projects` over a year (20,000 projects, 400,000 rows) spent most of its
time building Django model instances and related managers it never needed. The
trees here are loaded with `values_list()` — three queries per chunk of
projects — into plain objects offering exactly what the review checks read:

- project: pk, name, year, budget, rationale, department.name, goals.all(), long_goals, annual_goals
- goal: pk, project_id, term, position, name, text, indicators.all()
- row: pk, goal_id, position, level1, level2, level3, value, comparator, number, unit, basis,
  and what the indicator library knows of its name (`Indicator.objects.with_library()`)

Field values come through the same database converters as model fields, and
goals and rows come in the models' default ordering (as `with_tree()`
prefetches them), so every rule gives the same findings on either.
tests/test_check_trees.py runs both over generated data and compares.
"""

from collections import namedtuple
from itertools import islice

from indicators.models import Indicator
from indicators.past import attach_past
from projects.models import Goal

ROW_FIELDS = ("pk", "goal_id", "position", "level1", "level2", "level3", "value")
ROW_FIELDS += ("comparator", "number", "unit", "basis", "library_unit", "library_projects")
GOAL_FIELDS = ("pk", "project_id", "term", "position", "name", "text")
PROJECT_FIELDS = ("pk", "name", "year", "budget", "rationale", "department__name")


class Related(tuple):
    """A loaded relation: `goal.indicators.all()` as on a prefetched model."""

    __slots__ = ()

    def all(self):
        return self


# Tuples: built straight from the database rows, attributes read by C code.
Row = namedtuple("Row", ROW_FIELDS)
TreeGoal = namedtuple("TreeGoal", (*GOAL_FIELDS, "indicators"))


class TreeDepartment:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


class TreeProject:
    # _check_rows/_check_filled_rows: set by check_project for the length of a run.
    __slots__ = (
        "_check_filled_rows",
        "_check_rows",
        "budget",
        "department",
        "goals",
        "last_year",
        "name",
        "pk",
        "rationale",
        "year",
    )

    def __init__(self, values, department, goals):
        self.pk, self.name, self.year, self.budget, self.rationale, _ = values
        self.department = department
        self.goals = goals

    def __str__(self):
        return f"{self.year}年 {self.name}"

    def goals_of(self, term):
        return [goal for goal in self.goals if goal.term == term]

    @property
    def long_goals(self):
        return self.goals_of(Goal.Term.LONG)

    @property
    def annual_goals(self):
        return self.goals_of(Goal.Term.ANNUAL)


def project_trees(queryset, chunk_size=2000):
    """The projects of `queryset` in its order, as light trees, loaded chunk by chunk.

    One query for the projects (read chunk by chunk), two per chunk (goals,
    rows); only one chunk's trees are held at a time (unless the caller keeps them).
    """
    projects = queryset.prefetch_related(None).values_list(*PROJECT_FIELDS)
    departments = {}
    iterator = projects.iterator(chunk_size=chunk_size)
    while chunk := list(islice(iterator, chunk_size)):
        ids = [project[0] for project in chunk]
        rows_by_goal = {}
        for row in map(
            Row._make,
            Indicator.objects.with_library().filter(goal__project_id__in=ids).values_list(*ROW_FIELDS),
        ):
            rows_by_goal.setdefault(row.goal_id, []).append(row)
        goals_by_project = {pk: [] for pk in ids}
        for values in Goal.objects.filter(project_id__in=ids).values_list(*GOAL_FIELDS):
            goal = TreeGoal(*values, Related(rows_by_goal.get(values[0], ())))
            goals_by_project[goal.project_id].append(goal)
        trees = []
        for values in chunk:
            department_name = values[-1]
            department = departments.get(department_name)
            if department is None:
                department = departments[department_name] = TreeDepartment(department_name)
            trees.append(TreeProject(values, department, Related(goals_by_project[values[0]])))
        yield from attach_past(trees)  # last year's self-evaluations: one query per chunk
