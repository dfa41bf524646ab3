"""Pages of the finance staff: project list, project page, editor, paste, copy.

Every view starts from `Project.objects.restrict(user, "view")` (another unit's
project answers 404); editing needs the project in `restrict(user, "edit")` (else
403), creating a unit in `Department.objects.restrict(user, "edit")`
(projects/permissions.py holds the rules).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from indicators import framework
from indicators.checks import check_project
from indicators.values import COMPARATOR_SYMBOLS, normalize_number, parse_value

from .documents.data import project_to_dict
from .documents.errors import ImportFormatError
from .documents.layout import build_sheet
from .documents.readers import read_text
from .filters import ProjectFilter
from .forms import PasteSheetForm, ProjectEditor, StaleVersion
from .models import Department, Project, ProjectType, Status
from .services import import_projects, log_refused, replace_goals
from .tables import ProjectTable

COPYABLE_TYPES = (ProjectType.RECURRING, ProjectType.CONTINUING)


def project_link(project):
    return format_html(
        '<a href="{}">{}年 {}（{}）</a>',
        reverse("projects:detail", args=[project.pk]),
        project.year,
        project.name,
        project.department,
    )


class ProjectListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    table_class = ProjectTable
    filterset_class = ProjectFilter
    template_name = "projects/project_list.html"
    paginate_by = 50

    def get_queryset(self):
        return Project.objects.restrict(self.request.user, "view").select_related("department")

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        fields = filterset.form.fields
        fields["department"].empty_label = "全部"
        for name in ("project_type", "status"):
            fields[name].choices = [("", "全部"), *list(fields[name].choices)[1:]]
        fields["q"].widget.attrs["placeholder"] = "项目名称、立项依据、三级指标"
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtered = self.object_list
        context["total_budget"] = filtered.order_by().aggregate(total=Sum("budget"))["total"]
        context["total_budget_display"] = normalize_number(context["total_budget"] or 0)
        context["can_create"] = Department.objects.restrict(self.request.user, "edit").exists()
        return context


project_list = ProjectListView.as_view()


@login_required
def project_detail(request, pk):
    project = get_object_or_404(Project.objects.restrict(request.user, "view").with_tree(), pk=pk)
    context = {
        "project": project,
        "findings": check_project(project),
        "sheet": build_sheet(project),
        "can_edit": Project.objects.restrict(request.user, "edit").contains(project),
        "can_copy": project.project_type in COPYABLE_TYPES
        and Department.objects.restrict(request.user, "edit").contains(project.department),
    }
    return render(request, "projects/project_detail.html", context)


def _editor_context(editor, **extra):
    return {
        "editor": editor,
        "form": editor.project_form,
        "framework_data": {
            "level1": list(framework.LEVEL1),
            "level2": framework.level2_choices(),
            "legacy": {key: list(value) for key, value in framework.LEGACY_FRAMEWORK.items()},
            "level1_aliases": framework.LEVEL1_ALIASES,
            "level2_aliases": framework.LEVEL2_ALIASES,
            "basis": list(framework.BASIS_OPTIONS),
        },
        **extra,
    }


def _run_editor(request, project=None):
    if request.method == "POST":
        editor = ProjectEditor(request.user, project, data=request.POST)
        if editor.is_valid():
            try:
                saved = editor.save()
            except StaleVersion:
                editor.errors.insert(
                    0,
                    "其他人已修改了此项目，您的修改尚未保存。请在新窗口中打开项目查看最新内容，"
                    "核对后重新打开编辑页面再录入；本页保留了您填写的内容。",
                )
                saved = None
            if saved is not None:
                found = check_project(Project.objects.with_tree().get(pk=saved.pk))
                if not found:
                    messages.success(request, f"已保存项目“{saved.name}”。审核检查未发现问题。")
                    return redirect("projects:detail", pk=saved.pk)
                counts = f"{found.counts.errors}个错误、{found.counts.warnings}个提示"
                messages.warning(
                    request, f"已保存项目“{saved.name}”。审核检查发现{counts}，已在相应的目标和指标行旁标出。"
                )
                return redirect("projects:edit", pk=saved.pk)
        status = 409 if editor.errors and editor.errors[0].startswith("其他人已修改") else 200
        return render(request, "projects/project_form.html", _editor_context(editor), status=status)
    editor = ProjectEditor(request.user, project)
    if project is not None:
        editor.attach_findings(check_project(project))
    return render(request, "projects/project_form.html", _editor_context(editor))


@login_required
def project_create(request):
    if not Department.objects.restrict(request.user, "edit").exists():
        raise PermissionDenied("只有预算单位的填报人可以新建项目。")
    return _run_editor(request)


@login_required
def project_edit(request, pk):
    project = get_object_or_404(Project.objects.restrict(request.user, "view").with_tree(), pk=pk)
    if not Project.objects.restrict(request.user, "edit").contains(project):
        raise PermissionDenied("此项目当前不能由您修改。")
    return _run_editor(request, project)


@login_required
@require_GET
def parse_value_json(request):
    """How a typed 指标值 is understood; the editor shows it before saving."""
    text = request.GET.get("value", "")[:200]
    parsed = parse_value(text)
    return JsonResponse(
        {
            "value": text,
            "qualitative": parsed.qualitative,
            "comparator": COMPARATOR_SYMBOLS.get(parsed.comparator or "", ""),
            "number": None if parsed.number is None else normalize_number(parsed.number),
            "unit": parsed.unit,
            "description": parsed.describe() if text.strip() else "",
        }
    )


@login_required
def paste_sheet(request):
    if not Department.objects.restrict(request.user, "import").exists():
        raise PermissionDenied("只有预算单位的填报人可以新建项目。")
    form = PasteSheetForm(request.POST or None, user=request.user)
    context = {"form": form, "upload_limit_mb": f"{settings.PERFGOALS_MAX_UPLOAD_BYTES / 2**20:g}"}
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        try:
            result = read_text(form.cleaned_data["text"], "粘贴的文本")  # the official layout or another one
        except ImportFormatError as exc:
            context["parse_error"] = str(exc)
            return render(request, "projects/paste_sheet.html", context)
        try:
            with transaction.atomic():
                # Checked inside the transaction that creates: a sheet never updates a stored project.
                existing = [
                    project
                    for data in result.projects
                    for project in Project.objects.filter(
                        year=data["year"], department=department, name=data["name"]
                    )
                ]
                if not existing:
                    report = import_projects(result.projects, department=department.name, user=request.user)
        except ImportFormatError as exc:  # e.g. someone created the same project a moment ago
            log_refused("粘贴整张批复表", exc, request.user)
            context["parse_error"] = str(exc)
            return render(request, "projects/paste_sheet.html", context)
        if existing:
            context["existing"] = existing
            return render(request, "projects/paste_sheet.html", context)
        for repair in result.repairs:
            messages.info(request, f"已修复：{repair}")
        for item in result.skipped:
            messages.info(request, f"已跳过：{item}")
        for item in result.unplaced:
            messages.warning(request, f"未导入（本系统没有对应栏目，请核对）：{item}")
        created = report.created
        messages.success(
            request, f"已新建{len(created)}个草稿项目：" + "、".join(p.name for p in created) + "。"
        )
        if len(created) == 1:
            return redirect("projects:detail", pk=created[0].pk)
        return redirect(f"{reverse('projects:list')}?department={department.pk}")
    return render(request, "projects/paste_sheet.html", context)


@login_required
@require_POST
def project_copy(request, pk):
    """A new draft for the next year with the same goals and rows (常年性/延续性)."""
    project = get_object_or_404(Project.objects.restrict(request.user, "view").with_tree(), pk=pk)
    if not Department.objects.restrict(request.user, "edit").contains(project.department):
        raise PermissionDenied("只有本单位的填报人可以复制项目。")
    if project.project_type not in COPYABLE_TYPES:
        messages.error(request, "只有常年性项目和延续性项目可以复制到下一年度。")
        return redirect("projects:detail", pk=project.pk)
    year = project.year + 1
    existing = Project.objects.filter(year=year, department=project.department, name=project.name).first()
    if existing is not None:
        messages.error(request, format_html("{}年度已有同名项目，未复制：{}", year, project_link(existing)))
        return redirect("projects:detail", pk=project.pk)
    data = project_to_dict(project)
    try:
        with transaction.atomic():
            copy = Project.objects.create(
                year=year,
                department=project.department,
                name=project.name,
                budget=project.budget,
                project_type=project.project_type,
                funding=list(project.funding),
                rationale=project.rationale,
                status=Status.DRAFT,
                created_by=request.user,
            )
            replace_goals(copy, data["goals"])
    except IntegrityError:  # two copies at the same moment: the other one was first
        existing = Project.objects.filter(year=year, department=project.department, name=project.name).first()
        messages.error(
            request,
            format_html("{}年度已有同名项目（刚刚由他人创建），未复制：{}", year, project_link(existing)),
        )
        return redirect("projects:detail", pk=project.pk)
    messages.success(request, f"已复制为{year}年度草稿项目，请核对预算和指标值后保存。")
    return redirect("projects:detail", pk=copy.pk)
