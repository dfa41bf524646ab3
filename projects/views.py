from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from indicators.checks import check_project

from .models import Project


@login_required
def project_list(request):
    projects = (
        Project.objects.visible_to(request.user)
        .select_related("department")
        .order_by("-year", "department__name", "id")
    )
    return render(request, "projects/project_list.html", {"projects": projects})


@login_required
def project_detail(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user).with_tree(), pk=pk)
    findings = check_project(project)
    return render(request, "projects/project_detail.html", {"project": project, "findings": findings})
