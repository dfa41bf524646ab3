"""`restrict(user, action)`, the one door for permissions, against a table written here.

Every action × every kind of user × every state, for a project of the user's unit
and one of another unit. The table below is written out by hand from the rules
(README, "Permissions"), not computed from projects/permissions.py, so a change
to the rules shows up as a difference here.
"""

import pytest

from projects import permissions
from projects.models import Department, Membership, Project, Role, Status
from projects.permissions import SYSTEM

UNIT, OTHER_UNIT = "鄂州市数据局", "鄂州市财政局"
ALL = {"draft", "submitted", "returned", "approved"}
EDITABLE = {"draft", "returned"}
NONE = set()

# role -> (states of its own unit's projects it gets, states of the other unit's)
# "own unit" is 鄂州市数据局 for everyone but other_filler / other_reviewer (鄂州市财政局).
EXPECTED = {
    "view": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (ALL, NONE),
        "other_filler": (ALL, NONE),
        "reviewer": (ALL, NONE),
        "other_reviewer": (ALL, NONE),
        "filler_and_reviewer": (ALL, NONE),
        "superuser": (ALL, ALL),
        "system": (ALL, ALL),
    },
    "export": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (ALL, NONE),
        "other_filler": (ALL, NONE),
        "reviewer": (ALL, NONE),
        "other_reviewer": (ALL, NONE),
        "filler_and_reviewer": (ALL, NONE),
        "superuser": (ALL, ALL),
        "system": (ALL, ALL),
    },
    "edit": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (EDITABLE, NONE),
        "other_filler": (EDITABLE, NONE),
        "reviewer": (NONE, NONE),
        "other_reviewer": (NONE, NONE),
        "filler_and_reviewer": (EDITABLE, NONE),
        "superuser": (EDITABLE, EDITABLE),  # every unit, but an approved project is reopened first
        "system": (ALL, ALL),  # the command line, e.g. restoring a backup
    },
    "import": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (EDITABLE, NONE),
        "other_filler": (EDITABLE, NONE),
        "reviewer": (NONE, NONE),
        "other_reviewer": (NONE, NONE),
        "filler_and_reviewer": (EDITABLE, NONE),
        "superuser": (EDITABLE, EDITABLE),
        "system": (ALL, ALL),
    },
    "submit": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (ALL, NONE),  # the workflow then allows it from 草稿 and 已退回 only
        "other_filler": (ALL, NONE),
        "reviewer": (NONE, NONE),
        "other_reviewer": (NONE, NONE),
        "filler_and_reviewer": (ALL, NONE),
        "superuser": (ALL, ALL),
        "system": (ALL, ALL),
    },
    "review": {
        "anonymous": (NONE, NONE),
        "inactive": (NONE, NONE),
        "inactive_superuser": (NONE, NONE),
        "filler": (NONE, NONE),
        "other_filler": (NONE, NONE),
        "reviewer": (ALL, NONE),
        "other_reviewer": (ALL, NONE),
        "filler_and_reviewer": (ALL, NONE),
        "superuser": (ALL, ALL),
        "system": (ALL, ALL),
    },
}

# The units in which each kind of user holds each action (Department.objects.restrict).
EXPECTED_UNITS = {
    "view": {"filler": {UNIT}, "reviewer": {UNIT}, "filler_and_reviewer": {UNIT}},
    "export": {"filler": {UNIT}, "reviewer": {UNIT}, "filler_and_reviewer": {UNIT}},
    "edit": {"filler": {UNIT}, "reviewer": set(), "filler_and_reviewer": {UNIT}},
    "import": {"filler": {UNIT}, "reviewer": set(), "filler_and_reviewer": {UNIT}},
    "submit": {"filler": {UNIT}, "reviewer": set(), "filler_and_reviewer": {UNIT}},
    "review": {"filler": set(), "reviewer": {UNIT}, "filler_and_reviewer": {UNIT}},
}
for units in EXPECTED_UNITS.values():
    units.update(anonymous=set(), inactive=set(), inactive_superuser=set())
    units.update(superuser={UNIT, OTHER_UNIT}, system={UNIT, OTHER_UNIT})
    units.update(other_filler={OTHER_UNIT} if units["filler"] else set())
    units.update(other_reviewer={OTHER_UNIT} if units["reviewer"] else set())

ROLES = list(EXPECTED["view"])
OWN_UNIT = {"other_filler": OTHER_UNIT, "other_reviewer": OTHER_UNIT}


@pytest.fixture
def world(db, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    units = {name: Department.objects.create(name=name) for name in (UNIT, OTHER_UNIT)}

    def member(username, unit, *roles, **extra):
        user = django_user_model.objects.create_user(username, password=None, **extra)
        for role in roles:
            Membership.objects.create(user=user, department=units[unit], role=role)
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
        "superuser": django_user_model.objects.create_superuser("root", password=None),
        "system": SYSTEM,
    }
    projects = {
        (unit, status): Project.objects.create(
            year=2025, department=units[unit], name=f"{status}项目", budget=1, status=status
        )
        for unit in (UNIT, OTHER_UNIT)
        for status in Status.values
    }
    return users, projects


def expected_projects(projects, action, role):
    own_unit = OWN_UNIT.get(role, UNIT)
    other_unit = UNIT if own_unit == OTHER_UNIT else OTHER_UNIT
    own, other = EXPECTED[action][role]
    return {projects[own_unit, s].pk for s in own} | {projects[other_unit, s].pk for s in other}


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
