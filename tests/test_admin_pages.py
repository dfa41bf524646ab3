"""Every page of the admin (数据维护) opens: the list and a change page of every registered
model, for a superuser, with an object of each model the workflow makes (issue: the
监控表流转记录 list failed with FieldError, its admin filtered on a `project` it does not have)."""

from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from indicators.models import CommonIndicator
from projects.models import Role
from results.models import FormTransition, Kind
from results.services import open_round

from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, member


@pytest.fixture
def everything(db, django_user_model):
    """An approved project with its record, a monitoring round with its form and a step of
    the form, a common indicator, a group and the login records."""
    filler = member(django_user_model, "填报", UNIT, Role.FILLER)
    reviewer = member(django_user_model, "审核", UNIT, Role.REVIEWER)
    project = clean_project()
    project.submit(filler)
    project.approve(reviewer, "同意。")
    form = open_round(Kind.MONITORING, 2025, date(2025, 6, 30)).round.forms.get()
    FormTransition.objects.create(
        form=form, action="submit", from_status="draft", to_status="submitted", user=filler, version=1
    )
    CommonIndicator.objects.create(
        level1="满意度指标", level2="服务对象满意度指标", level3="用户满意度", value="≥90%"
    )
    Group.objects.create(name="填报人组")
    attempt = {"ip_address": "127.0.0.1", "user_agent": "浏览器", "username": "填报", "path_info": "/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    return django_user_model.objects.create_superuser("管理员", password=None)


def test_every_admin_list_and_change_page_opens_for_a_superuser(client, everything):
    client.force_login(everything)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        listed = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert listed.status_code == 200, meta.label
        assert listed.context["cl"].result_count == model_admin.get_queryset(listed.wsgi_request).count()
        obj = model_admin.get_queryset(listed.wsgi_request).first()
        assert obj is not None, f"{meta.label}: no object to open"
        change = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
        assert change.status_code == 200, meta.label


def test_a_staff_member_of_another_unit_sees_no_form_and_no_step_of_it(client, everything, django_user_model):
    staff = member(django_user_model, "别的单位", OTHER_UNIT, Role.FILLER, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="results"))
    client.force_login(staff)
    for name in ("resultform", "formtransition"):
        listed = client.get(reverse(f"admin:results_{name}_changelist"))
        assert listed.status_code == 200 and listed.context["cl"].result_count == 0, name
    client.force_login(everything)
    for name in ("resultform", "formtransition"):
        assert client.get(reverse(f"admin:results_{name}_changelist")).context["cl"].result_count == 1, name
