import django_tables2 as tables

from .models import ResultForm

NUMERIC = {"td": {"class": "num"}, "th": {"class": "num"}}


class ResultFormTable(tables.Table):
    """The overview of a round: sorting, paging and headers by django-tables2, scoping by
    the view; the rows are drawn by `results/_overview_table.html` from the records."""

    project_name = tables.Column(verbose_name="项目名称")
    department_name = tables.Column(verbose_name="预算单位")
    status = tables.Column(verbose_name="状态")
    budget_full = tables.Column(verbose_name="全年预算数（万元）", attrs=NUMERIC)
    executed = tables.Column(verbose_name="执行数（万元）", attrs=NUMERIC)
    execution_rate = tables.Column(verbose_name="执行率", attrs=NUMERIC)
    funds_light = tables.Column(verbose_name="资金预警")
    behind = tables.Column(verbose_name="落后指标", attrs=NUMERIC)
    ahead = tables.Column(verbose_name="超前指标", attrs=NUMERIC)
    light = tables.Column(verbose_name="项目预警")

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
        template_name = "results/_overview_table.html"
        attrs = {"class": "grid result-table"}
        empty_text = "没有符合条件的监控表。"
        order_by = ("-light", "department_name", "project_name")

    def __init__(self, *args, period="", **kwargs):
        super().__init__(*args, **kwargs)
        self.columns["executed"].column.verbose_name = f"{period}执行数（万元）"


class EvaluationTable(tables.Table):
    """The overview of a self-evaluation round: scores and grades instead of lights."""

    project_name = tables.Column(verbose_name="项目名称")
    department_name = tables.Column(verbose_name="预算单位")
    status = tables.Column(verbose_name="状态")
    budget_full = tables.Column(verbose_name="全年预算数（万元）", attrs=NUMERIC)
    executed = tables.Column(verbose_name="全年执行数（万元）", attrs=NUMERIC)
    execution_rate = tables.Column(verbose_name="执行率", attrs=NUMERIC)
    budget_score = tables.Column(verbose_name="预算执行得分", attrs=NUMERIC)
    behind = tables.Column(verbose_name="未达分值指标", attrs=NUMERIC)
    total = tables.Column(verbose_name="总分", attrs=NUMERIC)
    grade = tables.Column(verbose_name="等级")

    class Meta:
        model = ResultForm
        fields = (
            "project_name",
            "department_name",
            "status",
            "budget_full",
            "executed",
            "execution_rate",
            "budget_score",
            "behind",
            "total",
            "grade",
        )
        template_name = "results/_evaluation_table.html"
        attrs = {"class": "grid result-table"}
        empty_text = "没有符合条件的自评表。"
        order_by = ("department_name", "project_name")

    def __init__(self, *args, period="", **kwargs):
        super().__init__(*args, **kwargs)
