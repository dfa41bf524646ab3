"""Workflow views: the transitions (POST only) and the reviewer's queue. (An approved
snapshot is drawn like the live sheet, by `sheet_views.sheet`.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators import checks

from .models import Project, Role, Status, Transition
from .workflow import ACTIONS, TransitionNotAllowed, TransitionRefused, is_reviewer

DONE = {
    "submit": "已提交，等待审核人审核。",
    "approve": "已批复，批复内容已存档。",
    "return": "已退回填报人修改。",
    "reopen": "已重新打开，项目恢复为草稿。",
}


@login_required
@require_POST
def transition(request, pk, code):
    """One workflow step (`code` from the URL configuration: submit, approve, return, reopen)."""
    # Scoped first: another unit's project is invisible (404), whatever the role.
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    user, comment, version = request.user, request.POST.get("comment", ""), request.POST.get("version")
    try:
        if code == "submit":
            confirm = request.POST.get("confirm_warnings") == "1"
            project.submit(user, confirm_warnings=confirm, comment=comment, version=version)
        elif code == "approve":
            project.approve(user, comment, version=version)
        elif code == "return":
            project.send_back(user, comment, version=version)
        else:
            project.reopen(user, comment, version=version)
    except TransitionNotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except TransitionRefused as exc:
        messages.error(request, f"未能{ACTIONS[code].label}：{exc.message}")
        for finding in exc.findings:
            messages.warning(request, _finding_text(finding))
        return redirect("projects:detail", pk=project.pk)
    messages.success(request, f"“{project.name}”{DONE[code]}")
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


@login_required
def queue(request):
    """The submitted projects of the reviewer's units, oldest submission first."""
    if not is_reviewer(request.user):
        raise PermissionDenied("待审核列表仅对审核人开放。")
    projects = Project.objects.visible_to(request.user).filter(status=Status.SUBMITTED)
    if not request.user.is_superuser:
        projects = projects.filter(
            department__memberships__user=request.user, department__memberships__role=Role.REVIEWER
        )
    submitted_at = Transition.objects.filter(project=OuterRef("pk"), to_status=Status.SUBMITTED).order_by(
        "-at"
    )
    projects = (
        projects.with_tree()
        .annotate(submitted_at=Subquery(submitted_at.values("at")[:1]))
        .order_by("submitted_at", "id")
    )
    rows = []
    for project in projects:
        counts = checks.count(checks.check_project(project))
        rows.append({"project": project, "errors": counts.errors, "warnings": counts.warnings})
    return render(request, "projects/queue.html", {"rows": rows})
