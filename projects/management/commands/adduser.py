"""Provision a user of units:

    adduser USERNAME --role 填报人|审核人|财政审核人 --department NAME [--department NAME …]
            [--scope unit|tree] [--password P] [--name 姓名]

Changes go through `projects.accounts`, like the 用户管理 page, and are logged there.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects import accounts
from projects.accounts import AccountError
from projects.models import Department, Role, Scope
from projects.permissions import SYSTEM

ROLE_NAMES = {**{role.value: role for role in Role}, **{role.label: role for role in Role}}
SCOPE_NAMES = {**{scope.value: scope for scope in Scope}, **{scope.label: scope for scope in Scope}}


class Command(BaseCommand):
    help = (
        "创建用户（或为已有用户）添加单位角色：填报人、审核人或财政审核人；"
        "--department 可写多次（单位名称或单位编码），单位不存在时自动创建。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME", help="用户名")
        parser.add_argument(
            "--role",
            help="角色：填报人（filler）、审核人（reviewer）或财政审核人（finance，按主管部门归口管理）",
        )
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            help="预算单位名称或单位编码；可写多次，为每个单位分配同一角色",
        )
        parser.add_argument(
            "--scope",
            help="范围：unit（本单位，默认）或 tree（本单位及所属单位）；财政审核人总是 tree",
        )
        parser.add_argument("--password", help="密码（新用户不指定时自动生成并显示）")
        parser.add_argument("--name", default="", help="姓名（选填）")

    def handle(self, *args, username, role, department, scope, password, name, **options):
        role = ROLE_NAMES.get((role or "").strip())
        if role is None:
            raise CommandError(
                "请用 --role 指定角色：填报人 或 审核人 或 财政审核人（也可写 filler、reviewer、finance）。"
            )
        if scope is not None:
            scope = SCOPE_NAMES.get(scope.strip())
            if scope is None:
                raise CommandError("--scope 只能是 unit（本单位）或 tree（本单位及所属单位）。")
        names = [value.strip() for value in department]
        if not names or not all(names):
            raise CommandError("请用 --department 指定预算单位名称（可写多次）。")
        limit = Department._meta.get_field("name").max_length
        if any(len(value) > limit for value in names):
            raise CommandError("预算单位名称过长。")
        User = get_user_model()
        user = User.objects.filter(username=username.strip()).first()
        try:
            username = accounts.check_username(username)
            if password:
                accounts.check_password(password, user or User(username=username, first_name=name))
            with transaction.atomic():
                self.provision(
                    username, user, role=role, scope=scope, names=names, password=password, name=name
                )
        except AccountError as exc:
            raise CommandError(exc.message) from None

    def provision(self, username, user, *, role, scope, names, password, name):
        units = []
        for value in dict.fromkeys(names):
            unit = (
                Department.objects.filter(code=value).first() or Department.objects.filter(name=value).first()
            )
            if unit is None:
                unit = Department.objects.create(name=value)
                self.stdout.write(f"已创建预算单位“{unit.name}”。")
            units.append(unit)
        for unit in units:
            accounts.check_role(unit, role, scope)  # every unit is checked before a user is made
        generated = None
        if user is None:
            user, generated = accounts.create_user(SYSTEM, username, name, password)
            self.stdout.write(f"已创建用户 {username}。")
        elif password:
            accounts.set_password(SYSTEM, user, password)
            self.stdout.write(f"已更新用户 {username} 的密码。")
        for unit, outcome in accounts.assign_roles(SYSTEM, user, units, role, scope):
            reach = "（含所属单位）" if (role == Role.FINANCE or scope == Scope.TREE) else ""
            if outcome == "added":
                self.stdout.write(self.style.SUCCESS(f"{username} 现为“{unit.name}”的{role.label}{reach}。"))
            elif outcome == "changed":
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{username} 在“{unit.name}”的{role.label}范围已改为{reach or '本单位'}。"
                    )
                )
            else:
                self.stdout.write(f"{username} 已是“{unit.name}”的{role.label}，未作改动。")
        if generated:
            self.stdout.write(f"初始密码：{generated}（请转告本人并要求登录后修改）")
