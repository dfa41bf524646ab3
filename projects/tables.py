import django_tables2 as tables
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html

from indicators.values import normalize_number

from .models import Project, ProjectType, Status

# Sort states in the order of the workflow and types in the order of the sheet, not by code.
STATUS_ORDER = (
    Status.DRAFT,
    Status.RETURNED,
    Status.SUBMITTED,
    Status.PENDING_PARENT,
    Status.PENDING_FINANCE,
    Status.APPROVED,
)


def _by_rank(queryset, field, values, is_descending):
    rank = Case(
        *(When(**{field: value}, then=Value(i)) for i, value in enumerate(values)),
        output_field=IntegerField(),
    )
    key = f"{field}_rank"
    queryset = queryset.annotate(**{key: rank}).order_by(f"-{key}" if is_descending else key, "-year", "name")
    return queryset, True


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
    # Not data: 删除 for the drafts the user may edit (the view annotates `may_delete`).
    actions = tables.Column(
        verbose_name="操作",
        empty_values=(),
        orderable=False,
        attrs={"th": {"class": "no-print"}, "td": {"class": "no-print"}},
    )

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

    def render_actions(self, record):
        if not getattr(record, "may_delete", False):
            return ""
        return format_html(
            '<a class="delete-link" href="{}">删除</a>', reverse("projects:delete", args=[record.pk])
        )

    def order_status(self, queryset, is_descending):
        return _by_rank(queryset, "status", STATUS_ORDER, is_descending)

    def order_project_type(self, queryset, is_descending):
        return _by_rank(queryset, "project_type", ProjectType.values, is_descending)
