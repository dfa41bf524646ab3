"""Builders shared by the workflow, permission and history tests."""

from decimal import Decimal

from projects.models import ApprovalSnapshot, Department, Membership, Project, Role, Transition
from projects.permissions import SYSTEM
from projects.services import import_projects

UNIT = "鄂州市数据局"
OTHER_UNIT = "鄂州市财政局"
PASSWORD = "x-pass-7391"

ROWS = [
    ("成本指标", "经济成本指标", "总成本", "≤100万元", "预算支出标准"),
    ("产出指标", "数量指标", "运维系统数量", "≥3个", "计划标准"),
    ("产出指标", "质量指标", "系统可用率", "≥99%", "行业标准"),
    ("产出指标", "时效指标", "故障响应时间", "≤2小时", "行业标准"),
    ("效益指标", "社会效益指标", "政务服务覆盖率", "≥90%", "计划标准"),
    ("满意度指标", "服务对象满意度指标", "用户满意度", "≥90%", "计划标准"),
]


def clean_project(unit=UNIT, name="政务云平台运维项目", year=2025):
    """A project that the review checks have nothing to say about."""
    rows = [dict(zip(("level1", "level2", "level3", "value", "basis"), row, strict=True)) for row in ROWS]
    data = {
        "year": year,
        "department": unit,
        "name": name,
        "budget": Decimal("100"),
        "project_type": "recurring",
        "funding": ["appropriation"],
        "rationale": "《鄂州市政务云管理办法》",
        "goals": [
            {
                "term": "long",
                "name": "长期绩效目标1",
                "text": "保障政务云平台长期稳定运行。",
                "indicators": rows,
            },
            {
                "term": "annual",
                "name": "年度绩效目标1",
                "text": "全年平台可用率不低于99%。",
                "indicators": rows,
            },
        ],
    }
    return import_projects([data], user=SYSTEM).created[0]


def member(django_user_model, username, unit_name, role, password=None, **extra):
    """A user of `unit_name` with `role`; without a password (tests use force_login) unless given."""
    user = django_user_model.objects.create_user(username, password=password, **extra)
    if unit_name:
        unit, _ = Department.objects.get_or_create(name=unit_name)
        Membership.objects.create(user=user, department=unit, role=role)
    return user


def people(django_user_model):
    """One user per role of the matrix (None: anonymous)."""
    return {
        "anonymous": None,
        "filler": member(django_user_model, "filler", UNIT, Role.FILLER),
        "other_filler": member(django_user_model, "other_filler", OTHER_UNIT, Role.FILLER),
        "reviewer": member(django_user_model, "reviewer", UNIT, Role.REVIEWER),
        "other_reviewer": member(django_user_model, "other_reviewer", OTHER_UNIT, Role.REVIEWER),
        "superuser": django_user_model.objects.create_superuser("root", password=None),
    }


def state(project):
    """Everything a refused transition must leave as it was."""
    fresh = Project.objects.get(pk=project.pk)
    return {
        "status": fresh.status,
        "version": fresh.version,
        "transitions": Transition.objects.filter(project=project).count(),
        "snapshots": ApprovalSnapshot.objects.filter(project=project).count(),
        "history": Project.history.filter(id=project.pk).count(),
    }
