from django.core.management.base import BaseCommand, CommandError

from projects.documents.data import dumps
from projects.models import Project
from projects.permissions import SYSTEM


class Command(BaseCommand):
    help = "导出项目支出绩效目标（JSON为备份与交换格式）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=["json", "xlsx"],
            default="json",
            help="json（默认）或xlsx（每个项目一张批复表，需 -o）",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="完整备份：另含流转记录与批复存档（用 import_approvals 恢复到空数据库）",
        )
        parser.add_argument("--year", type=int)
        parser.add_argument("--department", help="预算单位名称")
        parser.add_argument("-o", "--output", help="输出文件（默认为标准输出）")

    def handle(self, *args, format, full, year, department, output, **options):
        projects = Project.objects.restrict(SYSTEM, "export").with_tree().order_by("id")
        if full:
            projects = projects.with_record()
        if year:
            projects = projects.filter(year=year)
        if department:
            projects = projects.filter(department__name=department)
        if format == "xlsx":
            return self.write_xlsx(projects, output)
        text = dumps(projects, full=full)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CommandError(f"{output}：无法写入（{exc.strerror}）。") from None
        self.stderr.write(f"已导出{projects.count()}个项目到 {output}")

    def write_xlsx(self, projects, output):
        from projects.documents.writers.xlsx import write_batch

        if not output:
            raise CommandError("导出Excel需要用 -o 指定输出文件（.xlsx）。")
        try:
            with open(output, "wb") as handle:
                count = write_batch(projects, handle)
        except OSError as exc:
            raise CommandError(f"{output}：无法写入（{exc.strerror}）。") from None
        self.stderr.write(f"已导出{count}个项目的批复表到 {output}")
