from django.db import models
from simple_history.models import HistoricalRecords

from . import framework
from .values import COMPARATOR_SYMBOLS, ParsedValue, parse_value


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
