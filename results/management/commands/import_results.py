from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.documents.errors import ImportFormatError
from projects.management.commands.import_approvals import refusal
from results.documents.readers import read_file
from results.scoring import points_text
from results.services import import_results


class Command(BaseCommand):
    help = "导入填好的监控表（本系统导出的Excel或JSON），只导入尚未提交的监控表；有任何错误则不导入。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}：无法读取文件（{exc.strerror}）。") from None
        try:
            report = import_results(read_file(path.name, content))
        except ImportFormatError as exc:
            raise CommandError(refusal(file, exc)) from None
        for form in report.updated:
            if form.round.kind == "evaluation":
                score = f"总分：{points_text(form.total) or '未完成'}，等级：{form.grade or '—'}"
            else:
                score = f"项目预警：{form.get_light_display()}"
            self.stdout.write(f"已更新：{form.department_name} {form.project_name}（{score}）")
        for form in report.submitted:
            status = form.get_status_display()
            self.stdout.write(f"未变化（{status}），已跳过：{form.department_name} {form.project_name}")
        self.stdout.write(self.style.SUCCESS(f"{file}：{report.summary()}"))
