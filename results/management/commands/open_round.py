from datetime import date

from django.core.management.base import BaseCommand, CommandError

from results.models import Kind
from results.services import open_round


def parse_date(text):
    """The --cutoff option's date (None when not given), parsed in `handle`: a CommandError
    raised by an argparse `type` would escape as a traceback."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"截止日期“{text}”无效，应写作 2025-06-30。") from None


class Command(BaseCommand):
    help = (
        "开启一轮绩效运行监控（或自评）：为该年度每个已批复项目建立监控表。"
        "再次执行可补充新批复的项目、按重新批复的指标更新尚未提交的监控表，并重新计算预警。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind", choices=Kind.values, required=True, help="monitoring（运行监控）或 evaluation（自评）"
        )
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cutoff", help="截止日期，如 2025-06-30（运行监控必填；自评固定为12月31日）")

    def handle(self, *args, kind, year, cutoff, **options):
        cutoff = parse_date(cutoff)
        if kind == Kind.MONITORING and cutoff is None:
            raise CommandError("运行监控须用 --cutoff 指定截止日期，如 --cutoff 2025-06-30。")
        try:
            report = open_round(kind, year, cutoff)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
