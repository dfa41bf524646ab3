"""用户与角色 and 年度设置: administrators add users, assign and remove roles, deactivate
accounts and set a year's review; every change is logged and shown on the page.
(Who may open these pages at all: tests/test_url_permissions.py.)"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from projects.models import AdminChange, Department, Membership, Project, Role, Scope, YearSetting
from tests.workflow_helpers import clean_project


@pytest.fixture
def units(db):
    main = Department.objects.create(code="101", name="鄂州市数据局")
    child = Department.objects.create(code="101001", name="鄂州市政务服务中心", parent=main)
    other = Department.objects.create(code="102", name="鄂州市民政局")
    return main, child, other


@pytest.fixture
def admin(db, django_user_model, client):
    user = django_user_model.objects.create_superuser("guanli", password=None, first_name="管理员甲")
    client.force_login(user)
    return user


def logged(user=None):
    entries = AdminChange.objects.filter(subject="user").order_by("id")
    if user is not None:
        entries = entries.filter(subject_id=str(user.pk))
    return [(e.action, e.before, e.after, e.actor_name) for e in entries]


def accounts():
    return (
        list(get_user_model().objects.order_by("pk").values_list("username", "is_active", "password")),
        list(Membership.objects.order_by("pk").values()),
        AdminChange.objects.count(),
    )


def test_an_administrator_adds_a_user_whose_generated_password_works(admin, client, units):
    response = client.post(reverse("manage:user_create"), {"username": "caizheng", "full_name": "蔡正"})
    user = get_user_model().objects.get(username="caizheng")
    assert response.status_code == 302 and response["Location"] == reverse("manage:user", args=[user.pk])
    page = client.get(response["Location"]).content.decode()
    password = re.search(r"初始密码：(\w+)（只显示这一次", page)[1]
    assert "用户：caizheng（蔡正）" in page
    assert logged(user) == [("新增用户", "", "用户名：caizheng；姓名：蔡正；状态：启用", "管理员甲")]
    client.logout()
    assert client.login(username="caizheng", password=password)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "guanli"}, "用户名“guanli”已存在"),
        ({"username": "有 空格"}, "用户名“有 空格”无效"),
        ({"username": ""}, "请填写用户名"),
        ({"username": "lisi", "password": "123"}, "密码不符合要求"),
    ],
)
def test_a_bad_new_user_is_refused_with_its_reason(admin, client, data, message):
    before = accounts()
    response = client.post(reverse("manage:user_create"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert accounts() == before


def test_a_finance_reviewer_is_assigned_to_several_departments_at_once(admin, client, units):
    main, _, other = units
    user = get_user_model().objects.create_user("caizheng", first_name="蔡正")
    url = reverse("manage:user_roles", args=[user.pk])
    response = client.post(url, {"units": [main.pk, other.pk], "role": Role.FINANCE, "scope": Scope.UNIT})
    assert response.status_code == 302
    roles = set(Membership.objects.filter(user=user).values_list("department__name", "role", "scope"))
    assert roles == {("鄂州市数据局", "finance", "tree"), ("鄂州市民政局", "finance", "tree")}
    assert logged(user)[-1][1:3] == (
        "（无）",
        "鄂州市数据局 · 财政审核人（本单位及所属单位）；鄂州市民政局 · 财政审核人（本单位及所属单位）",
    )
    page = client.get(reverse("manage:user", args=[user.pk])).content.decode()
    assert "分配角色" in page and "<del>（无）</del>" in page  # the log, before → after, on the page
    # the finance reviewer now sees the 所属单位's projects
    project = clean_project(unit="鄂州市政务服务中心")
    assert Project.objects.restrict(user, "view").contains(project)


def test_a_finance_reviewer_cannot_be_assigned_to_a_unit_under_a_department(admin, client, units):
    main, child, _ = units
    user = get_user_model().objects.create_user("caizheng")
    before = accounts()
    response = client.post(
        reverse("manage:user_roles", args=[user.pk]), {"units": [main.pk, child.pk], "role": Role.FINANCE}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“鄂州市政务服务中心”是“鄂州市数据局”的所属单位；财政审核人应分配到主管部门" in page
    assert accounts() == before  # neither unit: all or nothing


def test_a_reviewer_with_scope_tree_and_its_change_back(admin, client, units):
    main, child, _ = units
    user = get_user_model().objects.create_user("chushen")
    url = reverse("manage:user_roles", args=[user.pk])
    client.post(url, {"units": [main.pk], "role": Role.REVIEWER, "scope": Scope.TREE})
    project = clean_project(unit=child.name)
    assert Project.objects.restrict(user, "view").contains(project)
    client.post(url, {"units": [main.pk], "role": Role.REVIEWER, "scope": Scope.UNIT})
    assert not Project.objects.restrict(user, "view").contains(project)
    assert [entry[0] for entry in logged(user)] == ["分配角色", "修改角色范围"]
    assert "（本单位及所属单位）" in logged(user)[1][1] and "（本单位）" in logged(user)[1][2]


def test_an_administrator_removes_a_role(admin, client, units):
    main, _, _ = units
    user = get_user_model().objects.create_user("tianbao")
    membership = Membership.objects.create(user=user, department=main, role=Role.FILLER)
    response = client.post(reverse("manage:user_role_remove", args=[user.pk, membership.pk]))
    assert response.status_code == 302 and not Membership.objects.filter(user=user).exists()
    assert logged(user) == [("移除角色", "鄂州市数据局 · 填报人（本单位）", "（无）", "管理员甲")]


def test_a_role_of_another_user_cannot_be_removed_through_this_user(admin, client, units):
    main, _, _ = units
    one = get_user_model().objects.create_user("one")
    other = get_user_model().objects.create_user("other")
    membership = Membership.objects.create(user=other, department=main, role=Role.FILLER)
    before = accounts()
    assert client.post(reverse("manage:user_role_remove", args=[one.pk, membership.pk])).status_code == 404
    assert accounts() == before


def test_a_deactivated_account_can_do_nothing_and_is_logged(admin, client, units):
    main, _, _ = units
    user = get_user_model().objects.create_user("tianbao", password="Tianbao-2025-x")
    Membership.objects.create(user=user, department=main, role=Role.FILLER)
    clean_project(unit=main.name)
    client.post(reverse("manage:user_active", args=[user.pk]), {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active and not Project.objects.restrict(user, "view").exists()
    assert logged(user)[-1][:3] == (
        "停用账号",
        "用户名：tianbao；姓名：（无）；状态：启用",
        "用户名：tianbao；姓名：（无）；状态：停用",
    )
    page = client.get(reverse("manage:users")).content.decode()
    assert "已停用" in page and "停用账号" in page
    other = type(client)()
    assert not other.login(username="tianbao", password="Tianbao-2025-x")
    client.post(reverse("manage:user_active", args=[user.pk]), {"active": "1"})
    assert get_user_model().objects.get(pk=user.pk).is_active


def test_an_administrator_cannot_deactivate_themselves(admin, client):
    before = accounts()
    response = client.post(reverse("manage:user_active", args=[admin.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    assert accounts() == before


def test_the_user_list_finds_people_by_unit(admin, client, units):
    main, _, other = units
    for name, unit in (("tianbao", main), ("minzheng", other)):
        Membership.objects.create(
            user=get_user_model().objects.create_user(name), department=unit, role=Role.FILLER
        )
    page = client.get(reverse("manage:users"), {"q": "民政"}).content.decode()
    assert "minzheng" in page and "tianbao" not in page


def test_commands_are_logged_too(db, units):
    from io import StringIO

    from django.core.management import call_command

    call_command("adduser", "caizheng", "--role", "财政审核人", "--department", "101", stdout=StringIO())
    user = get_user_model().objects.get(username="caizheng")
    assert [entry[0] for entry in logged(user)] == ["新增用户", "分配角色"]
    assert logged(user)[-1][3] == "系统（命令行）"


# -- years ------------------------------------------------------------------------------


def test_an_administrator_switches_a_year_to_two_level_review(admin, client, units):
    clean_project(unit=units[1].name)
    response = client.post(
        reverse("manage:years"), {"year": "2025", "two_level": "on", "finance_body": " 鄂州市财政局 "}
    )
    assert response.status_code == 302
    setting = YearSetting.objects.get(year=2025)
    assert (setting.two_level, setting.finance_body) == (True, "鄂州市财政局")
    page = client.get(reverse("manage:years")).content.decode()
    assert "两级审核" in page and "鄂州市财政局" in page
    entry = AdminChange.objects.get(subject="year")
    assert (entry.before, entry.after) == ("", "两级审核；财政部门：鄂州市财政局")
    client.post(reverse("manage:years"), {"year": "2025", "finance_body": "鄂州市财政局"})
    entry = AdminChange.objects.filter(subject="year").latest("id")
    assert (entry.before, entry.after) == (
        "两级审核；财政部门：鄂州市财政局",
        "一级审核；财政部门：鄂州市财政局",
    )
    assert (
        "<del>两级审核；财政部门：鄂州市财政局</del>" in client.get(reverse("manage:years")).content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [({"year": "1999"}, "年度应在2000至2100之间"), ({"year": "abc"}, "年度应为四位数字"), ({}, "请填写年度")],
)
def test_a_bad_year_setting_is_refused(admin, client, data, message):
    response = client.post(reverse("manage:years"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not YearSetting.objects.exists() and not AdminChange.objects.exists()
