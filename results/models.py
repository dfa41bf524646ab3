"""Monitoring (绩效运行监控) and, next, self-evaluation (绩效自评): forms of actual
values against the approved indicator rows.

A `Round` (kind, year, cut-off date) holds one `ResultForm` per approved project
of the year; a form holds one `ResultRow` per approved annual indicator row.
Each row keeps a frozen copy of what was approved (goal, level 1/2/3, 年度指标值)
next to the live `Indicator` (SET_NULL), so what was recorded stays readable
against the row it was recorded on after a reopen, an edit and a new approval.

Progress and lights are computed here (`ResultRow.evaluate`, `ResultForm.evaluate`)
and stored on the rows and forms, so the overview can filter and sort them; the
thresholds are settings (`PERFGOALS_LIGHT_*`), shown on the rules page.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from indicators import framework
from indicators.values import COMPARATOR_SYMBOLS, is_money_unit, normalize_number, parse_value
from projects.models import AppendOnly, Project, ProjectType

from . import scoring
from .scoring import Achievement

MONEY_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
RATE_UNITS = ("%", "‰")
FOUR = Decimal("0.0001")
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class Kind(models.TextChoices):
    MONITORING = "monitoring", "绩效运行监控"
    EVALUATION = "evaluation", "绩效自评"


class FormStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    CONFIRMED = "confirmed", "已确认"


EDITABLE = (FormStatus.DRAFT, FormStatus.RETURNED)


class Light(models.IntegerChoices):
    """Ordered by severity, so that the worst light of a form is the largest."""

    NONE = 0, "未评"
    GREEN = 1, "绿"
    YELLOW = 2, "黄"
    RED = 3, "红"


LIGHT_CODES = {Light.NONE: None, Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"}


class Cause(models.TextChoices):
    """偏差原因分析: several may apply."""

    FUNDING = "funding", "经费保障"
    SYSTEM = "system", "制度保障"
    STAFF = "staff", "人员保障"
    HARDWARE = "hardware", "硬件条件保障"
    OTHER = "other", "其他"


class Likelihood(models.TextChoices):
    """完成目标可能性."""

    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


LIKELIHOOD_LIGHTS = {
    Likelihood.CERTAIN: Light.GREEN,
    Likelihood.POSSIBLE: Light.YELLOW,
    Likelihood.IMPOSSIBLE: Light.RED,
}


class Basis(models.TextChoices):
    """How a row's progress is judged, from its approved 指标值 (see the rules page)."""

    CUMULATIVE = "cumulative", "累计完成量按时间进度"
    SPENDING = "spending", "支出按时间进度，不超过上限"
    LEVEL = "level", "按全年目标值"
    CEILING = "ceiling", "不超过上限"
    QUALITATIVE = "qualitative", "定性，按完成目标可能性"


@dataclass(frozen=True)
class Thresholds:
    yellow: Decimal  # below this share of the expected progress: 黄
    red: Decimal  # below this: 红
    ahead: Decimal  # from this: 超前 (a target possibly set too low)


def thresholds():
    return Thresholds(
        Decimal(str(settings.PERFGOALS_LIGHT_YELLOW_BELOW)),
        Decimal(str(settings.PERFGOALS_LIGHT_RED_BELOW)),
        Decimal(str(settings.PERFGOALS_LIGHT_AHEAD_FROM)),
    )


def light_for(ratio, limits):
    """The light of a progress ratio (actual progress / expected progress)."""
    if ratio < limits.red:
        return Light.RED
    if ratio < limits.yellow:
        return Light.YELLOW
    return Light.GREEN


def time_share(cutoff):
    """Share of the year elapsed at the end of `cutoff`, counted in months as finance
    offices do: 6月30日 → 6/12 = 50%, 6月15日 → (5 + 15/30)/12."""
    days = monthrange(cutoff.year, cutoff.month)[1]
    return (Decimal(cutoff.month - 1) + Decimal(cutoff.day) / Decimal(days)) / Decimal(12)


def percent(fraction, places=1):
    """`0.37594` → `37.6%` (empty for None)."""
    if fraction is None:
        return ""
    value = (Decimal(fraction) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value}%"


def amount(number):
    """An amount in 万元 as printed: `266`, `12.5` (empty for None)."""
    return "" if number is None else normalize_number(number)


def fits(model, name, value):
    """Whether `value`, rounded to the places of the DecimalField `name` of `model`, can be
    stored there (PostgreSQL refuses more digits; SQLite stores them and fails on reading)."""
    field = model._meta.get_field(name)
    limit = Decimal(10) ** (field.max_digits - field.decimal_places)
    value = abs(Decimal(value))
    # Compared before rounding too: quantizing a huge value exceeds the decimal context.
    return value < limit and value.quantize(Decimal(1).scaleb(-field.decimal_places), ROUND_HALF_UP) < limit


def _q(value):
    return None if value is None else Decimal(value).quantize(FOUR, rounding=ROUND_HALF_UP)


EVALUATION_CUTOFF_FIXED = "绩效自评每年度只有一轮，截止日期固定为12月31日。"


def evaluation_cutoff(year):
    """The cut-off of a year's self-evaluation: the year's end."""
    return date(year, 12, 31)


class Round(models.Model):
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.MONITORING)
    year = models.PositiveSmallIntegerField("年度")
    cutoff = models.DateField("截止日期")
    opened_at = models.DateTimeField("开启时间", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="开启人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "监控轮次"
        verbose_name_plural = "监控轮次"
        ordering = ["-year", "kind", "-cutoff"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "cutoff"], name="round_unique"),
            # Self-evaluation: one round a year, as at the year's end.
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(kind="evaluation"),
                name="round_one_evaluation_a_year",
                violation_error_message="该年度已有绩效自评轮次：绩效自评每年度只有一轮。",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="monitoring") | models.Q(cutoff__month=12, cutoff__day=31),
                name="round_evaluation_at_year_end",
                violation_error_message=EVALUATION_CUTOFF_FIXED,
            ),
        ]

    def __str__(self):
        if self.kind == Kind.EVALUATION:
            return f"{self.year}年度{self.get_kind_display()}"
        return f"{self.year}年{self.get_kind_display()}（{self.cutoff_label}）"

    @property
    def cutoff_label(self):
        """`截至6月30日`."""
        return f"截至{self.cutoff.month}月{self.cutoff.day}日"

    @property
    def cutoff_text(self):
        """`2025年6月30日`."""
        return f"{self.cutoff.year}年{self.cutoff.month}月{self.cutoff.day}日"

    @property
    def period(self):
        """The column heads' period: `截至6月` at a month's end, else `截至6月15日`."""
        if self.cutoff.day == monthrange(self.cutoff.year, self.cutoff.month)[1]:
            return f"截至{self.cutoff.month}月"
        return self.cutoff_label

    @property
    def time_share(self):
        return time_share(self.cutoff)

    @property
    def form_title(self):
        return "项目支出绩效目标执行监控表" if self.kind == Kind.MONITORING else "项目支出绩效自评表"


# The unit-level action of projects/permissions.py behind each action on forms.
UNIT_ACTIONS = {"edit": "submit", "submit": "submit", "import": "submit", "review": "review"}
ACTION_STATES = {
    "edit": EDITABLE,
    "submit": EDITABLE,
    "import": EDITABLE,
    "review": (FormStatus.SUBMITTED,),
}


# 项目资金（万元） by source on the self-evaluation form, and its columns.
FUND_PARTS = (("appropriation", "其中：当年财政拨款"), ("carryover", "上年结转资金"), ("other", "其他资金"))
FUND_COLUMNS = (("initial", "年初预算数"), ("full", "全年预算数（A）"), ("executed", "全年执行数（B）"))
FUND_PART_KEYS = tuple(f"{part}_{column}" for part, _ in FUND_PARTS for column, _ in FUND_COLUMNS)


def _fund_part(key):
    part, column = key.split("_")

    def get(form):
        value = (form.funds_parts or {}).get(part, {}).get(column)
        return None if value in (None, "") else Decimal(value)

    def put(form, value):
        parts = {name: dict(values) for name, values in (form.funds_parts or {}).items()}
        columns = parts.setdefault(part, {})
        if value is None:
            columns.pop(column, None)
            if not columns:
                parts.pop(part)
        else:
            columns[column] = normalize_number(value)
        form.funds_parts = parts

    return property(get, put)


class ResultFormQuerySet(models.QuerySet):
    def restrict(self, user, action="view", *, any_state=False):
        """The forms `user` may `action`; every view, export, import and command of the
        stage goes through here, and here through the projects' one door
        (projects/permissions.py).

        view, export: the forms of the projects the user may view; edit, submit,
        import: drafts and returned forms of the units where the user is 填报人;
        review: submitted forms of the units the user reviews (the unit's 审核人, its
        主管部门's with scope tree, the finance reviewer who manages it).
        `any_state`: those forms whatever their state (the user holds the role there).
        """
        from projects import permissions

        where = permissions.project_condition(user, "view")
        if where is None:
            return self.none()
        # Q() (superusers, the command line): every project, without a subquery.
        forms = self.filter(project__in=Project.objects.filter(where)) if where else self
        if action in ("view", "export"):
            return forms
        units = permissions.unit_condition(user, UNIT_ACTIONS[action], field="project__department_id")
        if units is None:
            return self.none()
        forms = forms.filter(units)
        return forms if any_state else forms.filter(status__in=ACTION_STATES[action])

    def with_rows(self):
        rows = models.Prefetch("rows", queryset=ResultRow.objects.select_related("adjusted_by"))
        return self.select_related("round", "project__department").prefetch_related(rows)


class ResultForm(models.Model):
    """One project's form in one round (项目支出绩效目标执行监控表)."""

    round = models.ForeignKey(Round, verbose_name="轮次", on_delete=models.PROTECT, related_name="forms")
    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="result_forms"
    )
    # As approved when the round opened (frozen for the printed form).
    project_name = models.CharField("项目名称", max_length=200)
    department_name = models.CharField("预算单位", max_length=200)
    # The unit's 主管部门 (its parent; the unit itself when it is a 主管部门).
    authority_name = models.CharField("主管部门", max_length=200, blank=True)
    project_type = models.CharField("项目类型", max_length=20, choices=ProjectType.choices)
    goal_text = models.TextField("年度总体目标", blank=True)
    # 项目资金（万元）
    budget_initial = models.DecimalField("年初预算数", max_digits=18, decimal_places=6)
    budget_full = models.DecimalField("全年预算数", max_digits=18, decimal_places=6, null=True, blank=True)
    executed = models.DecimalField("执行数", max_digits=18, decimal_places=6, null=True, blank=True)
    forecast = models.DecimalField("全年预计执行数", max_digits=18, decimal_places=6, null=True, blank=True)
    funds_reason = models.TextField("资金执行偏差原因", blank=True)
    summary = models.TextField("执行情况", blank=True)
    status = models.CharField("状态", max_length=20, choices=FormStatus.choices, default=FormStatus.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Computed by evaluate() from the values above and the rows.
    execution_rate = models.DecimalField("执行率", max_digits=12, decimal_places=4, null=True, blank=True)
    funds_light = models.PositiveSmallIntegerField("资金执行预警", choices=Light.choices, default=Light.NONE)
    funds_ahead = models.BooleanField("资金执行超前", default=False)
    light = models.PositiveSmallIntegerField("项目预警", choices=Light.choices, default=Light.NONE)
    behind = models.PositiveSmallIntegerField("落后指标数", default=0)
    ahead = models.PositiveSmallIntegerField("超前指标数", default=0)
    # Self-evaluation (绩效自评): computed by evaluate() from the funds and the rows' scores.
    budget_score = models.DecimalField("预算执行得分", max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField("等级", max_length=2, blank=True)
    # 项目资金 by source ({"appropriation": {"initial": "240", "full": …, "executed": …}, …}),
    # read and written through the properties named in FUND_PART_KEYS.
    funds_parts = models.JSONField("资金来源明细", default=dict, blank=True)

    COMPUTED = (
        "execution_rate",
        "funds_light",
        "funds_ahead",
        "light",
        "behind",
        "ahead",
        "budget_score",
        "total",
        "grade",
    )

    objects = ResultFormQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", *COMPUTED])

    class Meta:
        verbose_name = "监控表"
        verbose_name_plural = "监控表"
        ordering = ["round", "department_name", "project_name"]
        constraints = [models.UniqueConstraint(fields=["round", "project"], name="result_form_unique")]
        indexes = [
            models.Index(fields=["round", "status"], name="result_form_round_status"),
            # The overview's default order: worst light first, then unit and project.
            models.Index(
                fields=["round", "-light", "department_name", "project_name"], name="result_form_overview"
            ),
            # The overview's totals read only these (an index-only scan on PostgreSQL;
            # other databases create the index without the included columns).
            models.Index(
                fields=["round", "light"],
                include=["budget_full", "executed", "behind", "project"],
                name="result_form_totals",
            ),
        ]

    def __str__(self):
        return f"{self.project_name} · {self.round}"

    @property
    def is_editable(self):
        return self.status in EDITABLE

    @property
    def is_final(self):
        return self.status == FormStatus.CONFIRMED

    @property
    def project_type_label(self):
        return ProjectType(self.project_type).label if self.project_type in ProjectType.values else ""

    @property
    def light_code(self):
        return LIGHT_CODES[self.light]

    @property
    def is_evaluation(self):
        return self.round.kind == Kind.EVALUATION

    @property
    def noun(self):
        """What users call the form: 自评表 or 监控表."""
        return "自评表" if self.is_evaluation else "监控表"

    def evaluate(self, rows=None, share=None, limits=None):
        """Compute every row's progress and light, then the form's: execution rate and
        its light, the project light (the worst of the funds and the rows), the counts of
        rows behind (黄/红) and far ahead; a self-evaluation is scored instead
        (`score`). Returns the rows."""
        if self.is_evaluation:
            return self.score(rows)
        share = self.round.time_share if share is None else share
        limits = limits or thresholds()
        rows = list(self.rows.all()) if rows is None else rows
        for row in rows:
            row.evaluate(share, limits)
        self.execution_rate = None
        self.funds_light, self.funds_ahead = Light.NONE, False
        if self.executed is not None and self.budget_full:
            rate = self.executed / self.budget_full
            self.execution_rate = _q(rate)
            ratio = rate / share
            self.funds_light = Light.RED if self.executed > self.budget_full else light_for(ratio, limits)
            self.funds_ahead = ratio >= limits.ahead
        self.light = max([self.funds_light, *(row.light for row in rows)])
        self.behind = sum(1 for row in rows if row.light in (Light.YELLOW, Light.RED))
        self.ahead = sum(1 for row in rows if row.ahead)
        return rows

    def score(self, rows=None):
        """The self-evaluation's scores (results/scoring.py): each row's, the budget
        execution's, the total of the final scores (a reviewer's adjustment counts) and
        the grade; None until everything is there to score. Returns the rows."""
        rows = list(self.rows.all()) if rows is None else rows
        for row in rows:
            row.score_row()
        self.execution_rate = None
        if self.executed is not None and self.budget_full:
            self.execution_rate = _q(self.executed / self.budget_full)
        self.budget_score = scoring.budget_score(self.budget_full, self.executed)
        finals = [row.final_score for row in rows]
        if self.budget_score is None or not rows or any(score is None for score in finals):
            self.total, self.grade = None, ""
        else:
            self.total = self.budget_score + sum(finals)
            self.grade = scoring.grade_of(self.total)
        self.behind = sum(1 for row in rows if row.below_weight)
        self.ahead = sum(1 for row in rows if row.far_above)
        return rows

    @staticmethod
    def rate_error(budget_full, executed):
        """Why 执行数 `executed` against 全年预算数 `budget_full` gives an execution rate the
        form cannot hold (None when it can): such a figure is a typing mistake."""
        if executed is None or not budget_full or fits(ResultForm, "execution_rate", executed / budget_full):
            return None
        return (
            f"与全年预算数{amount(budget_full)}万元相差过大（执行率超出可计算的范围），"
            "请核对金额是否以万元填写。"
        )

    def part_rate(self, part):
        """执行率（B/A） of one source of funds (`FUND_PARTS`); None until both are given."""
        full, executed = getattr(self, f"{part}_full"), getattr(self, f"{part}_executed")
        return None if executed is None or not full else executed / full

    @property
    def weights_total(self):
        return sum((row.weight or 0 for row in self.rows.all()), Decimal(0))

    def parts_problems(self):
        """The sources of funds, where given, add up to the 年度资金总额 in each column."""
        found = []
        totals = {"initial": self.budget_initial, "full": self.budget_full, "executed": self.executed}
        for column, label in FUND_COLUMNS:
            given = [getattr(self, f"{part}_{column}") for part, _ in FUND_PARTS]
            given = [value for value in given if value is not None]
            if given and totals[column] is not None and sum(given) != totals[column]:
                found.append(
                    f"资金来源（当年财政拨款、上年结转资金、其他资金）的{label}合计{amount(sum(given))}万元，"
                    f"与年度资金总额的{label}{amount(totals[column])}万元不一致。"
                )
        return found

    def evaluation_problems(self, rows):
        found = []
        if self.budget_full is None:
            found.append("请填写全年预算数（A）。")
        if self.executed is None:
            found.append("请填写全年执行数（B）。")
        found += self.parts_problems()
        if not self.summary.strip():
            found.append("请填写年度总体目标的“实际完成情况”。")
        total = sum((row.weight or 0 for row in rows), Decimal(0))
        if rows and total != scoring.INDICATOR_POINTS:
            found.append(f"各指标分值合计应为90分，现为{scoring.points_text(total)}分。")
        for row in rows:
            found += row.evaluation_problems()
        return found

    def problems(self, rows=None):
        """What keeps the form from being submitted, in Chinese, each saying where."""
        rows = list(self.rows.all()) if rows is None else rows
        if self.is_evaluation:
            return self.evaluation_problems(rows)
        period = self.round.period
        found = []
        if self.budget_full is None:
            found.append("请填写全年预算数。")
        if self.executed is None:
            found.append(f"请填写{period}执行数。")
        if self.funds_light in (Light.YELLOW, Light.RED) and not self.funds_reason.strip():
            found.append(f"预算执行进度落后（{Light(self.funds_light).label}灯），请填写资金执行的偏差原因。")
        if not self.summary.strip():
            found.append(f"请填写年度总体目标的“{period}执行情况”。")
        for row in rows:
            found += row.problems(period)
        return found

    # -- workflow (results/workflow.py) --
    def submit(self, user, version=None):
        from .workflow import perform

        return perform(self, user, "submit", version=version)

    def confirm(self, user, comment="", version=None):
        from .workflow import perform

        return perform(self, user, "confirm", comment, version=version)

    def send_back(self, user, comment, version=None):
        from .workflow import perform

        return perform(self, user, "return", comment, version=version)


for _key in FUND_PART_KEYS:  # appropriation_initial … other_executed
    setattr(ResultForm, _key, _fund_part(_key))


class ResultRow(models.Model):
    """One approved annual indicator row of a form, and what was achieved against it."""

    form = models.ForeignKey(ResultForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name="批复指标",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="result_rows",
    )
    position = models.PositiveSmallIntegerField("序号")
    # The approved row, frozen when the round opened.
    goal_name = models.CharField("目标名称", max_length=100, blank=True)
    level1 = models.CharField("一级指标", max_length=50, blank=True)
    level2 = models.CharField("二级指标", max_length=50, blank=True)
    level3 = models.CharField("三级指标", max_length=200, blank=True)
    target = models.CharField("年度指标值", max_length=200, blank=True)
    comparator = models.CharField("比较符", max_length=2, blank=True)
    number = models.DecimalField("指标数值", max_digits=24, decimal_places=6, null=True, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    # What the unit reports.
    actual = models.CharField("实际完成值", max_length=200, blank=True)
    forecast = models.CharField("全年预计完成值", max_length=200, blank=True)
    causes = models.JSONField("偏差原因", default=list, blank=True)
    reason = models.TextField("偏差原因说明", blank=True)
    likelihood = models.CharField("完成目标可能性", max_length=20, choices=Likelihood.choices, blank=True)
    note = models.TextField("备注（改进措施）", blank=True)
    # Computed by evaluate().
    expected = models.DecimalField("预期进度", max_digits=12, decimal_places=4, null=True, blank=True)
    progress = models.DecimalField("实际进度", max_digits=16, decimal_places=4, null=True, blank=True)
    light = models.PositiveSmallIntegerField("预警", choices=Light.choices, default=Light.NONE)
    ahead = models.BooleanField("超前", default=False)
    # Self-evaluation (绩效自评): the weight (分值, defaults from results/scoring.py), the
    # level and points of a qualitative row, the computed score and a reviewer's change.
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    level = models.CharField("完成程度", max_length=20, choices=Achievement.choices, blank=True)
    points = models.DecimalField("定性得分", max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    adjusted = models.DecimalField("审核调整得分", max_digits=6, decimal_places=2, null=True, blank=True)
    adjust_reason = models.TextField("调整理由", blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    adjusted_at = models.DateTimeField("调整时间", null=True, blank=True)

    COMPUTED = ("expected", "progress", "light", "ahead", "score")
    VALUES = ("actual", "forecast", "causes", "reason", "likelihood", "note", "weight", "level", "points")

    history = HistoricalRecords(excluded_fields=list(COMPUTED))

    class Meta:
        verbose_name = "监控指标"
        verbose_name_plural = "监控指标"
        ordering = ["position", "id"]

    def __str__(self):
        return self.level3 or f"第{self.position}行"

    @classmethod
    def frozen_from(cls, form, indicator, goal, position):
        """A new row of `form` holding a copy of the approved `indicator` of `goal`."""
        return cls(form=form, indicator=indicator, position=position, **cls.copy_of(indicator, goal))

    @staticmethod
    def copy_of(indicator, goal):
        return {
            "goal_name": goal.name,
            "level1": indicator.level1,
            "level2": indicator.level2,
            "level3": indicator.level3,
            "target": indicator.value,
            "comparator": indicator.comparator,
            "number": indicator.number,
            "unit": indicator.unit,
        }

    @property
    def label(self):
        """`第2行（服务窗口工作人员数量）`: where a message points."""
        return f"第{self.position}行" + (f"（{self.level3}）" if self.level3 else "")

    @property
    def basis(self):
        if self.number is None:
            return Basis.QUALITATIVE
        if self.comparator in ("<=", "<"):
            return Basis.SPENDING if is_money_unit(self.unit) else Basis.CEILING
        if (
            self.comparator in (">=", ">")
            and self.unit not in RATE_UNITS
            and framework.canonical_level2(self.level2) == "数量指标"
        ):
            return Basis.CUMULATIVE
        return Basis.LEVEL

    @property
    def is_qualitative(self):
        return self.number is None

    @property
    def comparator_symbol(self):
        return COMPARATOR_SYMBOLS.get(self.comparator, "")

    def measure(self, text):
        """A value written in the target's notation, in the target's unit (money converts
        between 元, 万元 and 亿元); ValueError with a Chinese message when it is not one."""
        # The common case, a plain number in the target's unit (`2100吨`, `96%`), without the
        # parser (a whole year's scoring reads hundreds of thousands of values).
        plain = text.strip()
        if self.unit and plain.endswith(self.unit):
            plain = plain[: -len(self.unit)]
        if PLAIN_NUMBER.fullmatch(plain):
            return Decimal(plain)
        parsed = parse_value(text)
        if parsed.number is None:
            example = f"如“{normalize_number(self.number)}{self.unit}”" if self.number is not None else ""
            raise ValueError(f"应为数值，可带计量单位（{example or '如“20人”'}）。")
        unit = parsed.unit or self.unit
        if unit == self.unit:
            return parsed.number
        if unit in MONEY_FACTORS and self.unit in MONEY_FACTORS:
            return parsed.number * MONEY_FACTORS[unit] / MONEY_FACTORS[self.unit]
        raise ValueError(f"计量单位“{unit}”与年度指标值“{self.target}”的单位“{self.unit or '无'}”不一致。")

    def value_error(self, text):
        """Why `text` cannot be this row's actual or forecast value (None when it can)."""
        if self.is_qualitative or not (text or "").strip():
            return None
        try:
            self.measure(text)
        except ValueError as exc:
            return str(exc)
        return None

    def progress_error(self, text):
        """Why actual value `text` (valid: `value_error`) gives a progress the row cannot hold
        (None when it can): a figure that many times its target is a typing mistake."""
        if self.is_qualitative or not self.number or not (text or "").strip():
            return None
        if fits(ResultRow, "progress", self.measure(text) / self.number):
            return None
        return f"与年度指标值“{self.target}”相差过大（完成进度超出可计算的范围），请核对数值和计量单位。"

    @property
    def actual_number(self):
        if self.is_qualitative or not self.actual.strip():
            return None
        try:
            return self.measure(self.actual)
        except ValueError:
            return None

    def breaches(self, actual):
        """Whether `actual` is beyond a ceiling (≤ / ＜)."""
        return actual > self.number if self.comparator == "<=" else actual >= self.number

    def evaluate(self, share, limits):
        """Expected and actual progress, light and 超前 mark (see the rules page)."""
        basis = self.basis
        self.expected = self.progress = None
        self.light, self.ahead = Light.NONE, False
        if basis == Basis.QUALITATIVE:
            self.light = LIKELIHOOD_LIGHTS.get(self.likelihood, Light.NONE)
            return
        actual = self.actual_number
        if actual is not None:
            ceiling = basis in (Basis.SPENDING, Basis.CEILING)
            if self.number == 0:  # ≤0起 / ≥0: met or not
                self.light = Light.RED if ceiling and self.breaches(actual) else Light.GREEN
            else:
                expected = share if basis in (Basis.CUMULATIVE, Basis.SPENDING) else Decimal(1)
                progress = actual / self.number
                self.expected, self.progress = _q(expected), _q(progress)
                if ceiling and self.breaches(actual):
                    self.light = Light.RED
                elif basis == Basis.CEILING:
                    self.light = Light.GREEN
                else:
                    ratio = progress / expected
                    self.light = light_for(ratio, limits)
                    self.ahead = ratio >= limits.ahead
        if self.likelihood == Likelihood.IMPOSSIBLE:
            self.light = Light.RED

    # -- self-evaluation ------------------------------------------------------------

    def score_row(self):
        """This row's score (results/scoring.py); None until its value is given."""
        if self.is_qualitative:
            self.score = self.points if self.level and self.points is not None else None
        else:
            self.score = scoring.row_score(self.weight, self.comparator, self.number, self.actual_number)
        return self.score

    @property
    def final_score(self):
        """The score that counts: the reviewer's when they changed it."""
        return self.adjusted if self.adjusted is not None else self.score

    @property
    def below_weight(self):
        final = self.final_score
        return final is not None and self.weight is not None and final < self.weight

    @property
    def far_above(self):
        """An actual of 130 % or more of its target (a target possibly set too low)."""
        actual = self.actual_number
        if actual is None or not self.number or self.number < 0:
            return False
        return actual >= self.number * scoring.FAR_ABOVE

    @property
    def level_label(self):
        return Achievement(self.level).label if self.level in Achievement.values else ""

    def evaluation_problems(self):
        found = []
        if self.is_qualitative:
            if not self.level:
                found.append(f"{self.label}：请选择完成程度（达成、部分达成或未达成）。")
            elif self.points is None:
                found.append(f"{self.label}：请在“{self.level_label}”的范围内填写得分。")
        elif not self.actual.strip():
            found.append(f"{self.label}：请填写实际完成值（B）。")
        if self.weight is None:
            found.append(f"{self.label}：请填写分值。")
        if not self.reason.strip():
            if self.below_weight:
                found.append(
                    f"{self.label}得分{scoring.points_text(self.final_score)}分，低于分值"
                    f"{scoring.points_text(self.weight)}分，请填写偏差原因分析及改进措施。"
                )
            elif self.far_above:
                found.append(
                    f"{self.label}实际完成值“{self.actual}”达到年度指标值的130%以上，"
                    "请在偏差原因分析及改进措施中说明（指标值是否设定偏低）。"
                )
        return found

    @property
    def cause_labels(self):
        return [Cause(code).label for code in Cause.values if code in self.causes]

    @property
    def reasons_text(self):
        """`经费保障、人员保障：说明`, as printed and as typed offline."""
        labels = "、".join(self.cause_labels)
        if labels and self.reason:
            return f"{labels}：{self.reason}"
        return labels or self.reason

    @property
    def light_code(self):
        return LIGHT_CODES[self.light]

    def problems(self, period):
        found = []
        if not self.actual.strip():
            found.append(f"{self.label}：请填写{period}实际完成值。")
        if not self.likelihood:
            found.append(f"{self.label}：请选择完成目标可能性。")
        if self.light in (Light.YELLOW, Light.RED):
            missing = []
            if not self.causes and not self.reason.strip():
                missing.append("偏差原因分析")
            if not self.note.strip():
                missing.append("改进措施（备注）")
            if missing:
                found.append(f"{self.label}为{Light(self.light).label}灯，请填写{'和'.join(missing)}。")
        return found


class FormTransition(AppendOnly, models.Model):
    """One workflow step of a form (提交, 确认, 退回): who, when, why; never changed."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        CONFIRM = "confirm", "确认"
        RETURN = "return", "退回"
        ADJUST = "adjust", "调整得分"

    form = models.ForeignKey(
        ResultForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=FormStatus.choices)
    to_status = models.CharField("新状态", max_length=20, choices=FormStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField("意见", blank=True)
    version = models.PositiveIntegerField("版本")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "监控表流转记录"
        verbose_name_plural = "监控表流转记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.form} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"

    @property
    def user_name(self):
        if self.user is None:
            return "系统"
        return self.user.get_full_name() or self.user.get_username()


class ScoredRow:
    """A self-evaluation row as the year's scoring loads it (`services.score_round`): the
    fields the score reads and the score, without a model instance; the score is computed
    by ResultRow's own methods."""

    FIELDS = (
        "pk",
        "form_id",
        "comparator",
        "number",
        "unit",
        "target",
        "actual",
        "weight",
        "level",
        "points",
        "adjusted",
        "score",
    )
    __slots__ = FIELDS

    def __init__(self, values):
        for name, value in zip(self.FIELDS, values, strict=True):
            setattr(self, name, value)

    is_qualitative = ResultRow.is_qualitative
    measure = ResultRow.measure
    actual_number = ResultRow.actual_number
    score_row = ResultRow.score_row
    final_score = ResultRow.final_score
    below_weight = ResultRow.below_weight
    far_above = ResultRow.far_above


class ScoredForm:
    """A self-evaluation form as the year's scoring loads it, scored by `ResultForm.score`."""

    FIELDS = ("pk", "budget_full", "executed", *scoring.FORM_RESULTS)
    __slots__ = FIELDS

    def __init__(self, values):
        for name, value in zip(self.FIELDS, values, strict=True):
            setattr(self, name, value)

    score = ResultForm.score
