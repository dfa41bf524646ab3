"""`restrict(user, action)`, the one door for permissions, against a table written here.

Every action × every kind of user × every state, for projects of three units: a
主管部门 (鄂州市数据局), one of its 所属单位 (鄂州市政务服务中心) and an unrelated unit
(鄂州市财政局). The table below is written out by hand from the rules (README,
"Permissions"), not computed from projects/permissions.py, so a change to the
rules shows up as a difference here. The year of these projects has one-level
review; what two-level review changes is tested below the table.
"""

import pytest

from projects import permissions
from projects.models import Department, Membership, Project, Role, Scope, Status, YearSetting
from projects.permissions import SYSTEM

UNIT, CHILD, OTHER_UNIT = "鄂州市数据局", "鄂州市政务服务中心", "鄂州市财政局"
UNITS = (UNIT, CHILD, OTHER_UNIT)
ALL = {"draft", "submitted", "pending_parent", "pending_finance", "returned", "approved"}
EDITABLE = {"draft", "returned"}
NONE = set()
# What each reviewer may take a review step on (the workflow then picks the step by state).
REVIEWS = {"submitted", "approved"}  # a 审核人, one-level year: 批复/退回, 重新打开
FIRST_REVIEW = {"submitted", "pending_parent", "approved"}  # … plus 初审 of a 所属单位's project
FINANCE = {"submitted", "pending_finance", "approved"}
EVERY_REVIEW = {"submitted", "pending_parent", "pending_finance", "approved"}

# role -> the states of projects it gets in (鄂州市数据局, 鄂州市政务服务中心, 鄂州市财政局)
EXPECTED = {
    "view": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (ALL, NONE, NONE),
        "other_filler": (NONE, NONE, ALL),
        "reviewer": (ALL, NONE, NONE),
        "other_reviewer": (NONE, NONE, ALL),
        "filler_and_reviewer": (ALL, NONE, NONE),
        "parent_reviewer": (ALL, ALL, NONE),  # scope tree: the 主管部门 and its 所属单位
        "child_filler": (NONE, ALL, NONE),
        "child_reviewer": (NONE, ALL, NONE),
        "finance": (ALL, ALL, NONE),  # 归口管理 鄂州市数据局
        "superuser": (ALL, ALL, ALL),
        "system": (ALL, ALL, ALL),
    },
    "export": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (ALL, NONE, NONE),
        "other_filler": (NONE, NONE, ALL),
        "reviewer": (ALL, NONE, NONE),
        "other_reviewer": (NONE, NONE, ALL),
        "filler_and_reviewer": (ALL, NONE, NONE),
        "parent_reviewer": (ALL, ALL, NONE),
        "child_filler": (NONE, ALL, NONE),
        "child_reviewer": (NONE, ALL, NONE),
        "finance": (ALL, ALL, NONE),
        "superuser": (ALL, ALL, ALL),
        "system": (ALL, ALL, ALL),
    },
    "edit": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (EDITABLE, NONE, NONE),
        "other_filler": (NONE, NONE, EDITABLE),
        "reviewer": (NONE, NONE, NONE),
        "other_reviewer": (NONE, NONE, NONE),
        "filler_and_reviewer": (EDITABLE, NONE, NONE),
        "parent_reviewer": (NONE, NONE, NONE),
        "child_filler": (NONE, EDITABLE, NONE),
        "child_reviewer": (NONE, NONE, NONE),
        "finance": (NONE, NONE, NONE),
        # every unit, but an approved project is reopened first
        "superuser": (EDITABLE, EDITABLE, EDITABLE),
        "system": (ALL, ALL, ALL),  # the command line, e.g. restoring a backup
    },
    "import": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (EDITABLE, NONE, NONE),
        "other_filler": (NONE, NONE, EDITABLE),
        "reviewer": (NONE, NONE, NONE),
        "other_reviewer": (NONE, NONE, NONE),
        "filler_and_reviewer": (EDITABLE, NONE, NONE),
        "parent_reviewer": (NONE, NONE, NONE),
        "child_filler": (NONE, EDITABLE, NONE),
        "child_reviewer": (NONE, NONE, NONE),
        "finance": (NONE, NONE, NONE),
        "superuser": (EDITABLE, EDITABLE, EDITABLE),
        "system": (ALL, ALL, ALL),
    },
    "submit": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (ALL, NONE, NONE),  # the workflow then allows it from 草稿 and 已退回 only
        "other_filler": (NONE, NONE, ALL),
        "reviewer": (NONE, NONE, NONE),
        "other_reviewer": (NONE, NONE, NONE),
        "filler_and_reviewer": (ALL, NONE, NONE),
        "parent_reviewer": (NONE, NONE, NONE),
        "child_filler": (NONE, ALL, NONE),
        "child_reviewer": (NONE, NONE, NONE),
        "finance": (NONE, NONE, NONE),
        "superuser": (ALL, ALL, ALL),
        "system": (ALL, ALL, ALL),
    },
    "review": {
        "anonymous": (NONE, NONE, NONE),
        "inactive": (NONE, NONE, NONE),
        "inactive_superuser": (NONE, NONE, NONE),
        "filler": (NONE, NONE, NONE),
        "other_filler": (NONE, NONE, NONE),
        "reviewer": (REVIEWS, NONE, NONE),
        "other_reviewer": (NONE, NONE, REVIEWS),
        "filler_and_reviewer": (REVIEWS, NONE, NONE),
        # 初审 of the 所属单位's projects; the 主管部门's own go to the finance reviewer
        "parent_reviewer": (REVIEWS, FIRST_REVIEW, NONE),
        # a 所属单位's own 审核人 reviews one-level, never the 主管部门's 初审
        "child_reviewer": (NONE, REVIEWS, NONE),
        "child_filler": (NONE, NONE, NONE),
        "finance": (FINANCE, FINANCE, NONE),
        "superuser": (EVERY_REVIEW, EVERY_REVIEW, EVERY_REVIEW),
        "system": (ALL, ALL, ALL),
    },
}

# The units in which each kind of user holds each action in some state (Department.objects.restrict).
FILLERS = {"filler": {UNIT}, "filler_and_reviewer": {UNIT}, "child_filler": {CHILD}}
MEMBERS = {
    **FILLERS,
    "reviewer": {UNIT},
    "parent_reviewer": {UNIT, CHILD},
    "child_reviewer": {CHILD},
    "finance": {UNIT, CHILD},
}
REVIEWERS = {
    "reviewer": {UNIT},
    "filler_and_reviewer": {UNIT},
    "parent_reviewer": {UNIT, CHILD},
    "child_reviewer": {CHILD},
    "finance": {UNIT, CHILD},
}
EXPECTED_UNITS = {
    "view": MEMBERS,
    "export": MEMBERS,
    "edit": FILLERS,
    "import": FILLERS,
    "submit": FILLERS,
    "review": REVIEWERS,
}
EXPECTED_UNITS = {
    action: {
        **{role: set() for role in EXPECTED["view"]},
        **units,
        "superuser": set(UNITS),
        "system": set(UNITS),
        "other_filler": {OTHER_UNIT} if units.get("filler") else set(),
        "other_reviewer": {OTHER_UNIT} if units.get("reviewer") else set(),
    }
    for action, units in EXPECTED_UNITS.items()
}

ROLES = list(EXPECTED["view"])


@pytest.fixture
def world(db, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    units = {name: Department.objects.create(name=name) for name in (UNIT, OTHER_UNIT)}
    units[CHILD] = Department.objects.create(name=CHILD, parent=units[UNIT])

    def member(username, unit, *roles, scope=Scope.UNIT, **extra):
        user = django_user_model.objects.create_user(username, password=None, **extra)
        for role in roles:
            Membership.objects.create(user=user, department=units[unit], role=role, scope=scope)
        return user

    users = {
        "anonymous": AnonymousUser(),
        "inactive": member("inactive", UNIT, Role.FILLER, Role.REVIEWER, is_active=False),
        "inactive_superuser": member("former_admin", None, is_active=False, is_superuser=True),
        "filler": member("filler", UNIT, Role.FILLER),
        "other_filler": member("other_filler", OTHER_UNIT, Role.FILLER),
        "reviewer": member("reviewer", UNIT, Role.REVIEWER),
        "other_reviewer": member("other_reviewer", OTHER_UNIT, Role.REVIEWER),
        "filler_and_reviewer": member("both", UNIT, Role.FILLER, Role.REVIEWER),
        "parent_reviewer": member("parent_reviewer", UNIT, Role.REVIEWER, scope=Scope.TREE),
        "child_filler": member("child_filler", CHILD, Role.FILLER),
        "child_reviewer": member("child_reviewer", CHILD, Role.REVIEWER),
        "finance": member("finance", UNIT, Role.FINANCE),
        "superuser": django_user_model.objects.create_superuser("root", password=None),
        "system": SYSTEM,
    }
    projects = {
        (unit, status): Project.objects.create(
            year=2025, department=units[unit], name=f"{status}项目", budget=1, status=status
        )
        for unit in UNITS
        for status in Status.values
    }
    return users, projects


def expected_projects(projects, action, role):
    return {
        projects[unit, status].pk
        for unit, states in zip(UNITS, EXPECTED[action][role], strict=True)
        for status in states
    }


def test_the_table_covers_every_action():
    assert set(EXPECTED) == set(permissions.ACTIONS) == set(EXPECTED_UNITS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_restrict_gives_exactly_the_projects_of_the_table(world, action, role):
    users, projects = world
    got = list(Project.objects.restrict(users[role], action).values_list("pk", flat=True))
    assert len(got) == len(set(got)), "a project listed twice"
    assert set(got) == expected_projects(projects, action, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_department_restrict_gives_the_units_of_the_table(world, action, role):
    users, _ = world
    got = list(Department.objects.restrict(users[role], action).values_list("name", flat=True))
    assert len(got) == len(set(got))
    assert set(got) == EXPECTED_UNITS[action][role]


@pytest.mark.parametrize("role", ROLES)
def test_allowed_asks_restrict_for_several_actions_at_once(world, role, django_assert_max_num_queries):
    """The workflow's buttons use `allowed`: one query, the same answers as restrict."""
    users, projects = world
    for project in projects.values():
        with django_assert_max_num_queries(1):
            got = permissions.allowed(users[role], project)
        expected = {action for action in EXPECTED if project.pk in expected_projects(projects, action, role)}
        assert got == expected, (project.department.name, project.status)


def test_restrict_chains_with_other_querysets(world, django_assert_num_queries):
    users, projects = world
    with django_assert_num_queries(1):  # the rule is a subquery, not a query of its own
        found = list(
            Project.objects.filter(year=2025).restrict(users["filler"], "edit").select_related("department")
        )
    assert {p.pk for p in found} == {projects[UNIT, "draft"].pk, projects[UNIT, "returned"].pk}


def test_a_membership_granted_or_removed_applies_at_once(world):
    users, projects = world
    reviewer = users["reviewer"]
    draft = projects[UNIT, "draft"]
    assert not Project.objects.restrict(reviewer, "edit").contains(draft)
    Membership.objects.create(user=reviewer, department=draft.department, role=Role.FILLER)
    assert Project.objects.restrict(reviewer, "edit").contains(draft)
    Membership.objects.filter(user=reviewer).delete()
    assert not Project.objects.restrict(reviewer, "view").exists()


def test_no_user_at_all_may_do_nothing(world):
    for action in EXPECTED:
        assert not Project.objects.restrict(None, action).exists()
        assert not Department.objects.restrict(None, action).exists()


def test_an_unknown_action_is_an_error_not_an_empty_answer(world):
    users, _ = world
    for user in (users["superuser"], users["filler"], SYSTEM, users["anonymous"]):
        with pytest.raises(ValueError, match="unknown action"):
            Project.objects.restrict(user, "approve")
        with pytest.raises(ValueError, match="unknown action"):
            Department.objects.restrict(user, "delete")


# -- what two-level review and scopes change ------------------------------------------


def test_in_a_two_level_year_only_the_finance_reviewer_reopens_an_approval(world):
    users, projects = world
    approved = projects[UNIT, "approved"]
    reviewers = ("reviewer", "parent_reviewer", "filler_and_reviewer")
    assert all(Project.objects.restrict(users[r], "review").contains(approved) for r in reviewers)
    YearSetting.objects.create(year=2025, two_level=True)
    assert not any(Project.objects.restrict(users[r], "review").contains(approved) for r in reviewers)
    assert Project.objects.restrict(users["finance"], "review").contains(approved)
    assert Project.objects.restrict(users["superuser"], "review").contains(approved)
    # other years keep one-level review
    other_year = Project.objects.create(year=2026, department=approved.department, name="次年", budget=1)
    Project.objects.filter(pk=other_year.pk).update(status=Status.APPROVED)
    assert Project.objects.restrict(users["reviewer"], "review").contains(other_year)


def test_a_scope_changed_from_unit_to_tree_reaches_the_units_at_once(world):
    users, projects = world
    reviewer = users["reviewer"]
    child_project = projects[CHILD, "pending_parent"]
    assert not Project.objects.restrict(reviewer, "view").contains(child_project)
    Membership.objects.filter(user=reviewer).update(scope=Scope.TREE)
    assert Project.objects.restrict(reviewer, "view").contains(child_project)
    assert Project.objects.restrict(reviewer, "review").contains(child_project)
    Membership.objects.filter(user=reviewer).update(scope=Scope.UNIT)
    assert not Project.objects.restrict(reviewer, "view").contains(child_project)


def test_a_finance_reviewer_assigned_to_several_departments_sees_all_of_them(world):
    users, _ = world
    finance = users["finance"]
    other = Department.objects.get(name=OTHER_UNIT)
    Membership.objects.create(user=finance, department=other, role=Role.FINANCE)
    assert set(Department.objects.restrict(finance, "view").values_list("name", flat=True)) == set(UNITS)
    assert Project.objects.restrict(finance, "view").count() == len(UNITS) * len(Status.values)
    assert not Project.objects.restrict(finance, "edit").exists()
    assert not Project.objects.restrict(finance, "submit").exists()
