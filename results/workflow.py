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

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone

from projects.workflow import Action, TransitionNotAllowed, TransitionRefused, page_is_stale, refuse_stale

from .models import FormStatus, FormTransition, ResultForm

ACTIONS = {
    action.code: action
    for action in (
        Action(
            "submit",
            "提交",
            (FormStatus.DRAFT, FormStatus.RETURNED),
            FormStatus.SUBMITTED,
            "submit",  # ResultForm.objects.restrict's action
            "说明",
            False,
        ),
        Action("confirm", "确认", (FormStatus.SUBMITTED,), FormStatus.CONFIRMED, "review", "审核意见", False),
        Action("return", "退回", (FormStatus.SUBMITTED,), FormStatus.RETURNED, "review", "退回意见", True),
    )
}


# The editor's 保存: not a workflow step, but refused like one when the page is stale.
SAVE = Action("save", "保存", (FormStatus.DRAFT, FormStatus.RETURNED), None, "edit", "", False)


class FormIncomplete(TransitionRefused):
    """The form lacks values, reasons or measures; `findings` lists them."""


def _may(user, form, permission):
    return ResultForm.objects.restrict(user, permission).filter(pk=form.pk).exists()


def actions_for(form, user):
    """The actions `user` may take on `form` now (one query per kind of step at most)."""
    if not user.is_authenticated:
        return []
    possible = [action for action in ACTIONS.values() if action.allows(form.status)]
    may = {permission: _may(user, form, permission) for permission in {a.permission for a in possible}}
    return [action for action in possible if may[action.permission]]


def _holds(user, form, permission):
    """Whether `user` takes `permission`'s steps in the form's unit, whatever its state."""
    return ResultForm.objects.restrict(user, permission, any_state=True).filter(pk=form.pk).exists()


def _wording(form):
    """How a stale page's refusal names the form and what a step did to it."""

    def deed(step):
        if step.action == ADJUST.code:
            return f"调整了此{form.noun}的得分"
        return f"{step.get_action_display()}此{form.noun}"

    return {"noun": form.noun, "deed": deed}


def guard(form, user, action, version=None):
    """Raise TransitionNotAllowed unless `user` may take `action` on `form` now.

    As for projects (`projects.workflow.guard`): `version` is the version the user's
    page showed; a holder of the role in the form's unit whose page is out of date gets
    a TransitionRefused that says what happened since (returned, confirmed …), not a
    bare 403; a request no page could have sent (no such role, a state the page did not
    show) stays 403."""
    if _may(user, form, action.permission):
        if action.allows(form.status) and not page_is_stale(form, version):
            return
    elif not _holds(user, form, action.permission):
        who = "填报人" if action.permission in ("submit", "edit") else "审核人"
        raise TransitionNotAllowed(
            f"只有本单位（{form.department_name}）的{who}可以{action.label}此{form.noun}。"
        )
    refuse_stale(form, action, version, **_wording(form))
    raise TransitionNotAllowed(
        f"{form.noun}当前状态为“{form.get_status_display()}”，不能{action.label}"
        f"（只有{'、'.join(FormStatus(s).label for s in action.sources)}的{form.noun}"
        f"可以{action.label}）。"
    )


def perform(form, user, code, comment="", *, version=None):
    """Take workflow step `code` on `form` as `user`; return the FormTransition."""
    action = ACTIONS[code]
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = ResultForm.objects.select_for_update().select_related("round", "project").get(pk=form.pk)
        guard(locked, user, action, version)
        if action.comment_required and not comment:
            raise TransitionRefused(f"请填写{action.comment_label}。")
        if code == "submit":
            rows = locked.evaluate()
            found = locked.problems(rows)
            if found:
                raise FormIncomplete(
                    f"{locked.noun}还有{len(found)}处需要填写，请补充后再提交：", findings=found
                )
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


ADJUST = Action(
    "adjust", "调整得分", (FormStatus.SUBMITTED,), FormStatus.SUBMITTED, "review", "调整理由", True
)


def adjust_score(form, user, row_id, score, reason, *, version=None):
    """The unit's 审核人 changes one row's score of a submitted self-evaluation, with a
    reason (复核): kept on the row (shown on the printed form) and as a `FormTransition`;
    the total and grade follow. Returns the transition."""
    from . import scoring

    reason = (reason or "").strip()
    with transaction.atomic():
        locked = ResultForm.objects.select_for_update().select_related("round", "project").get(pk=form.pk)
        if not locked.is_evaluation:
            raise TransitionNotAllowed("只有绩效自评表可以调整得分。")
        guard(locked, user, ADJUST, version)
        rows = list(locked.rows.all())
        row = next((row for row in rows if str(row.pk) == str(row_id)), None)
        if row is None:
            raise TransitionRefused("请选择要调整得分的指标。")
        try:
            value = scoring.cents(Decimal(str(score).strip()))
        except (InvalidOperation, ValueError):
            raise TransitionRefused("调整后的得分应为数字，如 8 或 8.5。") from None
        if row.weight is None or not 0 <= value <= row.weight:
            raise TransitionRefused(
                f"{row.label}调整后的得分应在0至{scoring.points_text(row.weight)}分（分值）之间。"
            )
        if not reason:
            raise TransitionRefused("请填写调整理由。")
        before = row.final_score
        row.adjusted, row.adjust_reason = value, reason
        row.adjusted_by, row.adjusted_at = user, timezone.now()
        row._history_user = user
        row.save()
        locked.score(rows)
        locked.version += 1
        locked._history_user = user
        locked._change_reason = ADJUST.label
        locked.save()
        comment = (
            f"{row.label}得分由{scoring.points_text(before)}分调整为{scoring.points_text(value)}分：{reason}"
        )
        transition = FormTransition.objects.create(
            form=locked,
            action=ADJUST.code,
            from_status=locked.status,
            to_status=locked.status,
            user=user,
            comment=comment,
            version=locked.version,
        )
    form.version, form.total, form.grade = locked.version, locked.total, locked.grade
    return transition


def to_fill(user):
    """The forms waiting for `user` as 填报人 (我的待办): the drafts and returned forms of
    the units they edit, the returned ones first (with the reviewer's last comment as
    `return_comment`), then the newest rounds first."""
    returns = FormTransition.objects.filter(form=OuterRef("pk"), action=FormTransition.Action.RETURN)
    returned_first = Case(
        When(status=FormStatus.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        ResultForm.objects.restrict(user, "edit")
        .select_related("round")
        .annotate(return_comment=Subquery(returns.order_by("-at", "-pk").values("comment")[:1]))
        .order_by(
            returned_first, "-round__year", "round__kind", "-round__cutoff", "department_name", "project_name"
        )
    )
