"""The review checks (审核规则): small named rules over a project's goal tables.

Each rule has a stable code, a severity, the guidance it follows and a Chinese
message saying what is wrong and how to fix it. `check_project(project)` runs
them all on a project whose tree is prefetched (`Project.objects.with_tree()`),
without further queries.
"""

from dataclasses import dataclass

from . import framework
from .values import is_money_unit

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    explanation: str
    source: str
    check: object  # callable(context) -> iterable of (goal, row_index, indicator, message)


@dataclass(frozen=True)
class Finding:
    project_id: int
    project: str
    year: int
    department: str
    table: str | None  # "long" | "annual" | None
    goal: str | None
    row: int | None  # 1-based position in the goal's table, or None
    indicator: str | None  # level-3 name, or None
    indicator_id: int | None
    rule: str
    severity: str
    message: str

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]

    def as_dict(self):
        return {
            "project": self.project,
            "year": self.year,
            "department": self.department,
            "table": self.table,
            "goal": self.goal,
            "row": self.row,
            "indicator": self.indicator,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


RULES = []


def rule(code, severity, title, explanation, source):
    def register(check):
        RULES.append(Rule(code, severity, title, explanation, source, check))
        return check

    return register


def rows(project):
    """(goal, 1-based row number, indicator) for every row of every goal table."""
    for goal in project.goals.all():
        for number, indicator in enumerate(goal.indicators.all(), start=1):
            yield goal, number, indicator


@rule(
    "L2_OUTSIDE_L1",
    ERROR,
    "二级指标不属于所填一级指标",
    "二级指标必须属于其一级指标，例如“社会效益指标”应在“效益指标”下，而不是“产出指标”下。",
    "财预〔2021〕101号 附件：项目支出绩效目标指标体系",
)
def level2_outside_level1(project):
    for goal, number, row in rows(project):
        if not row.level1 or not row.level2:
            continue
        if framework.canonical_level1(row.level1) and not framework.belongs(row.level1, row.level2):
            home = framework.level1_of(row.level2)
            hint = f"应归入“{home}”" if home else "请选用该一级指标下的二级指标"
            yield goal, number, row, f"二级指标“{row.level2}”不属于“{row.level1}”，{hint}。"


@rule(
    "COST_UNIT",
    ERROR,
    "成本指标的计量单位不是金额",
    "成本指标反映资金投入，指标值应以元、万元或亿元计量，例如“≤266万元”。",
    "财预〔2021〕101号：成本指标",
)
def cost_unit_not_money(project):
    for goal, number, row in rows(project):
        if framework.canonical_level1(row.level1) != framework.COST and row.level2 != "成本指标":
            continue
        if row.number is not None and not is_money_unit(row.unit):
            yield (
                goal,
                number,
                row,
                f"成本指标“{row.level3}”的指标值“{row.value}”不是金额，应以元、万元或亿元计量。",
            )


def check_project(project):
    """All findings of one project (its tree prefetched), in table and row order."""
    findings = []
    for current in RULES:
        for goal, number, row, message in current.check(project):
            findings.append(
                Finding(
                    project_id=project.pk,
                    project=project.name,
                    year=project.year,
                    department=project.department.name,
                    table=goal.term if goal else None,
                    goal=goal.name if goal else None,
                    row=number,
                    indicator=row.level3 if row else None,
                    indicator_id=row.pk if row else None,
                    rule=current.code,
                    severity=current.severity,
                    message=message,
                )
            )
    return findings


def errors(findings):
    return [finding for finding in findings if finding.severity == ERROR]


def warnings(findings):
    return [finding for finding in findings if finding.severity == WARNING]
