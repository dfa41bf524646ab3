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
