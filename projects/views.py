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
from django.db.models import Count, Exists, OuterRef, Sum
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
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
from .documents.readers import read_text, unit_repairs
from .filters import ProjectFilter
from .forms import Conflict, PasteSheetForm, ProjectEditor, StaleVersion, apply_fixes
from .history import change_reason
from .models import Department, Project, ProjectType, Status
from .services import DeleteRefused, delete_draft, import_projects, log_refused, replace_goals
from .tables import ProjectTable

COPYABLE_TYPES = (ProjectType.RECURRING, ProjectType.CONTINUING)
COPIED_FROM = "复制自"  # the change reason of a copy's first record: 复制自 2026年 XX项目


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

    action = "view"  # which projects the list shows: those the user may do this to

    def get_queryset(self):
        deletable = Project.objects.restrict(self.request.user, "edit").filter(
            pk=OuterRef("pk"), status=Status.DRAFT
        )
        return (
            Project.objects.restrict(self.request.user, self.action)
            .select_related("department")
            .annotate(may_delete=Exists(deletable))
        )

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table_kwargs(self):
        # 操作 (删除 a draft) only for those who edit somewhere: a reviewer sees no empty column.
        return {} if self.edits_somewhere else {"exclude": ("actions",)}

    @cached_property
    def edits_somewhere(self):
        return Department.objects.restrict(self.request.user, "edit").exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtered = self.object_list
        # Budgets of different years are never added together: one total per year.
        years = list(
            filtered.order_by()
            .values("year")
            .annotate(total=Sum("budget"), count=Count("pk"))
            .order_by("-year")
        )
        for year in years:
            year["total_display"] = normalize_number(year["total"] or 0)
        context["years"] = years
        context["total_budget"] = years[0]["total"] if len(years) == 1 else None
        context["total_budget_display"] = years[0]["total_display"] if len(years) == 1 else ""
        context["can_create"] = self.edits_somewhere
        return context


project_list = ProjectListView.as_view()


class TodoListView(ProjectListView):
    """我的待办 of a 填报人: the returned and draft projects of the units they edit
    (exactly what `restrict(user, "edit")` reaches), the returned ones first."""

    template_name = "projects/todo.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.edits_somewhere:
            raise PermissionDenied("“我的待办”仅对填报人开放。")
        return super().dispatch(request, *args, **kwargs)

    action = "edit"

    def get_filterset_kwargs(self, filterset_class):
        # The states `restrict(user, "edit")` reaches: the 状态 filter offers only these.
        return {**super().get_filterset_kwargs(filterset_class), "statuses": Project.EDITABLE_STATUSES}

    def get_table_kwargs(self):
        # 已退回 (returned) sorts before 草稿 (draft)
        return {**super().get_table_kwargs(), "order_by": ("-status", "-year", "name")}

    def get_context_data(self, **kwargs):
        from results.workflow import to_fill  # the results app builds on projects

        return {**super().get_context_data(**kwargs), "result_forms": list(to_fill(self.request.user))}


todo_list = TodoListView.as_view()


@login_required
def project_detail(request, pk):
    project = get_object_or_404(Project.objects.restrict(request.user, "view").with_tree(), pk=pk)
    can_edit = Project.objects.restrict(request.user, "edit").contains(project)
    context = {
        "project": project,
        "findings": check_project(project),
        "sheet": build_sheet(project),
        "can_edit": can_edit,
        "can_delete": can_edit and project.status == Status.DRAFT,
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
            "basis_joiner": framework.BASIS_JOINER,
            "level1_aliases": framework.LEVEL1_ALIASES,
            "level2_aliases": framework.LEVEL2_ALIASES,
            "basis": list(framework.BASIS_OPTIONS),
        },
        **extra,
    }


def _fix_reason(fixed):
    """The history note of a save made by 一键修正: the rows it fixed."""
    return change_reason("一键修正：" + "；".join(fixed)) if fixed else ""


def _fixed_text(fixed):
    return f"一键修正{len(fixed)}行：" + "；".join(fixed) + "。"


def _run_editor(request, project=None):
    if request.method == "POST":
        data, fixed = request.POST, []
        if request.POST.get("apply_fix"):
            data, fixed = apply_fixes(request.POST, request.POST["apply_fix"])
        if request.POST.get("keep_mine", "").isdigit():
            # After a conflict: save this page over the version it was shown next to.
            data = data.copy()
            data["version"] = request.POST["keep_mine"]
        editor = ProjectEditor(request.user, project, data=data)
        if editor.is_valid():
            try:
                saved = editor.save(reason=_fix_reason(fixed))
            except StaleVersion:
                editor.errors.insert(
                    0,
                    "其他人已修改了此项目，您的修改尚未保存。下方列出了对方保存的内容与本页的不同之处："
                    "可以保留您的修改并保存（覆盖对方的这些修改），或放弃本页的修改、打开对方的版本。",
                )
                editable = Project.objects.restrict(request.user, "edit").with_tree()
                stored = editable.filter(pk=project.pk).first()
                if stored is not None:
                    editor.conflict = Conflict(editor, stored)
                saved = None
            if saved is not None:
                if fixed:
                    messages.info(request, "已" + _fixed_text(fixed))
                found = check_project(Project.objects.with_tree().get(pk=saved.pk))
                if not found:
                    messages.success(request, f"已保存项目“{saved.name}”。审核检查未发现问题。")
                    return redirect("projects:detail", pk=saved.pk)
                counts = f"{found.counts.errors}个错误、{found.counts.warnings}个提示"
                messages.warning(
                    request, f"已保存项目“{saved.name}”。审核检查发现{counts}，已在相应的目标和指标行旁标出。"
                )
                return redirect("projects:edit", pk=saved.pk)
        if fixed and editor.errors:
            messages.warning(request, "已在本页" + _fixed_text(fixed) + "但本页还有错误，尚未保存。")
        editor.attach_posted_fixes()
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
def project_delete(request, pk):
    """Delete a draft (草稿): a confirmation page, then POST. Only whoever may edit it."""
    project = get_object_or_404(Project.objects.restrict(request.user, "view").with_tree(), pk=pk)
    if not Project.objects.restrict(request.user, "edit").contains(project):
        raise PermissionDenied("此项目当前不能由您修改，也不能删除。")
    if project.status != Status.DRAFT:
        raise PermissionDenied(f"只有草稿可以删除，此项目当前为“{project.get_status_display()}”。")
    if request.method == "POST":
        try:
            deleted = delete_draft(project, request.user)
        except DeleteRefused as exc:
            messages.error(request, f"未删除：{exc}")
            return redirect("projects:detail", pk=project.pk)
        messages.success(request, f"已删除草稿项目：{deleted}。")
        return redirect("projects:list")
    rows = sum(len(goal.indicators.all()) for goal in project.goals.all())
    context = {"project": project, "goals": len(project.goals.all()), "rows": rows}
    return render(request, "projects/project_delete.html", context)


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
            unit_repairs(result, department.name)
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
            copy = Project(
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
            # shown in the history: 新建（复制自 2025年 XX项目，…）
            copy._change_reason = change_reason(f"{COPIED_FROM} {project.year}年 {project.name}")
            copy.save()
            replace_goals(copy, data["goals"])
    except IntegrityError:  # two copies at the same moment: the other one was first
        existing = Project.objects.filter(year=year, department=project.department, name=project.name).first()
        messages.error(
            request,
            format_html("{}年度已有同名项目（刚刚由他人创建），未复制：{}", year, project_link(existing)),
        )
        return redirect("projects:detail", pk=project.pk)
    messages.success(request, f"已复制为{year}年度草稿项目，请核对预算、目标说明和指标值后保存。")
    return redirect("projects:edit", pk=copy.pk)
