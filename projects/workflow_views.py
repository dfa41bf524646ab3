"""Workflow views: the transitions (POST only) and the reviewer's queue. (An approved
snapshot is drawn like the live sheet, by `sheet_views.sheet`.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators import checks

from .models import PENDING_STATUSES, Department, Project, Status, Transition
from .workflow import ACTIONS, TransitionNotAllowed, TransitionRefused

DONE = {
    Status.SUBMITTED: "已提交，等待审核人审核。",
    Status.PENDING_PARENT: "已提交，等待主管部门初审。",
    Status.PENDING_FINANCE: "已提交，等待财政审核。",
}
DONE_BY_ACTION = {
    "pass": "已初审通过，等待财政审核。",
    "approve": "已批复，批复内容已存档。",
    "return": "已退回填报人修改。",
    "reopen": "已重新打开，项目恢复为草稿。",
    "withdraw": "已撤回，可修改后重新提交。",
}


@login_required
@require_POST
def transition(request, pk, code):
    """One workflow step (`code` from the URL configuration: submit, pass, approve, return, …)."""
    # Scoped first: another unit's project is invisible (404), whatever the role.
    project = get_object_or_404(Project.objects.restrict(request.user, "view"), pk=pk)
    user, comment, version = request.user, request.POST.get("comment", ""), request.POST.get("version")
    try:
        if code == "submit":
            confirm = request.POST.get("confirm_warnings") == "1"
            project.submit(user, confirm_warnings=confirm, comment=comment, version=version)
        elif code == "pass":
            project.pass_first_review(user, comment, version=version)
        elif code == "approve":
            project.approve(user, comment, version=version)
        elif code == "return":
            project.send_back(user, comment, version=version)
        elif code == "withdraw":
            project.withdraw(user, comment, version=version)
        else:
            project.reopen(user, comment, version=version)
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except TransitionRefused as exc:
        messages.error(request, f"未能{ACTIONS[code].label}：{exc.message}")
        for finding in exc.findings:
            messages.warning(request, _finding_text(finding))
        return redirect("projects:detail", pk=project.pk)
    done = DONE[project.status] if code == "submit" else DONE_BY_ACTION[code]
    messages.success(request, f"“{project.name}”{done}")
    return redirect("projects:detail", pk=project.pk)


def _finding_text(finding):
    place = ""
    if finding.goal:
        place = finding.goal + (f" 第{finding.row}行" if finding.row else "")
    return (
        f"【{finding.severity_label}】{place}：{finding.message}"
        if place
        else f"【{finding.severity_label}】{finding.message}"
    )


STEP_LABELS = {
    Status.SUBMITTED: "审核批复",
    Status.PENDING_PARENT: "主管部门初审",
    Status.PENDING_FINANCE: "财政审核",
}


@login_required
def queue(request):
    """What waits for this reviewer: the projects in a review state that the user may take
    the next step on (a 主管部门's 审核人: 待主管部门审核; a 财政审核人: 待财政审核; in
    one-level years: 已提交), the longest-waiting first."""
    if not Department.objects.restrict(request.user, "review").exists():
        raise PermissionDenied("待审核列表仅对审核人开放。")
    projects = Project.objects.restrict(request.user, "review").filter(status__in=PENDING_STATUSES)
    arrived = Transition.objects.filter(project=OuterRef("pk"), to_status=OuterRef("status")).order_by("-at")
    submitted_at = Transition.objects.filter(project=OuterRef("pk"), action="submit").order_by("-at")
    projects = (
        projects.with_tree()
        .select_related("department__parent")
        .annotate(
            arrived_at=Subquery(arrived.values("at")[:1]),
            submitted_at=Subquery(submitted_at.values("at")[:1]),
        )
        .order_by("arrived_at", "id")
    )
    rows = []
    for project in checks.attach_past(projects):  # last year's self-evaluations: one query
        counts = checks.count(checks.check_project(project))
        rows.append(
            {
                "project": project,
                "step": STEP_LABELS[project.status],
                "errors": counts.errors,
                "warnings": counts.warnings,
            }
        )
    steps = sorted({row["step"] for row in rows}, key=list(STEP_LABELS.values()).index)
    return render(request, "projects/queue.html", {"rows": rows, "steps": steps})
