"""Who may do what, in one place: the rule table and the one bypass.

Every question "may this user act on this project (or in this unit)?" is asked
through `Project.objects.restrict(user, action)` or
`Department.objects.restrict(user, action)` (NetBox's `RestrictedQuerySet`):
views, exports, imports, the workflow, the queue, template tags, commands and
the admin. Both apply the filters built here, so the rule is written once.

An action is granted by a membership (`Membership`) with one of the rule's
roles in the project's unit, and only while the project is in one of the
rule's states (when the rule names any). The workflow still checks whether a
step fits the state (only a submitted project can be approved); the states
here say which projects an action may touch at all.

Active superusers act in every unit, but the state filters hold for them too:
nobody edits an approved project in the editor, an import or the admin; it is
reopened first. `SYSTEM` is the operator at the command line (management
commands): it may do everything, in every state, e.g. restore a backup over an
approved project. Anonymous and inactive users may do nothing.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from .models import Membership, Project, Role


class _System:
    """The operator at the command line. Not a user: nothing is recorded under its name."""

    def __repr__(self):
        return "permissions.SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class Rule:
    roles: tuple  # a membership with one of these roles in the unit grants the action
    statuses: tuple | None  # the project states the action applies to (None: every state)


EDITABLE = Project.EDITABLE_STATUSES  # 草稿, 已退回
MEMBERS = (Role.FILLER, Role.REVIEWER)

RULES = {
    # See the project, its sheet, its history and its approvals.
    "view": Rule(MEMBERS, None),
    # Print and download the sheet, export the list.
    "export": Rule(MEMBERS, None),
    # Change the content (editor, admin); for units: create projects there.
    "edit": Rule((Role.FILLER,), EDITABLE),
    # Which stored projects an import may overwrite; for units: import or paste into.
    "import": Rule((Role.FILLER,), EDITABLE),
    # 提交 (the workflow checks that the project is a draft or returned).
    "submit": Rule((Role.FILLER,), None),
    # 批复, 退回, 重新打开 (the workflow checks the state of each step).
    "review": Rule((Role.REVIEWER,), None),
}

ACTIONS = tuple(RULES)


def rule(action):
    try:
        return RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}") from None


def holders(action):
    """Who holds `action` in a unit, as the pages name them (填报人, 审核人)."""
    return "或".join(Role(role).label for role in rule(action).roles)


def _is_person(actor):
    """A signed-in, active user (None, anonymous and deactivated users are nobody)."""
    return actor is not None and actor is not SYSTEM and actor.is_authenticated and actor.is_active


def _everywhere(actor):
    """THE bypass: the command line and active superusers act in every unit."""
    return actor is SYSTEM or (_is_person(actor) and actor.is_superuser)


def unit_condition(actor, action, field="pk"):
    """A Q on `field` (a department id) for the units where `actor` holds `action`;
    `Q()` for every unit, None for none."""
    granted_by = rule(action).roles
    if _everywhere(actor):
        return Q()
    if not _is_person(actor):
        return None
    memberships = Membership.objects.filter(user=actor, role__in=granted_by)
    return Q(**{f"{field}__in": memberships.values("department_id")})


def project_condition(actor, action):
    """A Q on Project for the projects `actor` may `action`; None for none."""
    if actor is SYSTEM:
        rule(action)
        return Q()
    condition = unit_condition(actor, action, field="department_id")
    statuses = rule(action).statuses
    if condition is not None and statuses is not None:
        condition &= Q(status__in=statuses)
    return condition


def allowed(actor, project, actions=ACTIONS):
    """The actions among `actions` that `actor` may take on `project`: `restrict`,
    asked of one project for several actions at once (one query at most)."""
    if all(project_condition(actor, action) is None for action in actions):
        return set()
    flags = {
        f"may_{action}": Exists(Project.objects.restrict(actor, action).order_by().filter(pk=OuterRef("pk")))
        for action in actions
    }
    row = Project.objects.order_by().filter(pk=project.pk).values(**flags).first() or {}
    return {action for action in actions if row.get(f"may_{action}")}
