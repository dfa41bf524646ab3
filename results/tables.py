import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .documents.layout import light_text
from .models import ResultForm, amount, percent


def light_badge(light, ahead=False):
    if not light:
        return mark_safe('<span class="light light-none">未评</span>')
    code = {1: "green", 2: "yellow", 3: "red"}[light]
    return format_html('<span class="light light-{}">{}</span>', code, light_text(light, ahead))


class ResultFormTable(tables.Table):
    """The overview of a round; sorting and paging by django-tables2, scoping by the view."""

    project_name = tables.Column(verbose_name="项目名称", linkify=("results:form", {"pk": tables.A("pk")}))
    department_name = tables.Column(verbose_name="预算单位")
    status = tables.Column(verbose_name="状态")
    budget_full = tables.Column(
        verbose_name="全年预算数（万元）", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    executed = tables.Column(
        verbose_name="执行数（万元）", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    execution_rate = tables.Column(
        verbose_name="执行率", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    funds_light = tables.Column(verbose_name="资金预警", attrs={"td": {"class": "center"}})
    behind = tables.Column(verbose_name="落后指标", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    ahead = tables.Column(verbose_name="超前指标", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    light = tables.Column(verbose_name="项目预警", attrs={"td": {"class": "center"}})

    class Meta:
        model = ResultForm
        fields = (
            "project_name",
            "department_name",
            "status",
            "budget_full",
            "executed",
            "execution_rate",
            "funds_light",
            "behind",
            "ahead",
            "light",
        )
        template_name = "django_tables2/table.html"
        attrs = {"class": "grid result-table"}
        empty_text = "没有符合条件的监控表。"
        order_by = ("-light", "department_name", "project_name")

    def __init__(self, *args, period="", **kwargs):
        super().__init__(*args, **kwargs)
        self.columns["executed"].column.verbose_name = f"{period}执行数（万元）"

    def render_budget_full(self, value):
        return amount(value)

    def render_executed(self, value):
        return amount(value)

    def render_execution_rate(self, value):
        return percent(value)

    # django-tables2 passes a choice field's label: the badges read the stored codes.
    def render_funds_light(self, record):
        return light_badge(record.funds_light, record.funds_ahead)

    def render_light(self, record):
        return light_badge(record.light)

    def render_behind(self, value):
        return value or "—"

    def render_ahead(self, value):
        return value or "—"
