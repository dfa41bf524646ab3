"""The admin (数据维护), scoped and guarded by the same permissions as the pages.

Every queryset goes through `restrict(request.user, "view")`. A project's content
(the project, its goals, its indicator rows) may be changed only while the
project is in `Project.objects.restrict(request.user, "edit")`, i.e. a draft or
returned: a submitted or approved project is shown read-only, without inline
forms, and a forged POST is refused (403). Changes to it go through 重新打开.
Every admin save of a draft's content increments `Project.version`, so an editor
page opened earlier is refused as stale instead of overwriting the admin's
change. `status` is never written here: only the workflow changes it.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from indicators.models import Indicator
from indicators.values import normalize_number

from . import admin_users  # noqa: F401 (the 用户 and 组 pages, permissions in Chinese)
from .admin_history import ReadableHistoryAdmin
from .documents.layout import budget_text
from .models import ApprovalSnapshot, Department, Funding, Goal, Membership, Project, Status, Transition

# A unit filter offers only the units of the (restricted) list, not every unit's name.
OWN_UNITS = admin.RelatedOnlyFieldListFilter
LOCKED_MESSAGE = "项目已提交或已批复，内容只读；如需修改，请审核人先退回或重新打开该项目。"


def visible_projects(request):
    return Project.objects.restrict(request.user, "view")


def may_edit(request, project_id):
    """Whether the admin may change the content of project `project_id` now."""
    answers = request.__dict__.setdefault("_perfgoals_editable", {})
    if project_id not in answers:
        answers[project_id] = Project.objects.restrict(request.user, "edit").filter(pk=project_id).exists()
    return answers[project_id]


def bump_version(request, project_ids):
    """Count an admin change as a new version of each project (the editor's stale
    check sees it), under the row lock the UPDATE takes; refuse if a project left
    the editable states meanwhile (the caller's transaction then rolls back)."""
    for project_id in sorted(set(project_ids)):
        editable = Project.objects.restrict(request.user, "edit").filter(pk=project_id)
        if not editable.update(version=F("version") + 1):
            raise PermissionDenied(LOCKED_MESSAGE)


class ProjectContentAdmin:
    """Change and delete only while the project of the object is editable."""

    project_lookup = "pk"  # the project's id, as a lookup from this model
    locked_fields = None  # what a read-only page shows (None: the admin's own fields, read-only)
    history_fields = None  # what a past version shows

    def shown_read_only(self, request, obj):
        if request.__dict__.get("_perfgoals_history") and self.history_fields:
            return self.history_fields
        if self.locked_fields and self.locked(request, obj):
            return self.locked_fields
        return None

    def get_fields(self, request, obj=None):
        shown = self.shown_read_only(request, obj)
        return shown if shown is not None else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        shown = self.shown_read_only(request, obj)
        if shown is None:
            return super().get_readonly_fields(request, obj)
        # The admin drops a form's declared field only when it is named here.
        return (*shown, *self.form.declared_fields)

    def project_of(self, obj):
        raise NotImplementedError

    def project_id_of(self, obj):
        return self.project_of(obj).pk

    def locked(self, request, obj):
        return obj is not None and obj.pk is not None and not may_edit(request, self.project_id_of(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.locked(request, obj)

    def get_inlines(self, request, obj):
        # A read-only object shows its children as a read-only field, without forms.
        return [] if self.locked(request, obj) else super().get_inlines(request, obj)

    def render_change_form(self, request, context, **options):
        obj = options.get("obj")
        if self.locked(request, obj):
            project = self.project_of(obj)
            step = "重新打开" if project.status == Status.APPROVED else "退回"
            context["subtitle"] = (
                f"{obj}（项目{project.get_status_display()}，内容只读；如需修改，请审核人先{step}该项目）"
            )
        return super().render_change_form(request, context, **options)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history's "revert" saves an old version, status included, on POST
        # (with a view permission only): content changes go through the change form.
        if request.method == "POST":
            raise PermissionDenied("历史版本只供查看，不能恢复。")
        request._perfgoals_history = True  # shown read-only
        return super().history_form_view(request, object_id, version_id, extra_context)

    def delete_model(self, request, obj):
        with transaction.atomic():
            bump_version(request, [self.project_id_of(obj)])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            bump_version(request, queryset.values_list(self.project_lookup, flat=True))
            super().delete_queryset(request, queryset)


class ProjectAdminForm(forms.ModelForm):
    funding = forms.MultipleChoiceField(
        label="资金性质", choices=Funding.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Project
        fields = ("year", "department", "name", "budget", "project_type", "funding", "rationale")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.budget is not None and "budget" in self.fields:
            self.initial["budget"] = normalize_number(self.instance.budget)  # 88.5, not 88.500000


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    fields = ("term", "position", "name", "text")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(project__in=visible_projects(request))


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("position", "level1", "level2", "level3", "value", "basis")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(goal__project__in=visible_projects(request))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        units = Department.objects.restrict(request.user, "view")
        return super().get_queryset(request).filter(department__in=units)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent")
    search_fields = ("name", "code")
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "role", "scope")
    list_filter = ("role", "scope", ("department", OWN_UNITS))
    search_fields = ("user__username", "department__name")

    def get_queryset(self, request):
        units = Department.objects.restrict(request.user, "view")
        return super().get_queryset(request).filter(department__in=units)


@admin.register(Project)
class ProjectAdmin(ProjectContentAdmin, ReadableHistoryAdmin):
    form = ProjectAdminForm
    list_display = ("name", "year", "department", "budget_amount", "project_type", "status", "updated_at")
    list_filter = ("year", "status", "project_type", ("department", OWN_UNITS))
    search_fields = ("name", "rationale")
    # The state changes only through the workflow (提交, 批复, 退回, 重新打开), which records each step.
    # `version` (the editor's stale check) is bookkeeping, never shown.
    readonly_fields = ("status", "created_at", "updated_at")
    locked_fields = (
        "year",
        "department",
        "name",
        "budget_shown",
        "project_type",
        "funding_shown",
        "rationale",
        "status",
        "created_at",
        "updated_at",
        "goal_list",
    )
    history_fields = locked_fields[:-1]
    inlines = [GoalInline]

    def project_of(self, obj):
        return obj

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.restrict(request.user, "edit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if change:
                bump_version(request, [obj.pk])
                current = Project.objects.values_list("status", "version").get(pk=obj.pk)
                obj.status, obj.version = current  # the admin never writes a status
            super().save_model(request, obj, form, change)

    @admin.display(description="项目预算（万元）", ordering="budget")
    def budget_amount(self, obj):
        return normalize_number(obj.budget)

    @admin.display(description="项目预算")
    def budget_shown(self, obj):
        return budget_text(obj.budget)

    @admin.display(description="资金性质")
    def funding_shown(self, obj):
        return "、".join(obj.funding_labels) or "—"

    @admin.display(description="绩效目标")
    def goal_list(self, obj):
        goals = obj.goals.all()
        if not goals:
            return "—"
        return format_html(
            "<div>{}</div>",
            format_html_join(
                "",
                '<p><a href="{}">{}</a>（{}行指标）：{}</p>',
                (
                    (
                        reverse("admin:projects_goal_change", args=[goal.pk]),
                        goal.name,
                        goal.indicators.count(),
                        goal.text or "—",
                    )
                    for goal in goals
                ),
            ),
        )


@admin.register(Goal)
class GoalAdmin(ProjectContentAdmin, ReadableHistoryAdmin):
    list_display = ("name", "project", "term")
    list_filter = ("term", "project__year")
    search_fields = ("name", "project__name")
    list_select_related = ("project",)
    inlines = [IndicatorInline]
    locked_fields = ("project", "term", "position", "name", "text", "indicator_table")
    history_fields = locked_fields[:-1]

    project_lookup = "project_id"

    def project_of(self, obj):
        return obj.project

    def project_id_of(self, obj):
        return obj.project_id

    def get_queryset(self, request):
        return super().get_queryset(request).filter(project__in=visible_projects(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = Project.objects.restrict(request.user, "edit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = Goal.objects.filter(pk=obj.pk).values_list("project_id", flat=True) if change else []
            bump_version(request, [obj.project_id, *before])
            super().save_model(request, obj, form, change)

    @admin.display(description="绩效指标")
    def indicator_table(self, obj):
        rows = obj.indicators.all()
        if not rows:
            return "—"
        return format_html(
            "<table><thead><tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th>"
            "<th>指标值确定依据</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row.level1, row.level2, row.level3, row.value, row.basis) for row in rows),
            ),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit records: viewable, never added, changed or deleted on a screen."""

    project_lookup = "project"  # the record's project, as a lookup from the record

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(**{f"{self.project_lookup}__in": visible_projects(request)})
        )


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("project", "action", "from_status", "to_status", "user", "at")
    fields = ("project", "action", "from_status", "to_status", "user", "body", "comment", "at")
    list_filter = ("action", ("project__department", OWN_UNITS))
    search_fields = ("project__name", "comment")
    list_select_related = ("project", "user")


@admin.register(ApprovalSnapshot)
class ApprovalSnapshotAdmin(ReadOnlyAdmin):
    # The frozen content is shown as the sheet it is (a link), not as JSON; no version counter.
    list_display = ("project", "approved_by_name", "approved_at")
    fields = ("project", "approved_by_name", "approved_at", "comment", "steps_shown", "sheet_link")
    list_filter = (("project__department", OWN_UNITS),)
    search_fields = ("project__name", "comment")
    list_select_related = ("project",)

    @admin.display(description="审核步骤")
    def steps_shown(self, obj):
        if not obj.steps:
            return "—"
        return format_html_join(
            "",
            "<p>{} {}{} {}{}</p>",
            (
                (
                    step.get("at", "")[:16].replace("T", " "),
                    f"{step['body']} " if step.get("body") else "",
                    step.get("user", ""),
                    step.get("label", ""),
                    f"，意见：{step['comment']}" if step.get("comment") else "",
                )
                for step in obj.steps
            ),
        )

    @admin.display(description="批复内容")
    def sheet_link(self, obj):
        url = reverse("projects:snapshot", args=[obj.project_id, obj.pk])
        return format_html('<a href="{}">查看批复存档（批复表）</a>', url)
