from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.documents.errors import ImportFormatError
from projects.documents.readers import read_projects
from projects.services import import_projects


class Command(BaseCommand):
    help = (
        "导入项目支出绩效目标批复表、绩效目标表或申报表（Word .docx、Excel .xlsx、文本或JSON，"
        "一个文件可含多张表）；同名项目更新而不重复。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--department", help="预算单位名称（文本批复表必填；JSON中已含单位时可省略，指定则覆盖）"
        )

    def handle(self, *args, files, department, **options):
        for name in files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{name}：无法读取文件（{exc.strerror}）。") from None
            try:
                parsed = read_projects(path.name, data)
                if not department and any(not p.get("department") for p in parsed.projects):
                    raise ImportFormatError("", "文件中没有预算单位，请用 --department 指定。")
                # A perfgoals/1 backup carries each project's status: importing it
                # here restores it as it was, even over submitted/approved projects.
                restore = any("status" in project for project in parsed.projects)
                report = import_projects(parsed.projects, department=department, restore=restore)
            except ImportFormatError as exc:
                raise CommandError(f"{name}：{exc}；未导入任何数据。") from None
            for repair in parsed.repairs:
                self.stdout.write(f"{name}：修复 {repair}")
            for item in parsed.skipped:
                self.stdout.write(f"{name}：跳过 {item}")
            for item in parsed.unplaced:
                self.stdout.write(f"{name}：未导入 {item}")
            for label, projects in (
                ("新建", report.created),
                ("更新", report.updated),
                ("未变化", report.unchanged),
            ):
                for project in projects:
                    self.stdout.write(f"{label}：{project.year}年 {project.department} {project.name}")
            self.stdout.write(self.style.SUCCESS(f"{name}：{report.summary()}"))
