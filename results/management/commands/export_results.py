from django.core.management.base import BaseCommand, CommandError

from results.documents import data, xlsx
from results.models import Kind, ResultForm, Round

from .open_round import parse_date


def find_round(kind, year, cutoff=None):
    """The round of `kind` and `year` (the latest cut-off unless one is given)."""
    rounds = Round.objects.filter(kind=kind, year=year)
    if cutoff:
        rounds = rounds.filter(cutoff=cutoff)
    found = rounds.order_by("-cutoff").first()
    if found is None:
        when = f"截至{cutoff.isoformat()}的" if cutoff else ""
        raise CommandError(f"{year}年没有{when}{Kind(kind).label}轮次，请先执行 open_round。")
    return found


class Command(BaseCommand):
    help = "导出一轮绩效运行监控（或自评）的全部监控表：xlsx（每张表一个工作表，可离线填写）或JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=Kind.values, required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cutoff", help="截止日期（同一年度有多轮时指定；默认最近一轮）")
        parser.add_argument("--format", choices=["xlsx", "json"], required=True)
        parser.add_argument("--department", help="预算单位名称")
        parser.add_argument("-o", "--output", required=True, help="输出文件")

    def handle(self, *args, kind, year, cutoff, format, department, output, **options):
        round_ = find_round(kind, year, parse_date(cutoff))
        forms = ResultForm.objects.filter(round=round_).order_by("department_name", "project_name", "pk")
        noun = "自评表" if kind == Kind.EVALUATION else "监控表"
        if department:
            forms = forms.filter(project__department__name=department)
            if not forms.exists():
                raise CommandError(f"{round_}中没有预算单位“{department}”的{noun}，请核对单位名称。")
        try:
            if format == "xlsx":
                with open(output, "wb") as handle:
                    count = xlsx.write_forms(round_, forms, handle)
            else:
                with open(output, "w", encoding="utf-8") as handle:
                    loaded = xlsx.iter_forms(forms)
                    data.write_document(loaded, handle)
                count = forms.count()
        except OSError as exc:
            raise CommandError(f"{output}：无法写入（{exc.strerror}）。") from None
        self.stderr.write(f"已导出{round_}的{count}张{noun}到 {output}")
