"""Provision a user of a unit: `adduser USERNAME --role 填报人|审核人 --department NAME`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.crypto import get_random_string

from projects.models import Department, Membership, Role

ROLE_NAMES = {**{role.value: role for role in Role}, **{role.label: role for role in Role}}
PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class Command(BaseCommand):
    help = "创建用户（或为已有用户）添加单位角色：填报人或审核人；单位不存在时自动创建。"

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USERNAME", help="用户名")
        parser.add_argument("--role", help="角色：填报人（filler）或审核人（reviewer）")
        parser.add_argument("--department", help="预算单位名称")
        parser.add_argument("--password", help="密码（新用户不指定时自动生成并显示）")
        parser.add_argument("--name", default="", help="姓名（选填）")

    def handle(self, *args, username, role, department, password, name, **options):
        username = username.strip()
        role = ROLE_NAMES.get((role or "").strip())
        if role is None:
            raise CommandError("请用 --role 指定角色：填报人 或 审核人（也可写 filler、reviewer）。")
        department = (department or "").strip()
        if not department:
            raise CommandError("请用 --department 指定预算单位名称。")
        if len(department) > Department._meta.get_field("name").max_length:
            raise CommandError("预算单位名称过长。")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        try:
            User.username_validator(username)
        except ValidationError:
            raise CommandError(f"用户名“{username}”无效：只能包含字母、数字和 @/./+/-/_ 。") from None
        generated = user is None and not password
        if generated:
            password = get_random_string(12, PASSWORD_CHARS)
        if password:
            try:
                validate_password(password, user or User(username=username, first_name=name))
            except ValidationError as exc:
                raise CommandError("密码不符合要求：" + "".join(exc.messages)) from None
        with transaction.atomic():
            unit, unit_created = Department.objects.get_or_create(name=department)
            if user is None:
                user = User.objects.create_user(username, password=password, first_name=name)
                self.stdout.write(f"已创建用户 {username}。")
            elif password:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f"已更新用户 {username} 的密码。")
            if unit_created:
                self.stdout.write(f"已创建预算单位“{unit.name}”。")
            _, added = Membership.objects.get_or_create(user=user, department=unit, role=role)
        if added:
            self.stdout.write(self.style.SUCCESS(f"{username} 现为“{unit.name}”的{role.label}。"))
        else:
            self.stdout.write(f"{username} 已是“{unit.name}”的{role.label}，未作改动。")
        if generated:
            self.stdout.write(f"初始密码：{password}（请转告本人并要求登录后修改）")
