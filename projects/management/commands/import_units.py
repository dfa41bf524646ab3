"""Import the list of units: `import_units FILE` (.xlsx or .csv with the columns 单位编码,
单位名称, 主管部门编码). Re-importing updates names and parents and never deletes a unit;
a list with any problem is refused as a whole, each problem with its row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.permissions import SYSTEM
from projects.services import log_refused
from projects.units import UnitListError, import_units, read_unit_list


class Command(BaseCommand):
    help = (
        "导入单位名单（Excel .xlsx 或 CSV，列：单位编码、单位名称、主管部门编码；"
        "主管部门的主管部门编码留空）。"
        "按单位编码识别单位：再次导入时更新名称和主管部门，不删除单位；有任何错误则整份名单不导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}：无法读取文件（{exc.strerror}）。") from None
        try:
            report = import_units(read_unit_list(path.name, data), SYSTEM)
        except UnitListError as exc:
            log_refused(file, exc)
            raise CommandError(f"{file}：{exc}。未导入任何单位。") from None
        for label, units in (("新增", report.created), ("更新", report.updated)):
            for unit in units:
                parent = f"（主管部门：{unit.parent.name}）" if unit.parent else "（主管部门）"
                self.stdout.write(f"{label}：{unit.code} {unit.name}{parent}")
        self.stdout.write(self.style.SUCCESS(f"{file}：{report.summary()}"))
