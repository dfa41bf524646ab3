"""The statistics page (统计分析) and the Excel of its figures, for what the user may see."""

import io

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from perfgoals.downloads import download
from projects.models import Department

from . import sections
from .xlsx import CONTENT_TYPE, write_charts


def _scope(request):
    year = request.GET.get("year", "")
    return sections.Scope(request.user, int(year) if year.isdigit() and len(year) == 4 else None)


def _scope_note(scope):
    """Whose projects the figures count, in the page's words."""
    if scope.user.is_superuser:
        return "全部预算单位的项目"
    names = list(
        Department.objects.restrict(scope.user, "view").order_by("name").values_list("name", flat=True)
    )
    if not names:
        return "无（您不属于任何预算单位，没有可统计的项目）"
    if len(names) <= 3:
        return f"{'、'.join(names)}的项目"
    return f"{'、'.join(names[:3])}等{len(names)}个单位的项目"


@login_required
@require_GET
def statistics(request):
    scope = _scope(request)
    built = sections.build(scope)
    context = {
        "scope": scope,
        "scope_note": _scope_note(scope),
        "sections": built,
        "charts": [chart for section in built for chart in section.charts],
    }
    return render(request, "stats/index.html", context)


@login_required
@require_GET
def statistics_xlsx(request):
    """The figures of every chart (one sheet each), or of one (?chart=by_unit)."""
    scope = _scope(request)
    charts = [chart for section in sections.build(scope) for chart in section.charts]
    wanted = request.GET.get("chart")
    if wanted:
        charts = [chart for chart in charts if chart.key == wanted]
        if not charts:
            raise Http404("没有这张图表。")
    buffer = io.BytesIO()
    write_charts(charts, scope.year, _scope_note(scope), buffer)
    name = f"{scope.year or ''}年统计分析{'（' + charts[0].title + '）' if wanted else ''}.xlsx"
    return download(buffer.getvalue(), CONTENT_TYPE, name)
