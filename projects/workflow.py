"""The review and approval workflow: states, who may move a project, and the audit.

One-level review (the default):

    草稿 ──提交──▶ 已提交 ──批复──▶ 已批复 ──重新打开──▶ 草稿
                    │
                    └──退回──▶ 已退回 ──提交──▶ 已提交

Two-level review (a year's `YearSetting.two_level`): a 所属单位's project goes
to its 主管部门 first, a 主管部门's own project straight to the finance reviewer:

    草稿 ──提交──▶ 待主管部门审核 ──初审通过──▶ 待财政审核 ──批复──▶ 已批复
                        │                          │
                        └──退回──▶ 已退回 ◀──退回──┘

撤回 takes a submitted project back to where it was submitted from (草稿 or
已退回): only its submitter, and only while no reviewer has acted on it (the
last step is still that 提交).

Submitting needs the `submit` permission, the other steps `review`
(projects/permissions.py: who reviews which state). A step runs under a lock
on the project row, records a `Transition` (with the body in whose name a
review step was taken) and, on approval, the 批复单位 / 批复日期 and an
`ApprovalSnapshot` with the review steps of the round, all in one transaction;
a refused step raises and changes nothing.
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from indicators import checks

from . import permissions
from .documents.data import project_to_dict
from .models import (
    ApprovalSnapshot,
    Department,
    Membership,
    Project,
    Role,
    Scope,
    Status,
    Transition,
    YearSetting,
)

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
    target: str | None  # None: the first state of the year's review route (submit)
    permission: str  # the action of projects/permissions.py that allows this step
    comment_label: str
    comment_required: bool

    def allows(self, status):
        return status in self.sources


REVIEW_SOURCES = (Status.SUBMITTED, Status.PENDING_PARENT, Status.PENDING_FINANCE)

ACTIONS = {
    action.code: action
    for action in (
        Action("submit", "提交", (Status.DRAFT, Status.RETURNED), None, "submit", "说明", False),
        Action(
            "pass", "初审通过", (Status.PENDING_PARENT,), Status.PENDING_FINANCE, "review", "初审意见", False
        ),
        Action(
            "approve",
            "批复",
            (Status.SUBMITTED, Status.PENDING_FINANCE),
            Status.APPROVED,
            "review",
            "批复意见",
            False,
        ),
        Action("return", "退回", REVIEW_SOURCES, Status.RETURNED, "review", "退回意见", True),
        Action("reopen", "重新打开", (Status.APPROVED,), Status.DRAFT, "review", "重新打开原因", True),
        # target None: back to the state the project was submitted from (see withdraw_problem)
        Action("withdraw", "撤回", REVIEW_SOURCES, None, "submit", "撤回原因", False),
    )
}


def submit_target(project):
    """Where 提交 sends `project`: 已提交 (one-level review); with two-level review,
    待主管部门审核 for a 所属单位 and 待财政审核 for a 主管部门's own project."""
    if not YearSetting.of(project.year).two_level:
        return Status.SUBMITTED
    return Status.PENDING_PARENT if project.department.parent_id else Status.PENDING_FINANCE


def actions_for(project, user):
    """The actions `user` may take on `project` in its current state."""
    permitted = permissions.allowed(user, project, {action.permission for action in ACTIONS.values()})
    return [
        action
        for action in ACTIONS.values()
        if action.allows(project.status)
        and action.permission in permitted
        and (action.code != "withdraw" or withdraw_problem(project, user) is None)
    ]


def last_submit(project):
    """The 提交 that started the current round, when no step has followed it (else None)."""
    last = project.transitions.order_by("-at", "-id").first()
    return last if last is not None and last.action == "submit" else None


def last_return(project):
    """The 退回 a returned project waits on (its comment is shown until resubmitted), or None."""
    if project is None or project.pk is None or project.status != Status.RETURNED:
        return None
    return project.transitions.filter(action="return").select_related("user").order_by("-at", "-id").first()


def withdraw_problem(project, user):
    """Why `user` cannot 撤回 `project` now (TransitionError), or None: only the submitter,
    only while the project waits and no reviewer has acted since the 提交."""
    last = project.transitions.select_related("user").order_by("-at", "-id").first()
    if last is None or last.action != "submit":
        done = last.get_action_display() if last is not None else "审核"
        who = (last.body or "审核人") if last is not None else "审核人"
        return TransitionRefused(f"{who}已{done}，项目不能再撤回。")
    if last.user_id != getattr(user, "pk", None):
        name = (last.user.get_full_name() or last.user.get_username()) if last.user else "提交人"
        return TransitionNotAllowed(f"只有提交人（{name}）可以撤回此项目。")
    return None


def _who_may(project, action):
    """Who takes step `action` on a project in its current state, for a refusal."""
    if action.permission != "review":
        return f"本单位（{project.department}）的{permissions.holders(action.permission)}"
    status = project.status
    if status == Status.PENDING_PARENT:
        return f"主管部门（{project.department.authority}）的审核人"
    if status == Status.PENDING_FINANCE:
        return "归口管理的财政审核人"
    if status == Status.APPROVED and YearSetting.of(project.year).two_level:
        return "归口管理的财政审核人"
    return f"本单位（{project.department}）的审核人"


def _actor(transition):
    """Who took a step, as a sentence names them: 鄂州市数据局（沈和） for a review step."""
    user = transition.user
    name = (user.get_full_name() or user.get_username()) if user else ""
    body = getattr(transition, "body", "")  # a monitoring form's steps name no body
    if body:
        return f"{body}（{name}）" if name else body
    return name or "填报人"


def overtaken(subject, action, seen, noun="项目", deed=None):
    """Why a step from a page showing version `seen` of `subject` (a project, or anything
    with `version`, a status and `transitions` that record their version: a monitoring
    form) comes too late: what happened since. `noun` names the subject; `deed(step)`
    says what a step did to it (default: 退回此项目)."""
    since = subject.transitions.select_related("user").filter(version__gt=seen).order_by("-at", "-id").first()
    changed = f"{noun}在您打开页面后已被修改"
    if since is None:  # changed in the editor, not by a workflow step
        return f"{changed}（现为第{subject.version}版），请查看最新内容后再{action.label}。"
    did = deed(since) if deed else f"{since.get_action_display()}此{noun}"
    done = f"{_actor(since)}已于{timezone.localtime(since.at):%Y-%m-%d %H:%M}{did}"
    late = "请查看最新内容后再" if action.allows(subject.status) else "不能再"
    return f"{changed}：{done}，现为“{subject.get_status_display()}”，{late}{action.label}。"


def page_is_stale(subject, version):
    """Whether a page that showed `version` (None: no page's version given) is out of date."""
    return version is not None and str(version).strip() != str(subject.version)


def refuse_stale(subject, action, version, **wording):
    """Raise TransitionRefused saying what happened since, when the page showed an older
    version of `subject` than the stored one (`wording`: overtaken's noun and deed)."""
    if page_is_stale(subject, version):
        seen = str(version).strip()
        raise TransitionRefused(
            overtaken(subject, action, int(seen) if seen.isdigit() else subject.version, **wording)
        )


def guard(project, user, action, version=None):
    """Raise TransitionNotAllowed unless `user` may take `action` on `project` now.

    `version` is the version the user's page showed: a holder of the permission whose
    page is out of date gets a TransitionRefused that says what happened since (the
    project was returned, withdrawn, approved …), not a bare 403; a request that the
    page could never have sent (no such role, a state the page did not show) stays 403."""
    if Project.objects.restrict(user, action.permission).filter(pk=project.pk).exists():
        if action.allows(project.status) and not page_is_stale(project, version):
            return
    elif not Department.objects.restrict(user, action.permission).filter(pk=project.department_id).exists():
        # Not a holder of the permission in this unit at all.
        raise TransitionNotAllowed(f"只有{_who_may(project, action)}可以{action.label}此项目。")
    refuse_stale(project, action, version)
    if not action.allows(project.status):
        raise TransitionNotAllowed(
            f"项目当前状态为“{project.get_status_display()}”，不能{action.label}"
            f"（只有{'、'.join(Status(s).label for s in action.sources)}的项目可以{action.label}）。"
        )
    # A holder in this unit, a fitting state, but not this step's reviewer.
    raise TransitionNotAllowed(
        f"项目当前状态为“{project.get_status_display()}”，应由{_who_may(project, action)}{action.label}。"
    )


def acting_body(project, user, code, from_status):
    """The body in whose name `user` takes review step `code`: the 主管部门 for 初审, the
    finance bureau (the year's `finance_body`) for the finance review, otherwise the
    unit through which the user reviews (the project's unit or its 主管部门)."""
    if code in ("submit", "withdraw"):  # the unit's own steps, not a review
        return ""
    unit = project.department
    if from_status == Status.PENDING_PARENT:
        return unit.authority.name
    finance_body = YearSetting.of(project.year).finance_body
    if from_status == Status.PENDING_FINANCE or user.is_superuser:
        return finance_body
    memberships = Membership.objects.filter(user=user, role__in=(Role.REVIEWER, Role.FINANCE))
    if memberships.filter(role=Role.FINANCE, department_id__in=(unit.pk, unit.parent_id)).exists():
        return finance_body
    reaching_parent = memberships.filter(
        role=Role.REVIEWER, scope=Scope.TREE, department_id=unit.parent_id
    ).exists()
    if unit.parent_id and reaching_parent and not memberships.filter(department_id=unit.pk).exists():
        return unit.parent.name
    return unit.name


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
        # The project's row only: its 主管部门 (an outer join) is read, not locked.
        locked = (
            Project.objects.select_for_update(of=("self",))
            .select_related("department__parent")
            .get(pk=project.pk)
        )
        guard(locked, user, action, version)
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
        if code == "withdraw":
            problem = withdraw_problem(locked, user)
            if problem is not None:
                raise problem
        from_status = locked.status
        target = action.target or (
            last_submit(locked).from_status if code == "withdraw" else submit_target(locked)
        )
        body = acting_body(locked, user, code, from_status)
        locked.status = target
        locked.version += 1
        locked._history_user = user if user.is_authenticated else None
        locked._change_reason = action.label
        fields = ["status", "version", "updated_at"]
        if code in ("approve", "reopen"):
            # What the sheet prints as 批复单位 / 批复日期; a reopened project is not approved.
            approved = code == "approve"
            locked.approval_body = body if approved else ""
            locked.approval_date = timezone.localdate() if approved else None
            fields += ["approval_body", "approval_date"]
        locked.save(update_fields=fields)
        transition = Transition.objects.create(
            project=locked,
            action=code,
            from_status=from_status,
            to_status=target,
            user=locked._history_user,
            comment=comment,
            body=body,
            version=locked.version,
        )
        if code == "approve":
            approved = Project.objects.with_tree().get(pk=locked.pk)
            ApprovalSnapshot.objects.create(
                project=locked,
                data=project_to_dict(approved),
                steps=review_steps(locked),
                version=locked.version,
                approved_by=user,
                approved_by_name=user.get_full_name() or user.get_username(),
                comment=comment,
            )
    project.status, project.version = locked.status, locked.version
    project.approval_body, project.approval_date = locked.approval_body, locked.approval_date
    return transition


def review_steps(project):
    """The review steps of the current round (since the last 提交): 初审 and 批复, as
    the approval snapshot records them."""
    transitions = list(project.transitions.select_related("user").order_by("at", "id"))
    last_submit = max((i for i, t in enumerate(transitions) if t.action == "submit"), default=-1)
    return [
        {
            "action": t.action,
            "label": t.get_action_display(),
            "body": t.body,
            "user": (t.user.get_full_name() or t.user.get_username()) if t.user else "",
            "at": timezone.localtime(t.at).isoformat(),
            "comment": t.comment,
        }
        for t in transitions[last_submit + 1 :]
    ]
