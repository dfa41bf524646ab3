from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from projects.models import Department, Membership, Role


def adduser(*args):
    out = StringIO()
    call_command("adduser", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_user_and_a_unit_and_prints_the_password(db, client):
    out = adduser("zhangsan", "--role", "填报人", "--department", "鄂州市民政局")
    password = out.split("初始密码：")[1].split("（")[0]
    assert "已创建预算单位“鄂州市民政局”" in out and len(password) >= 12
    membership = Membership.objects.get(user__username="zhangsan")
    assert (membership.department.name, membership.role) == ("鄂州市民政局", Role.FILLER)
    assert client.login(username="zhangsan", password=password)


def test_it_accepts_role_codes_and_a_given_password(db, client):
    Department.objects.create(name="鄂州市数据局")
    out = adduser("lisi", "--role", "reviewer", "--department", "鄂州市数据局", "--password", "Shenhe-2025-x")
    assert "初始密码" not in out and "已创建预算单位" not in out
    assert Membership.objects.get(user__username="lisi").role == Role.REVIEWER
    assert client.login(username="lisi", password="Shenhe-2025-x")


def test_it_adds_a_membership_to_an_existing_user(db):
    adduser("wangwu", "--role", "填报人", "--department", "鄂州市数据局")
    out = adduser("wangwu", "--role", "审核人", "--department", "鄂州市财政局")
    assert "初始密码" not in out
    assert get_user_model().objects.filter(username="wangwu").count() == 1
    assert set(
        Membership.objects.filter(user__username="wangwu").values_list("department__name", "role")
    ) == {
        ("鄂州市数据局", Role.FILLER),
        ("鄂州市财政局", Role.REVIEWER),
    }
    again = adduser("wangwu", "--role", "审核人", "--department", "鄂州市财政局")
    assert "已是“鄂州市财政局”的审核人" in again
    assert Membership.objects.filter(user__username="wangwu").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "局长", "--department", "鄂州市数据局"], "请用 --role 指定角色：填报人 或 审核人"),
        (["--department", "鄂州市数据局"], "请用 --role 指定角色"),
        (["--role", "填报人"], "请用 --department 指定预算单位名称"),
        (["--role", "填报人", "--department", "  "], "请用 --department 指定预算单位名称"),
        (["--role", "填报人", "--department", "鄂州市数据局", "--password", "123"], "密码不符合要求"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(db, args, message):
    with pytest.raises(CommandError) as refused:
        adduser("zhaoliu", *args)
    assert message in str(refused.value)
    assert not get_user_model().objects.filter(username="zhaoliu").exists()
    assert not Department.objects.exists()


def test_it_refuses_an_invalid_username(db):
    with pytest.raises(CommandError) as refused:
        adduser("有 空格", "--role", "填报人", "--department", "鄂州市数据局")
    assert "用户名“有 空格”无效" in str(refused.value)


def test_setup_demo_creates_a_filler_and_a_reviewer_to_try_the_workflow(db, client):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert "鄂州市数据局填报人：用户名 tianbao，密码 perfgoals-demo" in out.getvalue()
    assert "鄂州市数据局审核人：用户名 shenhe，密码 perfgoals-demo" in out.getvalue()
    call_command("setup_demo", stdout=StringIO())
    assert Membership.objects.filter(user__username__in=["tianbao", "shenhe"]).count() == 2
    assert client.login(username="shenhe", password="perfgoals-demo")
    assert client.get("/queue/").status_code == 200
    assert client.login(username="tianbao", password="perfgoals-demo")
    assert "城市数字公共基础设施专班工作经费" in client.get("/").content.decode()


# -- several units, scopes and the finance reviewer ----------------------------------


def test_it_assigns_one_role_in_several_units_by_name_or_code(db):
    Department.objects.create(code="101", name="鄂州市数据局")
    out = adduser("wangwu", "--role", "审核人", "--department", "101", "--department", "鄂州市民政局")
    assert set(
        Membership.objects.filter(user__username="wangwu").values_list("department__name", "scope")
    ) == {
        ("鄂州市数据局", "unit"),
        ("鄂州市民政局", "unit"),
    }
    assert "wangwu 现为“鄂州市数据局”的审核人。" in out and "已创建预算单位“鄂州市民政局”" in out


def test_scope_tree_lets_a_departments_reviewer_reach_its_units_and_can_be_changed_back(db):
    main = Department.objects.create(code="101", name="鄂州市数据局")
    Department.objects.create(code="101001", name="鄂州市政务服务中心", parent=main)
    out = adduser("chushen", "--role", "审核人", "--department", "101", "--scope", "tree")
    assert "现为“鄂州市数据局”的审核人（含所属单位）" in out
    user = get_user_model().objects.get(username="chushen")
    assert set(Department.objects.restrict(user, "review").values_list("name", flat=True)) == {
        "鄂州市数据局",
        "鄂州市政务服务中心",
    }
    again = adduser("chushen", "--role", "审核人", "--department", "101")  # no --scope: kept
    assert "未作改动" in again and Membership.objects.get(user=user).scope == "tree"
    adduser("chushen", "--role", "审核人", "--department", "101", "--scope", "unit")
    assert Membership.objects.get(user=user).scope == "unit"


def test_a_finance_reviewer_is_assigned_to_departments_and_reaches_their_units(db):
    main = Department.objects.create(code="101", name="鄂州市数据局")
    Department.objects.create(code="101001", name="鄂州市政务服务中心", parent=main)
    out = adduser("caizheng", "--role", "财政审核人", "--department", "101", "--department", "鄂州市民政局")
    assert "caizheng 现为“鄂州市数据局”的财政审核人（含所属单位）。" in out
    user = get_user_model().objects.get(username="caizheng")
    assert set(Membership.objects.filter(user=user).values_list("role", "scope")) == {("finance", "tree")}
    assert set(Department.objects.restrict(user, "view").values_list("name", flat=True)) == {
        "鄂州市数据局",
        "鄂州市政务服务中心",
        "鄂州市民政局",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "财政审核人", "--department", "101001"], "财政审核人应分配到主管部门"),
        (["--role", "财政审核人", "--department", "101", "--scope", "unit"], "范围总是“本单位及所属单位”"),
        (["--role", "审核人", "--department", "101", "--scope", "all"], "--scope 只能是 unit"),
        (["--role", "审核人", "--department", "101", "--department", " "], "请用 --department 指定"),
    ],
)
def test_it_refuses_a_role_that_does_not_fit_and_changes_nothing(db, args, message):
    main = Department.objects.create(code="101", name="鄂州市数据局")
    Department.objects.create(code="101001", name="鄂州市政务服务中心", parent=main)
    with pytest.raises(CommandError) as refused:
        adduser("caizheng", *args)
    assert message in str(refused.value)
    assert not get_user_model().objects.filter(username="caizheng").exists()
    assert Department.objects.count() == 2 and not Membership.objects.exists()
