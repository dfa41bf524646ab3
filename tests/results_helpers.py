"""Builders of the monitoring tests: the seed approved through the workflow, a round, a
form filled with the figures of the issue's example."""

from datetime import date
from decimal import Decimal

from indicators import checks
from indicators.models import Indicator
from projects.models import Project
from results.forms import FormEditor
from results.models import Kind, ResultForm
from results.services import open_round

PROJECT = "一窗受理工作项目"
CUTOFF = date(2025, 6, 30)


def approve(project, filler, reviewer):
    """Submit and approve `project` through the workflow (warnings confirmed)."""
    project.submit(filler, confirm_warnings=True)
    project.approve(reviewer, "同意")


def approve_seed(users):
    """Approve every seed project whose only errors are 社会效益 rows filed under 产出指标:
    the filler moves them to 效益指标 (as the review check says), then the workflow runs.
    Returns the approved projects by name."""
    approved = {}
    for project in Project.objects.with_tree().order_by("pk"):
        for row in Indicator.objects.filter(goal__project=project, level1="产出指标"):
            if row.canonical_level2 == "社会效益指标":
                row.level1 = "效益指标"
                row.save()
        fresh = Project.objects.with_tree().get(pk=project.pk)
        if checks.errors(checks.check_project(fresh)):
            continue
        approve(fresh, users["filler"], users["reviewer"])
        approved[fresh.name] = fresh
    return approved


def monitoring_round():
    return open_round(Kind.MONITORING, 2025, CUTOFF).round


def form_of(name=PROJECT, round_=None):
    forms = ResultForm.objects.with_rows().filter(project_name=name)
    if round_ is not None:
        forms = forms.filter(round=round_)
    return forms.get()


# The figures of the example: 总成本 yellow, 工作人员 red, 满意度 green (see test_results_lights).
FIGURES = {
    "总成本": {"actual": "100万元", "forecast": "260万元", "likelihood": "certain"},
    "服务窗口工作人员数量": {"actual": "20人", "forecast": "30人", "likelihood": "possible"},
    "优化政务服务环境": {"actual": "窗口统一受理，环境持续优化", "likelihood": "certain"},
    "提高窗口人员服务质量": {"actual": "开展培训2次", "likelihood": "certain"},
    "群众满意度": {"actual": "97%", "forecast": "98%", "likelihood": "certain"},
}
REASONS = {
    "总成本": {"causes": ["funding"], "reason": "部分经费下半年拨付", "note": "加快支付进度"},
    "服务窗口工作人员数量": {"causes": ["staff"], "reason": "招聘未完成", "note": "三季度完成招聘"},
}
FUNDS = {"budget_full": "266", "executed": "100", "forecast": "260", "summary": "各窗口运行正常。"}


def fill(form, figures=FIGURES, funds=FUNDS, reasons=None, user=None):
    """Fill `form` through the editor the browser uses; returns the saved form."""
    rows = list(form.rows.all())
    values = dict(funds)
    values["rows"] = []
    for row in rows:
        given = {"causes": [], "reason": "", "note": "", "forecast": "", **figures.get(row.level3, {})}
        given.update((reasons or {}).get(row.level3, {}))
        values["rows"].append(given)
    editor = FormEditor(form, FormEditor.data_from(values, form, rows), rows=rows)
    assert editor.is_valid(), editor.errors
    return editor.save(user)


def share(value):
    return Decimal(value).quantize(Decimal("0.0001"))
