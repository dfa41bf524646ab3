"""The administrators' pages (系统管理): units, users and roles, year settings.

Only administrators (`permissions.may_administer`: active superusers) reach
them; everyone else gets 403. Every change goes through `projects.accounts` or
`projects.units`, which log it (AdminChange), and each page shows the log of
what it manages: who, when, before → after.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import accounts, permissions
from .accounts import AccountError
from .manage_forms import (
    AssignRoleForm,
    NewUserForm,
    UnitForm,
    UnitListForm,
    YearSettingForm,
    units_in_tree_order,
)
from .models import AdminChange, Department, Membership, Project, YearSetting
from .services import log_refused
from .units import UnitListError, import_units, read_unit_list, save_unit, unit_text

LOG_LENGTH = 50


def administrators_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.may_administer(request.user):
            raise PermissionDenied("系统管理（单位、用户、年度设置）仅对管理员开放。")
        return view(request, *args, **kwargs)

    return wrapped


def _log(subject, subject_id=None):
    entries = AdminChange.objects.filter(subject=subject)
    if subject_id is not None:
        entries = entries.filter(subject_id=str(subject_id))
    return entries.select_related("actor")[:LOG_LENGTH]


# -- units -------------------------------------------------------------------------


@administrators_only
def units(request):
    visible = Department.objects.restrict(request.user, "view").annotate(
        member_count=Count("memberships", distinct=True), project_count=Count("projects", distinct=True)
    )
    context = {"units": units_in_tree_order(visible), "log": _log(AdminChange.Subject.UNIT), "tab": "units"}
    return render(request, "manage/units.html", context)


@administrators_only
def unit_import(request):
    bound = request.method == "POST"
    form = UnitListForm(request.POST if bound else None, request.FILES if bound else None)
    context = {"form": form, "tab": "units"}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_units(read_unit_list(upload.name, upload.read()), request.user)
        except UnitListError as exc:
            log_refused(upload.name, exc, request.user)
            context["problems"] = exc.problems
        else:
            context.update(report=report, filename=upload.name)
    return render(request, "manage/unit_import.html", context)


@administrators_only
def unit_edit(request, pk=None):
    unit = get_object_or_404(Department.objects.restrict(request.user, "view"), pk=pk) if pk else Department()
    before = unit_text(unit.code, unit.name, unit.parent.name if unit.parent_id else "") if pk else ""
    form = UnitForm(request.POST if request.method == "POST" else None, instance=unit)
    if request.method == "POST" and form.is_valid():
        saved = save_unit(request.user, form.save(commit=False), before)
        messages.success(request, f"已保存单位“{saved.name}”。")
        return redirect("manage:units")
    context = {
        "form": form,
        "unit": unit if pk else None,
        "children": list(unit.children.order_by("name")) if pk else [],
        "log": _log(AdminChange.Subject.UNIT, pk) if pk else [],
        "tab": "units",
    }
    return render(request, "manage/unit_form.html", context, status=400 if form.errors else 200)


# -- users -------------------------------------------------------------------------


def _memberships():
    return Prefetch(
        "memberships", queryset=Membership.objects.select_related("department").order_by("department__name")
    )


@administrators_only
def users(request):
    people = get_user_model().objects.order_by("-is_active", "username").prefetch_related(_memberships())
    query = request.GET.get("q", "").strip()[:100]
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(memberships__department__name__icontains=query)
        ).distinct()
    context = {
        "people": people,
        "query": query,
        "form": NewUserForm(),
        "log": _log(AdminChange.Subject.USER),
        "tab": "users",
    }
    return render(request, "manage/users.html", context)


@administrators_only
@require_POST
def user_create(request):
    form = NewUserForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user, generated = accounts.create_user(
                request.user, data["username"], data["full_name"], data["password"] or None
            )
        except AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新增用户 {user.username}，请为其分配角色。")
            if generated:
                messages.warning(
                    request, f"初始密码：{generated}（只显示这一次，请转告本人并要求登录后修改）"
                )
            return redirect("manage:user", pk=user.pk)
    people = get_user_model().objects.order_by("-is_active", "username").prefetch_related(_memberships())
    context = {"people": people, "form": form, "log": _log(AdminChange.Subject.USER), "tab": "users"}
    return render(request, "manage/users.html", context, status=400)


def _user_page(request, person, role_form=None, status=200):
    context = {
        "person": person,
        "memberships": person.memberships.select_related("department__parent").order_by("department__name"),
        "role_form": role_form or AssignRoleForm(),
        "log": _log(AdminChange.Subject.USER, person.pk),
        "tab": "users",
    }
    return render(request, "manage/user.html", context, status=status)


@administrators_only
def user_detail(request, pk):
    return _user_page(request, get_object_or_404(get_user_model(), pk=pk))


@administrators_only
@require_POST
def user_roles(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    form = AssignRoleForm(request.POST)
    if not form.is_valid():
        return _user_page(request, person, form, status=400)
    data = form.cleaned_data
    try:
        outcomes = accounts.assign_roles(
            request.user, person, units_in_tree_order(data["units"]), data["role"], data["scope"]
        )
    except AccountError as exc:
        form.add_error(None, exc.message)
        return _user_page(request, person, form, status=400)
    done = [unit.name for unit, outcome in outcomes if outcome]
    if done:
        messages.success(request, f"已为 {person.username} 分配或调整角色：" + "、".join(done) + "。")
    else:
        messages.info(request, "所选角色已存在，未作改动。")
    return redirect("manage:user", pk=person.pk)


@administrators_only
@require_POST
def user_role_remove(request, pk, membership_id):
    person = get_object_or_404(get_user_model(), pk=pk)
    membership = get_object_or_404(
        Membership.objects.select_related("department"), pk=membership_id, user=person
    )
    accounts.remove_role(request.user, membership)
    messages.success(request, f"已移除 {person.username} 的角色：{accounts.membership_text(membership)}。")
    return redirect("manage:user", pk=person.pk)


@administrators_only
@require_POST
def user_active(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        changed = accounts.set_active(request.user, person, active)
    except AccountError as exc:
        messages.error(request, exc.message)
        return redirect("manage:user", pk=person.pk)
    if changed:
        messages.success(request, f"已{'启用' if active else '停用'}账号 {person.username}。")
    return redirect("manage:user", pk=person.pk)


# -- years -------------------------------------------------------------------------


@administrators_only
def years(request):
    form = YearSettingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        setting, changed = accounts.configure_year(
            request.user, data["year"], data["two_level"], data["finance_body"]
        )
        if changed:
            messages.success(request, f"已保存{setting.year}年度设置：{accounts.year_text(setting)}。")
        else:
            messages.info(request, f"{setting.year}年度设置未变化。")
        return redirect("manage:years")
    stored = {setting.year: setting for setting in YearSetting.objects.all()}
    counts = dict(
        Project.objects.restrict(request.user, "view")
        .order_by()
        .values_list("year")
        .annotate(count=Count("pk"))
        .values_list("year", "count")
    )
    rows = [
        {"setting": stored.get(year) or YearSetting(year=year), "projects": counts.get(year, 0)}
        for year in sorted(set(stored) | set(counts), reverse=True)
    ]
    context = {"rows": rows, "form": form, "log": _log(AdminChange.Subject.YEAR), "tab": "years"}
    return render(request, "manage/years.html", context, status=400 if form.errors else 200)
