"""The monitoring form's workflow: the unit's 填报人 submits, its 审核人 confirms or
returns with a comment.

    草稿 ──提交──▶ 已提交 ──确认──▶ 已确认
                    │
                    └──退回──▶ 已退回 ──提交──▶ 已提交

Like the targets' workflow (`projects.workflow`, whose rules and errors this
reuses): a step runs under a lock on the form, checks role, state and the page's
version, records a `FormTransition`, all in one transaction; a refused step
raises and changes nothing. Submitting requires a complete form (`problems`).
"""

from django.db import transaction

from projects.models import Role
from projects.workflow import Action, TransitionNotAllowed, TransitionRefused, has_role

from .models import FormStatus, FormTransition, ResultForm

ACTIONS = {
    action.code: action
    for action in (
        Action(
            "submit",
            "提交",
            (FormStatus.DRAFT, FormStatus.RETURNED),
            FormStatus.SUBMITTED,
            Role.FILLER,
            "说明",
            False,
        ),
        Action(
            "confirm", "确认", (FormStatus.SUBMITTED,), FormStatus.CONFIRMED, Role.REVIEWER, "审核意见", False
        ),
        Action(
            "return", "退回", (FormStatus.SUBMITTED,), FormStatus.RETURNED, Role.REVIEWER, "退回意见", True
        ),
    )
}


class FormIncomplete(TransitionRefused):
    """The form lacks values, reasons or measures; `findings` lists them."""


def actions_for(form, user, roles=None):
    """The actions `user` may take on `form` now. `roles`: the user's roles in the
    form's unit when already known (the page reads them once)."""
    if not user.is_authenticated:
        return []
    if roles is None:
        roles = {role for role in Role.values if has_role(user, form.project.department_id, role)}
    return [action for action in ACTIONS.values() if action.allows(form.status) and action.role in roles]


def guard(form, user, action):
    department_id = form.project.department_id
    if not has_role(user, department_id, action.role):
        raise TransitionNotAllowed(
            f"只有本单位（{form.department_name}）的{Role(action.role).label}可以{action.label}此监控表。"
        )
    if not action.allows(form.status):
        raise TransitionNotAllowed(
            f"监控表当前状态为“{form.get_status_display()}”，不能{action.label}"
            f"（只有{'、'.join(FormStatus(s).label for s in action.sources)}的监控表可以{action.label}）。"
        )


def perform(form, user, code, comment="", *, version=None):
    """Take workflow step `code` on `form` as `user`; return the FormTransition."""
    action = ACTIONS[code]
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = ResultForm.objects.select_for_update().select_related("round", "project").get(pk=form.pk)
        guard(locked, user, action)
        if version is not None and str(version).strip() != str(locked.version):
            raise TransitionRefused(
                f"监控表在您打开页面后已被修改（现为第{locked.version}版），请查看最新内容后再{action.label}。"
            )
        if action.comment_required and not comment:
            raise TransitionRefused(f"请填写{action.comment_label}。")
        if code == "submit":
            rows = locked.evaluate()
            found = locked.problems(rows)
            if found:
                raise FormIncomplete(f"监控表还有{len(found)}处需要填写，请补充后再提交：", findings=found)
        from_status = locked.status
        locked.status = action.target
        locked.version += 1
        locked._history_user = user
        locked._change_reason = action.label
        locked.save(update_fields=["status", "version", "updated_at"])
        transition = FormTransition.objects.create(
            form=locked,
            action=code,
            from_status=from_status,
            to_status=action.target,
            user=user,
            comment=comment,
            version=locked.version,
        )
    form.status, form.version = locked.status, locked.version
    return transition
