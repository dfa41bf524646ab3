"""The review and approval workflow: states, who may move a project, and the audit.

    草稿 ──提交──▶ 已提交 ──批复──▶ 已批复 ──重新打开──▶ 草稿
                    │
                    └──退回──▶ 已退回 ──提交──▶ 已提交

Submitting belongs to the unit's 填报人, the other steps to the unit's 审核人;
superusers may do everything. A step runs under a lock on the project row,
records a `Transition` and, on approval, an `ApprovalSnapshot`, all in one
transaction; a refused step raises and changes nothing.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators import checks

from .documents.data import project_to_dict
from .models import ApprovalSnapshot, Membership, Project, Role, Status, Transition

logger = logging.getLogger("perfgoals.workflow")


class TransitionError(Exception):
    """A workflow step that was refused; `message` says why, in Chinese."""

    def __init__(self, message, findings=()):
        self.message = message
        self.findings = list(findings)
        super().__init__(message)


class TransitionNotAllowed(TransitionError, PermissionDenied):
    """Wrong role or wrong state: a forged or stale request (403)."""


class TransitionRefused(TransitionError):
    """Allowed in principle but not now: missing comment, check errors, stale page."""


class WarningsNotConfirmed(TransitionRefused):
    """The review checks gave warnings that the submitter has not confirmed."""


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sources: tuple
    target: str
    role: str
    comment_label: str
    comment_required: bool

    def allows(self, status):
        return status in self.sources


ACTIONS = {
    action.code: action
    for action in (
        Action(
            "submit", "提交", (Status.DRAFT, Status.RETURNED), Status.SUBMITTED, Role.FILLER, "说明", False
        ),
        Action("approve", "批复", (Status.SUBMITTED,), Status.APPROVED, Role.REVIEWER, "批复意见", False),
        Action("return", "退回", (Status.SUBMITTED,), Status.RETURNED, Role.REVIEWER, "退回意见", True),
        Action("reopen", "重新打开", (Status.APPROVED,), Status.DRAFT, Role.REVIEWER, "重新打开原因", True),
    )
}


def has_role(user, department_id, role):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, department_id=department_id, role=role).exists()


def is_reviewer(user):
    """Whether `user` reviews any unit (superusers review all)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.REVIEWER).exists()


def actions_for(project, user):
    """The actions `user` may take on `project` in its current state."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        roles = set(Role.values)
    else:
        memberships = Membership.objects.filter(user=user, department_id=project.department_id)
        roles = set(memberships.values_list("role", flat=True))
    return [action for action in ACTIONS.values() if action.allows(project.status) and action.role in roles]


def guard(project, user, action):
    """Raise TransitionNotAllowed unless `user` may take `action` on `project` now."""
    if not has_role(user, project.department_id, action.role):
        raise TransitionNotAllowed(
            f"只有本单位（{project.department}）的{Role(action.role).label}可以{action.label}此项目。"
        )
    if not action.allows(project.status):
        raise TransitionNotAllowed(
            f"项目当前状态为“{project.get_status_display()}”，不能{action.label}"
            f"（只有{'、'.join(Status(s).label for s in action.sources)}的项目可以{action.label}）。"
        )


def perform(project, user, code, comment="", *, confirm_warnings=False, version=None):
    """Take workflow step `code` on `project` as `user`; return the Transition.

    `version`, when given, is the version the user saw: if the project changed
    since, the step is refused so nobody approves what they did not read.
    """
    action = ACTIONS[code]
    comment = (comment or "").strip()
    try:
        return _perform(project, user, action, comment, confirm_warnings=confirm_warnings, version=version)
    except TransitionError as exc:
        logger.warning(
            "workflow step refused: %s project=%s user=%s: %s",
            code,
            project.pk,
            getattr(user, "username", None) or "anonymous",
            exc.message,
        )
        raise


def _perform(project, user, action, comment, *, confirm_warnings, version):
    code = action.code
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("department").get(pk=project.pk)
        guard(locked, user, action)
        if version is not None and str(version).strip() != str(locked.version):
            raise TransitionRefused(
                f"项目在您打开页面后已被修改（现为第{locked.version}版），请查看最新内容后再{action.label}。"
            )
        if action.comment_required and not comment:
            raise TransitionRefused(f"请填写{action.comment_label}。")
        if code == "submit":
            findings = checks.check_project(Project.objects.with_tree().get(pk=locked.pk))
            found_errors = checks.errors(findings)
            if found_errors:
                raise TransitionRefused(
                    f"审核检查发现{len(found_errors)}个错误，请修改后再提交：", findings=found_errors
                )
            found_warnings = checks.warnings(findings)
            if found_warnings and not confirm_warnings:
                raise WarningsNotConfirmed(
                    f"审核检查有{len(found_warnings)}个提示，请阅读并勾选确认后再提交：",
                    findings=found_warnings,
                )
        from_status = locked.status
        locked.status = action.target
        locked.version += 1
        locked._history_user = user if user.is_authenticated else None
        locked._change_reason = action.label
        locked.save(update_fields=["status", "version", "updated_at"])
        transition = Transition.objects.create(
            project=locked,
            action=code,
            from_status=from_status,
            to_status=action.target,
            user=locked._history_user,
            comment=comment,
            version=locked.version,
        )
        if code == "approve":
            approved = Project.objects.with_tree().get(pk=locked.pk)
            ApprovalSnapshot.objects.create(
                project=locked,
                data=project_to_dict(approved),
                version=locked.version,
                approved_by=user,
                approved_by_name=user.get_full_name() or user.get_username(),
                comment=comment,
            )
    project.status, project.version = locked.status, locked.version
    return transition
