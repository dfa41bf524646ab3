from django.contrib import admin

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("level3", "level1", "level2", "value", "comparator", "number", "unit", "basis", "goal")
    list_filter = ("level1", "basis")
    search_fields = ("level3", "goal__project__name")
    list_select_related = ("goal__project",)
    readonly_fields = ("comparator", "number", "unit")
