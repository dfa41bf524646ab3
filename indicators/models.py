from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Trim
from simple_history.models import HistoricalRecords

from projects.models import ProjectType

from . import framework
from .values import COMPARATOR_SYMBOLS, ParsedValue, parse_value


class IndicatorQuerySet(models.QuerySet):
    def with_library(self):
        """Rows with what the indicator library (指标库) knows of their name: `library_unit`,
        the unit of measure nearly every approved project uses for it (None when there is
        no such agreement), and `library_projects`, how many projects use that unit.
        The review check LIBRARY_UNIT reads them; one subquery per row, no extra query."""
        agreed = LibraryName.objects.filter(key=Trim(OuterRef("level3")), agreed=True)
        return self.annotate(
            library_unit=Subquery(agreed.values("unit")[:1]),
            library_projects=Subquery(agreed.values("unit_projects")[:1]),
        )


class Indicator(models.Model):
    """One row of a goal table: level 1/2/3, the target value and its basis.

    `value` keeps the text exactly as approved; comparator/number/unit are its
    parsed parts (all empty for a qualitative target), so checks and the later
    monitoring and self-evaluation stages can compute on the same row.
    """

    goal = models.ForeignKey(
        "projects.Goal", verbose_name="绩效目标", on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    level1 = models.CharField("一级指标", max_length=50, blank=True)
    level2 = models.CharField("二级指标", max_length=50, blank=True)
    level3 = models.CharField("三级指标", max_length=200, blank=True)
    value = models.CharField("指标值", max_length=200, blank=True)
    comparator = models.CharField("比较符", max_length=2, blank=True)
    number = models.DecimalField("数值", max_digits=24, decimal_places=6, null=True, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    basis = models.CharField("指标值确定依据", max_length=50, blank=True)

    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["position", "id"]

    def __str__(self):
        return self.level3 or f"第{self.position}行"

    def save(self, *args, **kwargs):
        self.apply_parsed(parse_value(self.value))
        super().save(*args, **kwargs)

    def apply_parsed(self, parsed: ParsedValue):
        self.comparator = parsed.comparator or ""
        self.number = parsed.number
        self.unit = parsed.unit

    @property
    def parsed(self) -> ParsedValue:
        return ParsedValue(self.comparator or None, self.number, self.unit)

    @property
    def is_qualitative(self):
        return self.number is None

    @property
    def comparator_symbol(self):
        return COMPARATOR_SYMBOLS.get(self.comparator, "")

    @property
    def canonical_level1(self):
        return framework.canonical_level1(self.level1)

    @property
    def canonical_level2(self):
        return framework.canonical_level2(self.level2)

    @classmethod
    def build(cls, **fields):
        """An unsaved row with its parsed parts filled in (for bulk_create)."""
        fields = {key: fields[key] for key in fields if key not in ("comparator", "number", "unit")}
        row = cls(**fields)
        row.apply_parsed(parse_value(row.value))
        return row


# --------------------------------------------------------------------------
# The indicator library (指标库): figures of approved rows, kept per slice
# --------------------------------------------------------------------------


class LibrarySlice(models.Model):
    """The approved projects of one unit and year, as last read into the library.

    `fingerprint` sums up those projects (count, ids, versions, last change); when the
    projects' current fingerprint differs, the slice's entries are rebuilt
    (indicators/library.py). A slice is small, so an approval costs one unit-year."""

    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey("projects.Department", verbose_name="预算单位", on_delete=models.CASCADE)
    fingerprint = models.CharField("数据指纹", max_length=200)

    class Meta:
        verbose_name = "指标库分片"
        verbose_name_plural = "指标库分片"
        constraints = [models.UniqueConstraint(fields=["year", "department"], name="library_slice_unique")]

    def __str__(self):
        return f"{self.year}年 {self.department_id}"


class LibraryEntry(models.Model):
    """One indicator (level 1 / 2 / 3) as the approved projects of one unit and year use it.

    level1/level2 are the framework's canonical names where the rows use an alias;
    `key` is the level-3 name without spaces. The library page adds entries up over
    units and years; the medians come from `measures` ({unit: [[number, rows], …]})."""

    year = models.PositiveSmallIntegerField("年度")
    department = models.ForeignKey("projects.Department", verbose_name="预算单位", on_delete=models.CASCADE)
    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50)
    level3 = models.CharField("三级指标", max_length=200)
    key = models.CharField("名称（去空格）", max_length=200)
    spellings = models.JSONField("原文写法", default=list)
    projects = models.PositiveIntegerField("项目数")
    rows = models.PositiveIntegerField("指标行数")
    qualitative = models.PositiveIntegerField("定性行数")
    comparators = models.JSONField("比较符", default=dict)  # {">=": rows, ...}
    measures = models.JSONField("数值", default=dict)  # {unit: [["90", rows], ["98", rows], …]} ascending
    unit_projects = models.JSONField("按计量单位的项目数", default=dict)  # {unit: projects}

    class Meta:
        verbose_name = "指标库条目"
        verbose_name_plural = "指标库条目"
        indexes = [
            models.Index(fields=["year", "department"], name="library_entry_slice"),
            models.Index(fields=["level2", "key"], name="library_entry_level2_key"),
            models.Index(fields=["key"], name="library_entry_key"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.level1}/{self.level2}/{self.level3}"


class LibraryFigure(models.Model):
    """Minimum, median and maximum of one indicator in one unit of measure, over every unit,
    for one year (`year` 0: all years): computed when its entries change, so the library
    page reads them instead of merging every unit-year's numbers on each view."""

    ALL_YEARS = 0

    year = models.PositiveSmallIntegerField("年度")  # 0: all years
    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50)
    key = models.CharField("名称（去空格）", max_length=200)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    rows = models.PositiveIntegerField("指标行数")
    low = models.CharField("最小值", max_length=40)
    median = models.CharField("中位数", max_length=40)
    high = models.CharField("最大值", max_length=40)

    class Meta:
        verbose_name = "指标库数值"
        verbose_name_plural = "指标库数值"
        indexes = [models.Index(fields=["year", "key"], name="library_figure_year_key")]

    def __str__(self):
        return f"{self.year or '各年'} {self.key} {self.unit}"


class LibraryName(models.Model):
    """A level-3 name over the whole library: its usual unit of measure and comparator.

    `agreed` is set when at least AGREEMENT_PROJECTS projects measure the name and at
    least AGREEMENT_SHARE of them use `unit`: then a row in another unit is worth a
    warning (review rule LIBRARY_UNIT)."""

    AGREEMENT_PROJECTS = 3
    AGREEMENT_SHARE = 0.8

    key = models.CharField("名称（去空格）", max_length=200, unique=True)
    name = models.CharField("三级指标", max_length=200)
    projects = models.PositiveIntegerField("项目数")
    unit = models.CharField("常用计量单位", max_length=20, blank=True)
    comparator = models.CharField("常用比较符", max_length=2, blank=True)
    unit_projects = models.PositiveIntegerField("使用常用单位的项目数", default=0)
    measured_projects = models.PositiveIntegerField("有数值的项目数", default=0)
    agreed = models.BooleanField("单位一致", default=False)

    class Meta:
        verbose_name = "指标库名称"
        verbose_name_plural = "指标库名称"

    def __str__(self):
        return self.name


class CommonIndicator(models.Model):
    """共性指标: an indicator every project (of a type) should have, with the recommended
    form of its value (e.g. 服务对象满意度 ≥90%) and a note. Kept by administrators."""

    level1 = models.CharField("一级指标", max_length=50)
    level2 = models.CharField("二级指标", max_length=50)
    level3 = models.CharField("三级指标", max_length=200)
    value = models.CharField("推荐指标值", max_length=200, help_text="推荐的写法，如“≥90%”“＝100%”。")
    project_type = models.CharField(
        "适用项目类型",
        max_length=20,
        blank=True,
        choices=ProjectType.choices,
        help_text="留空表示适用于所有项目。",
    )
    note = models.TextField("说明", blank=True, max_length=1000)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "共性指标"
        verbose_name_plural = "共性指标"
        ordering = ["level1", "level2", "level3"]
        constraints = [
            models.UniqueConstraint(fields=["level1", "level2", "level3"], name="common_indicator_unique"),
        ]

    def __str__(self):
        return f"{self.level3}（{self.value}）"
