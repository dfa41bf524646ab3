"""Results used next year: a project copied to 2026 after its 2025 self-evaluation was
confirmed gets review warnings naming each indicator not met last year and the grade."""

from django.urls import reverse

from indicators import checks
from projects.models import Project

from .evaluation_helpers import PROJECT, approve_for_evaluation, evaluation_round, reviewed
from .workflow_helpers import people


def test_copying_to_2026_shows_last_years_unmet_indicators_and_grade(seed, django_user_model, client):
    users = people(django_user_model)
    approve_for_evaluation(users)
    evaluation_round()
    reviewed(users)  # 73.10, 中; six rows below their weight (每月消耗水量 changed to 9)

    client.force_login(users["filler"])
    source = Project.objects.get(name=PROJECT, year=2025)
    response = client.post(reverse("projects:copy", args=[source.pk]))
    copy = Project.objects.get(name=PROJECT, year=2026)
    assert response["Location"] == reverse("projects:edit", args=[copy.pk])  # the copy opens in the editor

    findings = checks.check_project(Project.objects.with_tree().get(pk=copy.pk))
    not_met = [f for f in findings if f.rule == "LAST_YEAR_NOT_MET"]
    assert [f.indicator for f in not_met] == [
        "每月消耗水量",
        "每月消耗电量",
        "市民中心水电有无故障",
        "确保市民中心水电正常运转",
        "市民中心服务水平",
        "节能降耗宣传覆盖",
    ]
    assert not_met[0].message == (
        "上年（2025年）自评中“每月消耗水量”未达到目标：指标值“≤1800吨”，实际完成值“2100吨”，"
        "得分9分（分值10分）。请分析原因，合理设定本年度指标值。"
    )
    # A qualitative row is scored within its 完成程度's band: 达成 and below its weight is
    # not “未达到目标”.
    assert not_met[2].message == (
        "上年（2025年）自评中“市民中心水电有无故障”未得满分：指标值“确保无故障”，完成程度“达成”，"
        "得分9.5分（分值10分）。请分析原因，合理设定本年度指标值。"
    )
    assert "“确保市民中心水电正常运转”未得满分：" in not_met[3].message
    assert "完成程度“部分达成”，得分10分（分值15分）" in not_met[3].message
    assert all(f.severity == checks.WARNING and f.table == "annual" for f in not_met)
    grade = [f for f in findings if f.rule == "LAST_YEAR_LOW_GRADE"]
    assert [f.message for f in grade] == [
        "上年（2025年）绩效自评总分73.1分，等级为“中”，6项指标未达到分值。请在本年度目标中落实整改措施。"
    ]
    # The year's check over light trees says the same.
    trees = dict(checks.check_projects(Project.objects.filter(pk=copy.pk)))
    assert [f.message for f in next(iter(trees.values()))] == [f.message for f in findings]
    # The project page shows them; last year's project itself has none.
    page = client.get(reverse("projects:detail", args=[copy.pk])).content.decode()
    assert "上年（2025年）绩效自评总分73.1分" in page and "“每月消耗电量”未达到目标" in page
    assert not [
        f for f in checks.check_project(Project.objects.with_tree().get(pk=source.pk)) if "LAST" in f.rule
    ]
