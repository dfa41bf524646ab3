"""Template helpers so the project page shows the workflow and history without view changes."""

from django import template

from indicators import checks

from .. import permissions, workflow
from ..history import project_history
from ..models import Department

register = template.Library()


@register.simple_tag
def workflow_panel(project, user, findings=None):
    """What the workflow box on the project page needs for `user`; `findings` are the
    page's own review findings when it already ran the checks (they are not run twice)."""
    actions = workflow.actions_for(project, user)
    if not any(action.code == "submit" for action in actions):
        findings = []
    elif not isinstance(findings, list):  # not given (a template's missing variable is "")
        findings = checks.check_project(project)
    return {
        "actions": actions,
        "errors": checks.errors(findings),
        "warnings": checks.warnings(findings),
        "snapshots": list(project.snapshots.all()),
    }


@register.simple_tag
def return_note(project):
    """The reviewer's 退回 of a returned project (shown atop its page and editor), or None."""
    return workflow.last_return(project)


@register.simple_tag
def history_of(project):
    return project_history(project)


@register.simple_tag
def nav_roles(user):
    """{"edit": …, "review": …}: whether `user` edits (我的待办) or reviews (待审核) in any
    unit, for the top bar, asked in one query."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists

    if not getattr(user, "pk", None):
        return {"edit": False, "review": False}
    flags = {action: Exists(Department.objects.restrict(user, action)) for action in ("edit", "review")}
    return get_user_model().objects.filter(pk=user.pk).values(**flags).first() or {}


@register.filter
def may(user, action):
    """Whether `user` may `action` in any unit: `{% if user|may:"review" %}`."""
    return Department.objects.restrict(user, action).exists()


@register.filter
def may_administer(user):
    """Whether `user` manages units, users and years: `{% if user|may_administer %}`."""
    return permissions.may_administer(user)
