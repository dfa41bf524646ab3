import django_tables2 as tables
from django.utils.html import format_html

from indicators.values import normalize_number

from .models import Project


class ProjectTable(tables.Table):
    """The project list; sorting and paging by django-tables2, scoping by the view."""

    year = tables.Column(verbose_name="年度", attrs={"td": {"class": "num"}})
    department = tables.Column(verbose_name="预算单位", order_by=("department__name",))
    name = tables.Column(verbose_name="项目名称", linkify=("projects:detail", {"pk": tables.A("pk")}))
    budget = tables.Column(
        verbose_name="项目预算（万元）", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    project_type = tables.Column(verbose_name="项目类型")
    status = tables.Column(verbose_name="状态")
    updated_at = tables.DateTimeColumn(verbose_name="更新时间", format="Y-m-d H:i")

    class Meta:
        model = Project
        fields = ("year", "department", "name", "budget", "project_type", "status", "updated_at")
        template_name = "django_tables2/table.html"
        attrs = {"class": "grid project-table"}
        empty_text = "没有符合条件的项目。"
        order_by = ("-year", "department", "name")

    def render_budget(self, value):
        return normalize_number(value)

    def render_status(self, record):
        return format_html(
            '<span class="status status-{}">{}</span>', record.status, record.get_status_display()
        )
