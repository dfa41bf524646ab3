"""Pages of the indicator library (指标库): the library, an indicator's projects, the
editor's suggestions, common indicators (共性指标) and the Excel export and import.

Names and figures are shared by every signed-in user; the projects behind them are
listed only as far as `Project.objects.restrict(user, "view")` allows. Common
indicators are kept by administrators (the model permission
`indicators.change_commonindicator`; superusers hold it).
"""

import io
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from perfgoals.downloads import download
from projects.models import Department

from . import library
from .library_forms import CommonIndicatorForm, LibraryFilterForm, LibraryImportForm
from .library_xlsx import CONTENT_TYPE, LibraryImportError, import_common, write_library
from .models import CommonIndicator

PAGE_SIZE = 100
MANAGE_PERMISSION = "indicators.change_commonindicator"


def may_manage(user):
    return user.is_active and user.has_perm(MANAGE_PERMISSION)


def _filters(request):
    form = LibraryFilterForm(request.GET)
    return form, form.filters()


def _common_only(groups, filters):
    if not filters.common_only:
        return groups
    keys = {library.name_key(level3) for level3 in CommonIndicator.objects.values_list("level3", flat=True)}
    return groups.filter(key__in=keys)


def _with_spans(items):
    """Rowspans for 一级 and 二级指标 over a page, as the sheet merges them: the first item
    of a run carries the run's length, the others 0 (no cell)."""
    for item in items:
        item.level1_span = item.level2_span = 0
    for attribute, key in (
        ("level1_span", lambda item: item.level1),
        ("level2_span", lambda item: (item.level1, item.level2)),
    ):
        for _, group in groupby(items, key=key):
            run = list(group)
            setattr(run[0], attribute, len(run))
    return items


@login_required
@require_GET
def library_page(request):
    library.refresh_quietly()
    form, filters = _filters(request)
    groups = _common_only(library.groups(filters), filters)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    items = library.items(filters, page.object_list)
    if filters.common_only:
        items = [item for item in items if item.common]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "items": _with_spans(items),
        "query": query.urlencode(),
        "commons": list(CommonIndicator.objects.all()) if not filters.q else [],
        "can_manage": may_manage(request.user),
        "filtered": any(
            (filters.q, filters.year, filters.department, filters.level1, filters.level2, filters.common_only)
        ),
    }
    return render(request, "indicators/library.html", context)


def indicator_ident(request):
    """(level 1, level 2, name key) of the indicator a URL names (?level1=&level2=&name=)."""
    level1 = library.level1_name(request.GET.get("level1", "")[:50])
    level2 = library.level2_name(request.GET.get("level2", "")[:50])
    key = library.name_key(request.GET.get("name", "")[:200])
    if not (level1 and level2 and key):
        raise Http404("请从指标库中选择一项指标。")
    return level1, level2, key


@login_required
@require_GET
def indicator_projects(request):
    """One indicator of the library: its figures and the approved projects (that the
    user may view) using it, with their values."""
    library.refresh_quietly()
    level1, level2, key = indicator_ident(request)
    filters = library.Filters(level1=level1, level2=level2)
    found = library.items(filters, library.groups(filters).filter(key=key))
    if not found:
        raise Http404("指标库中没有这项指标。")
    item = found[0]
    rows = library.project_rows(request.user, level1, level2, key)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "item": item,
        "page": page,
        "visible_projects": rows.values("goal__project_id").distinct().count(),
        "query": urlencode({"level1": level1, "level2": level2, "name": item.name}),
        "can_manage": may_manage(request.user),
    }
    return render(request, "indicators/library_indicator.html", context)


@login_required
@require_GET
def suggest(request):
    """Names for the editor's 三级指标 (JSON): ?level1=&level2=&q=&department=.

    `department` (the project's unit) puts that unit's own names first; a unit the
    user may not see is ignored, as are unknown parameters.
    """
    library.refresh_quietly()
    department = request.GET.get("department", "")
    unit = None
    if department.isdigit():
        unit = (
            Department.objects.restrict(request.user, "view")
            .filter(pk=department)
            .values_list("pk", flat=True)
            .first()
        )
    found = library.suggestions(
        level1=request.GET.get("level1", "")[:50],
        level2=request.GET.get("level2", "")[:50],
        q=request.GET.get("q", "")[:50],
        department=unit,
    )
    return JsonResponse({"suggestions": found})


def _require_manager(request):
    if not may_manage(request.user):
        raise PermissionDenied("只有管理员可以维护共性指标。")


@login_required
@require_http_methods(["GET", "POST"])
def common_indicator(request):
    """Mark an indicator as 共性指标, change the mark or remove it (?level1=&level2=&name=)."""
    _require_manager(request)
    source = request.POST if request.method == "POST" else request.GET
    level1 = library.level1_name(source.get("level1", "")[:50])
    level2 = library.level2_name(source.get("level2", "")[:50])
    level3 = source.get("level3", source.get("name", ""))[:200].strip()
    existing = CommonIndicator.objects.filter(level1=level1, level2=level2, level3=level3).first()
    back = reverse("indicators:library")
    if request.method == "POST" and "delete" in request.POST:
        if existing is not None:
            existing.delete()
            messages.success(request, f"已取消共性指标“{existing.level3}”。")
        return redirect(back)
    if request.method == "POST":
        form = CommonIndicatorForm(request.POST, instance=existing)
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"已将“{saved.level3}”设为共性指标，推荐指标值“{saved.value}”。")
            return redirect(back)
    else:
        initial = {"level1": level1, "level2": level2, "level3": level3}
        if existing is None and level3:
            library.refresh_quietly()
            filters = library.Filters(level1=level1, level2=level2)
            found = library.items(filters, library.groups(filters).filter(key=library.name_key(level3)))
            if found and found[0].measures:
                measure = found[0].measures[0]
                initial["value"] = f"{found[0].comparator_symbol}{measure.median}{measure.unit}"
        form = CommonIndicatorForm(instance=existing, initial=None if existing else initial)
    return render(request, "indicators/common_form.html", {"form": form, "existing": existing})


@login_required
@require_GET
def library_xlsx(request):
    library.refresh_quietly()
    _, filters = _filters(request)
    groups = _common_only(library.groups(filters), filters)
    buffer = io.BytesIO()
    write_library(filters, groups, buffer)
    return download(buffer.getvalue(), CONTENT_TYPE, "指标库.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def library_import(request):
    _require_manager(request)
    form = LibraryImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_common(upload.read())
        except LibraryImportError as exc:
            context["problems"] = exc.problems
        else:
            context["report"] = report
    return render(request, "indicators/library_import.html", context)
