from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class DepartmentQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """The units where `user` may `action` (projects/permissions.py): create
        projects (`edit`), import into them (`import`), review them (`review`) …"""
        from . import permissions

        where = permissions.unit_condition(user, action)
        return self.none() if where is None else self.filter(where)


class Department(models.Model):
    """A budget unit (预算单位): a bureau, an office, a town."""

    name = models.CharField("单位名称", max_length=200, unique=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProjectType(models.TextChoices):
    RECURRING = "recurring", "常年性项目"
    CONTINUING = "continuing", "延续性项目"
    ONE_OFF = "one_off", "一次性项目"


class Funding(models.TextChoices):
    APPROPRIATION = "appropriation", "经费拨款"
    NON_TAX = "non_tax", "非税收入"
    GOVERNMENT_FUND = "government_fund", "政府性基金"
    STATE_CAPITAL = "state_capital", "国有资本经营收入"
    SOCIAL_INSURANCE = "social_insurance", "社会保险基金"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"


def funding_in_order(codes):
    """The given funding codes, deduplicated, in the order the sheet prints them."""
    codes = set(codes)
    return [code for code in Funding.values if code in codes]


class Role(models.TextChoices):
    FILLER = "filler", "填报人"
    REVIEWER = "reviewer", "审核人"


class Membership(models.Model):
    """A user's role in a budget unit; a user may belong to several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name="预算单位", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class ProjectQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """The projects `user` may `action`: view, export, edit, import, submit or review.

        The one door for every permission question (projects/permissions.py holds
        the rules); every view, export, import, command and admin page starts here,
        so a new page cannot forget the scoping.
        """
        from . import permissions

        where = permissions.project_condition(user, action)
        return self.none() if where is None else self.filter(where)

    def with_record(self):
        """The workflow record a full backup writes: steps with their users, snapshots."""
        return self.prefetch_related("transitions__user", "snapshots__approved_by")

    def with_tree(self):
        """Everything the sheet, the JSON and the review checks need, in a fixed number
        of queries (the rows carry what the indicator library knows of their names)."""
        from indicators.models import Indicator

        rows = models.Prefetch("goals__indicators", queryset=Indicator.objects.with_library())
        return self.select_related("department").prefetch_related(rows)


class Project(models.Model):
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    department = models.ForeignKey(
        Department, verbose_name="预算单位", on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField("项目名称", max_length=200)
    budget = models.DecimalField("项目预算（万元）", max_digits=18, decimal_places=6)
    project_type = models.CharField(
        "项目类型", max_length=20, choices=ProjectType.choices, default=ProjectType.RECURRING
    )
    funding = models.JSONField("资金性质", default=list, blank=True)
    rationale = models.TextField("立项依据", blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Incremented on every save through the editor: a stale form is refused.
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["-year", "department__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "department", "name"], name="project_unique_per_unit_year"
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}"

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    @property
    def funding_labels(self):
        return [Funding(code).label for code in funding_in_order(self.funding)]

    def goals_of(self, term):
        return [goal for goal in self.goals.all() if goal.term == term]

    @property
    def long_goals(self):
        return self.goals_of(Goal.Term.LONG)

    @property
    def annual_goals(self):
        return self.goals_of(Goal.Term.ANNUAL)

    # -- workflow: the transitions and their guards are in projects/workflow.py --

    @property
    def is_approved(self):
        return self.status == Status.APPROVED

    def submit(self, user, confirm_warnings=False, comment="", version=None):
        """草稿/已退回 → 已提交, by the unit's 填报人; runs the review checks."""
        from .workflow import perform

        return perform(self, user, "submit", comment, confirm_warnings=confirm_warnings, version=version)

    def approve(self, user, comment="", version=None):
        """已提交 → 已批复, by the unit's 审核人; keeps an immutable snapshot."""
        from .workflow import perform

        return perform(self, user, "approve", comment, version=version)

    def send_back(self, user, comment, version=None):
        """已提交 → 已退回 (the reviewer's comment is required)."""
        from .workflow import perform

        return perform(self, user, "return", comment, version=version)

    def reopen(self, user, comment, version=None):
        """已批复 → 草稿 (the reason is required); the approval snapshot stays."""
        from .workflow import perform

        return perform(self, user, "reopen", comment, version=version)

    def actions_for(self, user):
        """The transitions `user` may perform now (for the buttons)."""
        from .workflow import actions_for

        return actions_for(self, user)


class Goal(models.Model):
    """A long-term or annual performance goal (长期/年度绩效目标) and its text."""

    class Term(models.TextChoices):
        LONG = "long", "长期绩效目标"
        ANNUAL = "annual", "年度绩效目标"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="goals")
    term = models.CharField("类别", max_length=10, choices=Term.choices)
    position = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("目标名称", max_length=100)
    text = models.TextField("目标说明", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "绩效目标"
        verbose_name_plural = "绩效目标"
        ordering = ["-term", "position", "id"]  # "long" sorts before "annual"
        constraints = [
            models.UniqueConstraint(fields=["project", "term", "position"], name="goal_unique_position"),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def default_name(term, position):
        return f"{Goal.Term(term).label}{position}"


class AppendOnly:
    """A record that is written once and never changed or deleted (the audit trail)."""

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name}不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name}不可删除。")


class Transition(AppendOnly, models.Model):
    """One workflow step of a project (提交, 批复, 退回, 重新打开): who, when, why.

    Written in the same transaction as the status change; never changed afterwards.
    """

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        APPROVE = "approve", "批复"
        RETURN = "return", "退回"
        REOPEN = "reopen", "重新打开"

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
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
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.project} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class ApprovalSnapshot(AppendOnly, models.Model):
    """What was approved: the project's canonical JSON at approval, frozen.

    Reopening and editing the project later never changes it.
    """

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="snapshots"
    )
    data = models.JSONField("批复内容")
    version = models.PositiveIntegerField("版本")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批复人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by_name = models.CharField("批复人姓名", max_length=150, blank=True)
    approved_at = models.DateTimeField("批复时间", auto_now_add=True, db_index=True)
    comment = models.TextField("批复意见", blank=True)

    class Meta:
        verbose_name = "批复存档"
        verbose_name_plural = "批复存档"
        ordering = ["-approved_at", "-id"]

    def __str__(self):
        return f"{self.project} · 第{self.version}版批复 · {self.approved_at:%Y-%m-%d %H:%M}"
