"""What the review checks found per project, kept so the statistics need not rerun them.

A project's tally is valid for one `version` of the project and one `signature` of
the rules (their codes and severities, and the indicator library's agreed units that
rule LIBRARY_UNIT reads); `stats.tallies.refresh` recomputes the projects whose tally
is missing or stale, so the statistics page of a year of 20,000 projects reads a few
grouped sums instead of checking 400,000 rows.
"""

from django.db import models


class ProjectTally(models.Model):
    project = models.OneToOneField(
        "projects.Project",
        verbose_name="项目",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
    )
    version = models.PositiveIntegerField("项目版本")
    signature = models.CharField("规则签名", max_length=40)
    valued_rows = models.PositiveIntegerField("有指标值的行数")
    qualitative_rows = models.PositiveIntegerField("定性行数")
    errors = models.PositiveIntegerField("错误数")
    warnings = models.PositiveIntegerField("提示数")

    class Meta:
        verbose_name = "审核检查汇总"
        verbose_name_plural = "审核检查汇总"

    def __str__(self):
        return f"{self.project_id}（第{self.version}版）"


class RuleTally(models.Model):
    project = models.ForeignKey(
        "projects.Project", verbose_name="项目", on_delete=models.CASCADE, related_name="rule_tallies"
    )
    rule = models.CharField("规则代码", max_length=40)
    count = models.PositiveIntegerField("发现数")

    class Meta:
        verbose_name = "审核发现（按规则）"
        verbose_name_plural = "审核发现（按规则）"
        constraints = [models.UniqueConstraint(fields=["project", "rule"], name="rule_tally_unique")]

    def __str__(self):
        return f"{self.project_id} {self.rule}×{self.count}"
