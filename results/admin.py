from django import forms
from django.contrib import admin, messages

from projects.admin import ReadOnlyAdmin
from projects.admin_history import ReadableHistoryAdmin

from .models import FormTransition, ResultForm, ResultRow, Round, percent
from .services import open_round, round_cutoff


class RoundAdminForm(forms.ModelForm):
    """A self-evaluation round's cut-off is the year's end (left empty, it is filled in);
    a year's second self-evaluation round is refused by the model's constraint."""

    class Meta:
        model = Round
        fields = ("kind", "year", "cutoff")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "cutoff" in self.fields:
            self.fields["cutoff"].required = False
            self.fields["cutoff"].help_text = "运行监控必填；绩效自评固定为12月31日，可留空。"

    def clean(self):
        data = super().clean()
        kind, year, cutoff = data.get("kind"), data.get("year"), data.get("cutoff")
        if kind and year:
            try:
                cutoff = data["cutoff"] = round_cutoff(kind, year, cutoff)
            except ValueError as exc:
                raise forms.ValidationError({"cutoff": str(exc)}) from None
        if year and cutoff and cutoff.year != year:
            raise forms.ValidationError(f"截止日期{cutoff:%Y-%m-%d}不在{year}年度内。")
        return data


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Adding a round opens it: a form for every approved project of the year."""

    form = RoundAdminForm
    list_display = ("__str__", "kind", "year", "cutoff", "opened_by", "opened_at")
    list_filter = ("kind", "year")
    fields = ("kind", "year", "cutoff")

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "year", "cutoff") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return
        report = open_round(obj.kind, obj.year, obj.cutoff, user=request.user)
        obj.pk = report.round.pk
        messages.info(request, report.summary())

    def has_delete_permission(self, request, obj=None):
        return False


class ResultRowInline(admin.TabularInline):
    model = ResultRow
    extra = 0
    fields = ("position", "level1", "level2", "level3", "target", "actual", "likelihood", "light")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ResultForm)
class ResultFormAdmin(ReadableHistoryAdmin):
    """Read-only: units fill forms on their pages; the state changes only through the workflow."""

    list_display = ("project_name", "department_name", "round", "status", "light", "rate")
    list_filter = ("round", "status", "light")
    search_fields = ("project_name", "department_name")
    list_select_related = ("round",)
    inlines = [ResultRowInline]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # All but the internal version counter (the editor's stale check); 执行率 as a percentage.
        names = (field.name for field in ResultForm._meta.fields if field.name != "version")
        return ["rate" if name == "execution_rate" else name for name in names]

    @admin.display(description="执行率", ordering="execution_rate")
    def rate(self, obj):
        """`98.3%`, not the stored ratio 0.9831."""
        return percent(obj.execution_rate) or "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormTransition)
class FormTransitionAdmin(ReadOnlyAdmin):
    project_lookup = "form__project"
    list_display = ("form", "action", "from_status", "to_status", "user", "at")
    fields = ("form", "action", "from_status", "to_status", "user", "comment", "at")
    list_filter = ("action",)
    search_fields = ("form__project_name", "comment")
    list_select_related = ("form__round", "user")
