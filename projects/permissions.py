"""Who may do what, in one place: the rule table and the one bypass.

Every question "may this user act on this project (or in this unit)?" is asked
through `Project.objects.restrict(user, action)` or
`Department.objects.restrict(user, action)` (NetBox's `RestrictedQuerySet`):
views, exports, imports, the workflow, the queue, template tags, commands and
the admin. Both apply the filters built here, so the rule is written once.

An action is granted by a membership (`Membership`) with one of the rule's
roles that reaches the project's unit: a membership reaches its own unit, and
with scope `tree` (本单位及所属单位; always for a 财政审核人) also the 所属单位
of that unit. A grant may be limited to some states (the review steps: a
主管部门's 审核人 reviews 已提交 and 待主管部门审核, a 财政审核人 already
已提交 and 待财政审核), to reach through the 主管部门 only (初审), or to years of
one-level review (a 审核人 reopens an approval only where no finance reviewer
gave it). The workflow still checks whether a step fits the state (only a
submitted project can be approved); the states here say which projects an
action may touch at all.

Active superusers act in every unit, but the state filters hold for them too:
nobody edits an approved project in the editor, an import or the admin; it is
reopened first. `SYSTEM` is the operator at the command line (management
commands): it may do everything, in every state, e.g. restore a backup over an
approved project. Anonymous and inactive users may do nothing. Administrators
(`may_administer`: active superusers) also manage units, users and years.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from .models import Membership, Project, Role, Status


class _System:
    """The operator at the command line. Not a user: nothing is recorded under its name."""

    def __repr__(self):
        return "permissions.SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class Grant:
    role: str  # a membership with this role that reaches the project's unit grants the action
    statuses: tuple | None = None  # the project states it applies to (None: every state)
    via_parent: bool = False  # reach only through a tree membership of the project's 主管部门
    one_level_only: bool = False  # only for projects of years without two-level review


@dataclass(frozen=True)
class Rule:
    grants: tuple

    @property
    def roles(self):
        return tuple(dict.fromkeys(grant.role for grant in self.grants))


EDITABLE = Project.EDITABLE_STATUSES  # 草稿, 已退回
MEMBERS = (Grant(Role.FILLER), Grant(Role.REVIEWER), Grant(Role.FINANCE))

RULES = {
    # See the project, its sheet, its history and its approvals.
    "view": Rule(MEMBERS),
    # Print and download the sheet, export the list.
    "export": Rule(MEMBERS),
    # Change the content (editor, admin); for units: create projects there.
    "edit": Rule((Grant(Role.FILLER, EDITABLE),)),
    # Which stored projects an import may overwrite; for units: import or paste into.
    "import": Rule((Grant(Role.FILLER, EDITABLE),)),
    # 提交 (the workflow checks that the project is a draft or returned).
    "submit": Rule((Grant(Role.FILLER),)),
    # The review steps (the workflow checks which step fits the state) and the 待审核 queue.
    "review": Rule(
        (
            # one-level review: 批复, 退回 (the unit's 审核人, or its 主管部门's with scope tree)
            Grant(Role.REVIEWER, (Status.SUBMITTED,)),
            # two-level review, 初审 (通过, 退回): the 主管部门's 审核人 only
            Grant(Role.REVIEWER, (Status.PENDING_PARENT,), via_parent=True),
            # 重新打开 what a 审核人 approved: years of one-level review only
            Grant(Role.REVIEWER, (Status.APPROVED,), one_level_only=True),
            # the finance reviewer of the 主管部门: 批复, 退回, 重新打开 in either mode
            Grant(Role.FINANCE, (Status.SUBMITTED, Status.PENDING_FINANCE, Status.APPROVED)),
        )
    ),
}

ACTIONS = tuple(RULES)


def rule(action):
    try:
        return RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}") from None


def holders(action):
    """Who holds `action` in a unit, as the pages name them (填报人, 审核人)."""
    return "或".join(Role(role).label for role in rule(action).roles if role != Role.FINANCE)


def _is_person(actor):
    """A signed-in, active user (None, anonymous and deactivated users are nobody)."""
    return actor is not None and actor is not SYSTEM and actor.is_authenticated and actor.is_active


def _everywhere(actor):
    """THE bypass: the command line and active superusers act in every unit."""
    return actor is SYSTEM or (_is_person(actor) and actor.is_superuser)


def may_administer(actor):
    """Whether `actor` manages units, users and year settings (active superusers)."""
    return _is_person(actor) and actor.is_superuser


def _table(model):
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _reached_units(actor, roles, via_parent=False):
    """A subquery of department ids: the units the actor's memberships with `roles` reach
    (their own units, and the 所属单位 of tree memberships; only the latter with `via_parent`).

    Written as SQL because it is the innermost part of every permission question: a page
    asks several (`allowed` six at once), and compiling nested querysets each time cost
    more than the queries themselves.
    """
    from .models import Department, Scope

    members, units = _table(Membership), _table(Department)
    roles = sorted(roles)
    among = ", ".join(["%s"] * len(roles))
    sql = (
        f"SELECT id FROM {units} WHERE parent_id IN (SELECT department_id FROM {members} "
        f"WHERE user_id = %s AND role IN ({among}) AND scope = %s)"
    )
    params = [actor.pk, *roles, Scope.TREE.value]
    if not via_parent:
        sql += f" OR id IN (SELECT department_id FROM {members} WHERE user_id = %s AND role IN ({among}))"
        params += [actor.pk, *roles]
    return RawSQL(sql, params)


def unit_condition(actor, action, field="pk"):
    """A Q on `field` (a department id) for the units where `actor` holds `action`
    (in some state); `Q()` for every unit, None for none."""
    grants = rule(action).grants
    if _everywhere(actor):
        return Q()
    if not _is_person(actor):
        return None
    roles = tuple({grant.role for grant in grants})
    return Q(**{f"{field}__in": _reached_units(actor, roles)})


def _grant_condition(grant):
    """The part of a grant that is about the project, not the person: states and year."""
    from .models import YearSetting

    condition = Q()
    if grant.statuses is not None:
        condition &= Q(status__in=grant.statuses)
    if grant.one_level_only:
        two_level = RawSQL(f"SELECT year FROM {_table(YearSetting)} WHERE two_level = %s", [True])
        condition &= ~Q(year__in=two_level)
    return condition


def project_condition(actor, action):
    """A Q on Project for the projects `actor` may `action`; None for none."""
    grants = rule(action).grants
    if actor is SYSTEM:
        return Q()
    if not _is_person(actor):
        return None
    # Grants that differ only by role share one condition (one subquery for all their roles).
    grouped = {}
    for grant in grants:
        key = (grant.statuses, grant.via_parent, grant.one_level_only)
        grouped.setdefault(key, (grant, []))[1].append(grant.role)
    conditions = []
    for grant, roles in grouped.values():
        where = _grant_condition(grant)
        if not actor.is_superuser:
            where &= Q(department_id__in=_reached_units(actor, tuple(roles), grant.via_parent))
        elif not where:
            return Q()  # a superuser, and a grant without conditions: every project
        conditions.append(where)
    condition = conditions[0]
    for where in conditions[1:]:
        condition |= where
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
