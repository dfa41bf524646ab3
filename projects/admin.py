from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator

from .models import ApprovalSnapshot, Department, Funding, Goal, Membership, Project, Transition


class ProjectAdminForm(forms.ModelForm):
    funding = forms.MultipleChoiceField(
        label="资金性质", choices=Funding.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Project
        fields = ("year", "department", "name", "budget", "project_type", "funding", "rationale")


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    fields = ("term", "position", "name", "text")
    show_change_link = True


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("position", "level1", "level2", "level3", "value", "basis")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "role")
    list_filter = ("role", "department")
    search_fields = ("user__username", "department__name")


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    form = ProjectAdminForm
    list_display = ("name", "year", "department", "budget", "project_type", "status", "updated_at")
    list_filter = ("year", "status", "project_type", "department")
    search_fields = ("name", "rationale")
    # The state changes only through the workflow (提交, 批复, 退回, 重新打开), which records each step.
    readonly_fields = ("status", "version", "created_at", "updated_at")
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ("name", "project", "term")
    list_filter = ("term", "project__year")
    search_fields = ("name", "project__name")
    list_select_related = ("project",)
    inlines = [IndicatorInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The audit records: viewable, never added, changed or deleted on a screen."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("project", "action", "from_status", "to_status", "user", "at")
    list_filter = ("action", "project__department")
    search_fields = ("project__name", "comment")
    list_select_related = ("project", "user")


@admin.register(ApprovalSnapshot)
class ApprovalSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("project", "version", "approved_by_name", "approved_at")
    list_filter = ("project__department",)
    search_fields = ("project__name", "comment")
    list_select_related = ("project",)
