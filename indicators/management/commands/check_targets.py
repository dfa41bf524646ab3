import json

from django.core.management.base import BaseCommand, CommandError

from indicators.checks import check_projects, count
from projects.models import Department, Project


class Command(BaseCommand):
    help = "按审核规则检查项目支出绩效目标；发现错误时退出码为1。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度")
        parser.add_argument("--department", help="预算单位名称")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
        parser.add_argument("-o", "--output", help="输出文件（默认为标准输出）")

    def handle(self, *args, year, department, format, output, **options):
        projects = Project.objects.order_by("-year", "department__name", "name", "id")
        if year:
            projects = projects.filter(year=year)
        if department:
            if not Department.objects.filter(name=department).exists():
                raise CommandError(f"没有名为“{department}”的预算单位。")
            projects = projects.filter(department__name=department)

        results = list(check_projects(projects))
        findings = [finding for _, project_findings in results for finding in project_findings]
        if format == "json":
            text = json.dumps(
                {"findings": [finding.as_dict() for finding in findings]}, ensure_ascii=False, indent=2
            )
            text += "\n"
        else:
            text = render_text(results)

        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(f"{output}：无法写入（{exc.strerror}）。") from None
        else:
            self.stdout.write(text, ending="")
            self.stdout.flush()

        total = count(findings)
        if total.errors:
            raise CommandError(
                f"审核未通过：{len(results)}个项目中发现错误{total.errors}项、提示{total.warnings}项。",
                returncode=1,
            )
        if output:
            self.stderr.write(f"已检查{len(results)}个项目，结果写入 {output}")


def place(finding):
    parts = []
    if finding.goal:
        parts.append(finding.goal)
    elif finding.table:
        parts.append(f"{finding.table_label}指标表")
    if finding.row:
        parts.append(f"第{finding.row}行")
    if finding.indicator:
        parts.append(f"“{finding.indicator}”")
    return " ".join(parts) or "项目"


def render_text(results):
    lines = []
    checked = len(results)
    flagged = 0
    for project, findings in results:
        if not findings:
            continue
        flagged += 1
        counts = count(findings)
        lines.append(
            f"{project.year}年 {project.department.name} {project.name}"
            f"（错误{counts.errors}项，提示{counts.warnings}项）"
        )
        for finding in findings:
            lines.append(f"  [{finding.severity_label}] {finding.rule} {place(finding)}：{finding.message}")
        lines.append("")
    totals = count(finding for _, findings in results for finding in findings)
    lines.append(
        f"共检查{checked}个项目，{flagged}个项目有问题：错误{totals.errors}项，提示{totals.warnings}项。"
    )
    return "\n".join(lines) + "\n"
