from django.contrib import admin
from django.db import transaction

from projects.admin import ProjectContentAdmin, bump_version, visible_projects
from projects.models import Goal, Project

from .models import CommonIndicator, Indicator


@admin.register(Indicator)
class IndicatorAdmin(ProjectContentAdmin, admin.ModelAdmin):
    """Rows of drafts may be changed; a submitted or approved project's rows are read-only."""

    list_display = ("level3", "level1", "level2", "value", "comparator", "number", "unit", "basis", "goal")
    list_filter = ("level1", "basis")
    search_fields = ("level3", "goal__project__name")
    list_select_related = ("goal__project",)
    readonly_fields = ("comparator", "number", "unit")
    project_lookup = "goal__project_id"

    def project_of(self, obj):
        return obj.goal.project

    def get_queryset(self, request):
        return super().get_queryset(request).filter(goal__project__in=visible_projects(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "goal":
            editable = Project.objects.restrict(request.user, "edit")
            kwargs["queryset"] = Goal.objects.filter(project__in=editable).select_related("project")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            stored = Indicator.objects.filter(pk=obj.pk) if change else Indicator.objects.none()
            before = stored.values_list("goal__project_id", flat=True)
            bump_version(request, [obj.goal.project_id, *before])
            super().save_model(request, obj, form, change)


@admin.register(CommonIndicator)
class CommonIndicatorAdmin(admin.ModelAdmin):
    """共性指标: kept by administrators (also from the library page and its Excel import)."""

    list_display = ("level3", "level1", "level2", "value", "project_type", "active", "updated_at")
    list_filter = ("level1", "project_type", "active")
    search_fields = ("level3", "note")
    fields = ("level1", "level2", "level3", "value", "project_type", "note", "active")

    def get_form(self, request, obj=None, change=False, **kwargs):
        from .library_forms import CommonIndicatorForm

        kwargs["form"] = CommonIndicatorForm
        return super().get_form(request, obj, change, **kwargs)
