from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.documents.errors import ImportFormatError
from projects.documents.readers import read_projects, unit_repairs
from projects.permissions import SYSTEM
from projects.services import import_projects, log_refused, plan_import, restore_backup

NOTHING_IMPORTED = "未导入任何数据。"
RECORD_KEYS = ("status", "transitions", "approvals")


def refusal(name, exc):
    """`FILE：reason。未导入任何数据。`, said once."""
    text = str(exc).rstrip("；;。 ")
    return f"{name}：{text}。" + ("" if NOTHING_IMPORTED.rstrip("。") in text else NOTHING_IMPORTED)


class Command(BaseCommand):
    help = (
        "导入项目支出绩效目标批复表、绩效目标表或申报表（Word .docx、Excel .xlsx、文本或JSON，"
        "一个文件可含多张表）；同名项目更新而不重复。"
        "导入的项目为草稿，已提交或已批复的项目不会被覆盖。"
        "--restore 将本系统的JSON备份（含状态、流转记录和批复存档）恢复到空数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--department", help="预算单位名称（文本批复表必填；JSON中已含单位时可省略，指定则覆盖）"
        )
        parser.add_argument(
            "--restore",
            action="store_true",
            help="恢复备份：按JSON备份中的状态、流转记录和批复存档原样恢复；"
            "数据库中已有与备份不同的项目时拒绝并列出这些项目",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只读取并报告（修复、跳过、未导入的内容，以及每个项目将新建、更新、未变化或不能导入），不保存任何数据",
        )

    def handle(self, *args, files, department, restore, dry_run, **options):
        for name in files:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{name}：无法读取文件（{exc.strerror}）。") from None
            try:
                parsed = read_projects(path.name, data)
                if restore:
                    if not parsed.backup:
                        raise ImportFormatError("", "--restore 只接受本系统导出的JSON备份（perfgoals/1）。")
                    if department:
                        raise ImportFormatError(
                            "", "--restore 按备份中的预算单位恢复，不能与--department同用。"
                        )
                    if dry_run:
                        raise ImportFormatError("", "--restore 不能与--dry-run同用。")
                    report = restore_backup(parsed.projects)
                else:
                    unit_repairs(parsed, department, "--department指定的单位")
                    if not department and any(not p.get("department") for p in parsed.projects):
                        raise ImportFormatError("", "文件中没有预算单位，请用 --department 指定。")
                    if dry_run:
                        plan, _ = plan_import(parsed.projects, department=department, user=SYSTEM)
                    else:
                        report = import_projects(parsed.projects, department=department, user=SYSTEM)
            except ImportFormatError as exc:
                log_refused(name, exc)
                raise CommandError(refusal(name, exc)) from None
            for repair in parsed.repairs:
                self.stdout.write(f"{name}：修复 {repair}")
            for item in parsed.skipped:
                self.stdout.write(f"{name}：跳过 {item}")
            for item in parsed.unplaced:
                self.stdout.write(f"{name}：未导入 {item}")
            if not restore and any(key in p for p in parsed.projects for key in RECORD_KEYS):
                self.stdout.write(
                    f"{name}：文件中的状态、流转记录和批复存档未导入（导入的项目按工作流程为草稿）；"
                    "如需恢复备份，请在空数据库上使用 --restore。"
                )
            if not restore and dry_run:
                for unit in dict.fromkeys(p.unit_name for p in plan if p.new_unit and p.unit_name):
                    self.stdout.write(f"{name}：将新建单位“{unit}”（文件中的单位，系统中尚无）")
                for planned in plan:
                    what = f"{planned.data['year']}年 {planned.unit_name} {planned.data['name']}"
                    verb = "不能导入" if planned.action == "refused" else f"将{planned.label}"
                    self.stdout.write(f"{verb}：{what}" + (f"（{planned.reason}）" if planned.reason else ""))
                self.stdout.write(self.style.WARNING(f"{name}：--dry-run，只读取和报告，未保存任何数据。"))
                continue
            for unit in report.new_units:
                self.stdout.write(f"{name}：新建单位“{unit}”（文件中的单位，系统中原无）")
            for label, projects in (
                ("新建", report.created),
                ("更新", report.updated),
                ("未变化", report.unchanged),
            ):
                for project in projects:
                    self.stdout.write(f"{label}：{project.year}年 {project.department} {project.name}")
            self.stdout.write(self.style.SUCCESS(f"{name}：{report.summary()}"))
