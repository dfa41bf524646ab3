import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class DepartmentQuerySet(models.QuerySet):
    def restrict(self, user, action):
        """The units where `user` may `action` (projects/permissions.py): create
        projects (`edit`), import into them (`import`), review them (`review`) …"""
        from . import permissions

        where = permissions.unit_condition(user, action)
        return self.none() if where is None else self.filter(where)


class Department(models.Model):
    """A budget unit (预算单位): a bureau, an office, a town.

    Units are organised in two levels: a 主管部门 (no parent) and its 所属单位
    (`parent` is the 主管部门). A 主管部门 has no parent and a 所属单位 no units
    of its own; `clean` refuses anything deeper.
    """

    code = models.CharField("单位编码", max_length=50, unique=True, null=True, blank=True)
    name = models.CharField("单位名称", max_length=200, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="主管部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="所属单位填写其主管部门；主管部门本身留空。",
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def authority(self):
        """The unit's 主管部门: its parent, or the unit itself when it is a 主管部门 (the body
        of a project's 初审, the 主管部门 printed on the results forms)."""
        return self.parent if self.parent_id else self

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.code is not None:
            self.code = self.code.strip() or None
        problem = tree_problem(self, self.parent)
        if problem:
            raise ValidationError({"parent": problem})


def tree_problem(unit, parent):
    """Why `parent` cannot be the 主管部门 of `unit` (two levels only), or None."""
    if parent is None:
        return None
    if unit.pk is not None and parent.pk == unit.pk:
        return "单位不能是自己的主管部门。"
    if parent.parent_id is not None:
        return f"“{parent.name}”本身是“{parent.parent}”的所属单位，不能再作为主管部门（只分两级）。"
    if unit.pk is not None and unit.children.exists():
        return f"“{unit.name}”是主管部门，下有所属单位，不能再隶属其他主管部门（只分两级）。"
    return None


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
    SUBMITTED = "submitted", "已提交"  # one-level review: waiting for the reviewer
    # Two-level review (YearSetting.two_level): the 主管部门's 初审, then the finance review.
    PENDING_PARENT = "pending_parent", "待主管部门审核"
    PENDING_FINANCE = "pending_finance", "待财政审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已批复"


# The states in which a project waits for a reviewer.
PENDING_STATUSES = (Status.SUBMITTED, Status.PENDING_PARENT, Status.PENDING_FINANCE)


def funding_in_order(codes):
    """The given funding codes, deduplicated, in the order the sheet prints them."""
    codes = set(codes)
    return [code for code in Funding.values if code in codes]


class Role(models.TextChoices):
    FILLER = "filler", "填报人"
    REVIEWER = "reviewer", "审核人"
    # A reviewer of the finance bureau: assigned to 主管部门 (归口管理), reaches their 所属单位.
    FINANCE = "finance", "财政审核人"


class Scope(models.TextChoices):
    UNIT = "unit", "本单位"
    TREE = "tree", "本单位及所属单位"


class Membership(models.Model):
    """A user's role in a budget unit; a user may belong to several units.

    `scope` says how far the role reaches: the unit only, or the unit with its
    所属单位 (a 主管部门's 审核人 reviewing its units). A 财政审核人's membership
    names a 主管部门 it is assigned to and always reaches its 所属单位.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name="预算单位", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    scope = models.CharField("范围", max_length=10, choices=Scope.choices, default=Scope.UNIT)

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}（{self.get_scope_display()}）"

    def save(self, *args, **kwargs):
        if self.role == Role.FINANCE:
            self.scope = Scope.TREE  # 归口管理: the 主管部门 and everything under it
        super().save(*args, **kwargs)


class YearSetting(models.Model):
    """How the projects of one budget year are reviewed (editable by administrators).

    Without a row (or with `two_level` off) a year has one-level review:
    提交 → 已提交 → 批复. With `two_level` on, a 所属单位's project goes to its
    主管部门 first (初审), then to the finance reviewer (审核, 批复); a
    主管部门's own project goes to the finance reviewer directly.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    two_level = models.BooleanField("两级审核", default=False)
    finance_body = models.CharField(
        "财政部门",
        max_length=200,
        blank=True,
        help_text="财政审核人批复时在批复表上署名的批复单位，如“鄂州市财政局”。",
    )

    class Meta:
        verbose_name = "年度设置"
        verbose_name_plural = "年度设置"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度（{'两级审核' if self.two_level else '一级审核'}）"

    @classmethod
    def of(cls, year):
        """The setting of `year` (an unsaved default one when none is stored)."""
        return cls.objects.filter(year=year).first() or cls(year=year)

    @classmethod
    def two_level_years(cls):
        """The years with two-level review, as a subquery."""
        return cls.objects.filter(two_level=True).values("year")


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
    # Written by the workflow's final step (批复) and cleared by 重新打开: what the sheet prints.
    approval_body = models.CharField("批复单位", max_length=200, blank=True, editable=False)
    approval_date = models.DateField("批复日期", null=True, blank=True, editable=False)

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
        """已提交 (or 待主管部门审核, 待财政审核) → 已退回 (the reviewer's comment is required)."""
        from .workflow import perform

        return perform(self, user, "return", comment, version=version)

    def pass_first_review(self, user, comment="", version=None):
        """待主管部门审核 → 待财政审核: the 主管部门's 初审 (two-level review)."""
        from .workflow import perform

        return perform(self, user, "pass", comment, version=version)

    def reopen(self, user, comment, version=None):
        """已批复 → 草稿 (the reason is required); the approval snapshot stays."""
        from .workflow import perform

        return perform(self, user, "reopen", comment, version=version)

    def withdraw(self, user, comment="", version=None):
        """A waiting project back to 草稿/已退回, by its submitter, while no reviewer has acted."""
        from .workflow import perform

        return perform(self, user, "withdraw", comment, version=version)

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
        PASS = "pass", "初审通过"
        APPROVE = "approve", "批复"
        RETURN = "return", "退回"
        REOPEN = "reopen", "重新打开"
        WITHDRAW = "withdraw", "撤回"

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
    # The body in whose name a review step was taken (the 主管部门 for 初审, the finance bureau …).
    body = models.CharField("办理单位", max_length=200, blank=True)
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
    # The review steps of the round that ended in this approval (初审通过, 批复): action,
    # label, body, user (name), at (ISO time), comment.
    steps = models.JSONField("审核步骤", default=list, blank=True)

    class Meta:
        verbose_name = "批复存档"
        verbose_name_plural = "批复存档"
        ordering = ["-approved_at", "-id"]

    def __str__(self):
        return f"{self.project} · 第{self.version}版批复 · {self.approved_at:%Y-%m-%d %H:%M}"


class PendingImport(models.Model):
    """An uploaded file that its uploader has seen previewed and not yet confirmed.

    The file itself is kept (not what was read from it): confirming reads it again
    through the same readers, and `seen` (the stored versions of its projects at
    preview time, `None` for a project that did not exist) makes the import refuse
    a project that someone changed after the preview, as the editor does.
    """

    EXPIRES_AFTER = timedelta(hours=24)

    token = models.UUIDField("标识", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name="预算单位", on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField("文件名", max_length=255)
    content = models.BinaryField("文件内容")
    seen = models.JSONField("预览时的版本", default=dict)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "待确认的导入"
        verbose_name_plural = "待确认的导入"

    def __str__(self):
        return f"{self.filename}（{self.user}，{self.created_at:%Y-%m-%d %H:%M}）"

    @classmethod
    def expired(cls):
        return cls.objects.filter(created_at__lt=timezone.now() - cls.EXPIRES_AFTER)


class AdminChange(AppendOnly, models.Model):
    """One change an administrator made to users, roles, units or year settings:
    who, when, what, before → after (the shape of Django's LogEntry). Never changed."""

    class Subject(models.TextChoices):
        USER = "user", "用户"
        UNIT = "unit", "单位"
        YEAR = "year", "年度设置"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    subject = models.CharField("对象类别", max_length=10, choices=Subject.choices)
    subject_id = models.CharField("对象编号", max_length=50, db_index=True)
    subject_label = models.CharField("对象", max_length=200)
    action = models.CharField("操作", max_length=50)
    before = models.TextField("修改前", blank=True)
    after = models.TextField("修改后", blank=True)

    class Meta:
        verbose_name = "管理操作记录"
        verbose_name_plural = "管理操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "subject_id"], name="adminchange_subject")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.subject_label}"
