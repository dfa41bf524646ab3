from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from projects.documents.readers import read_projects
from projects.models import Department, Membership, Project, Role
from projects.permissions import SYSTEM
from projects.services import import_projects

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed-2025.json"
DEMO_UNIT = "鄂州市数据局"
# Demo accounts of the seed unit, so a new user can try the workflow.
DEMO_MEMBERS = (
    ("tianbao", "演示填报人", Role.FILLER),
    ("shenhe", "演示审核人", Role.REVIEWER),
    ("caizheng", "演示财政审核人", Role.FINANCE),  # 归口管理 the seed unit (scope tree)
)


class Command(BaseCommand):
    help = "载入2025年示例项目（仅当数据库中没有项目时）并创建演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="perfgoals-demo")

    @transaction.atomic
    def handle(self, *args, username, password, **options):
        if not Project.objects.restrict(SYSTEM, "view").exists():
            seed = read_projects(SEED.name, SEED.read_bytes()).projects
            report = import_projects(seed, user=SYSTEM)
            self.stdout.write(f"已载入示例数据：{report.summary()}")
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.first_name = "演示管理员"
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示账号：用户名 {username}，密码 {password if created else '（沿用已设置的密码）'}"
            )
        )
        unit, _ = Department.objects.get_or_create(name=DEMO_UNIT)
        for member, full_name, role in DEMO_MEMBERS:
            user, created = get_user_model().objects.get_or_create(username=member)
            if created:
                user.set_password(password)
                user.first_name = full_name
                user.save()
            Membership.objects.get_or_create(user=user, department=unit, role=role)
            shown = password if created else "（沿用已设置的密码）"
            self.stdout.write(f"{unit.name}{role.label}：用户名 {member}，密码 {shown}")
