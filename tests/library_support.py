"""The seed approved through the workflow, for the indicator library and statistics tests.

The ten seed sheets carry the real documents' content errors (社会效益 filed under
产出指标, a 总成本 of 等于36人 …), and the workflow refuses to submit a project with
errors. So the unit's 填报人 repairs each sheet in the editor (as a finance officer
would: moves the misfiled rows, adds the missing 效益指标 row, writes the cost in 万元),
submits it, and the unit's 审核人 approves it. The indicator values that the library
reports on (群众满意度 ≥98% …) are left exactly as the seed has them.
"""

from django.test import Client
from django.urls import reverse

from indicators import framework
from indicators.checks import is_quantitative, is_quantitative_level
from indicators.models import Indicator
from indicators.values import is_money_unit, parse_value
from projects.documents.data import project_to_dict
from projects.models import Project, Role, Status

from .conftest import SEED_DEPARTMENT, SEED_TEXT, import_file
from .editor_support import PASSWORD, editor_data, make_user, unit

BENEFIT_ROW = {
    "level1": "效益指标",
    "level2": "社会效益指标",
    "level3": "政务服务事项网上可办率",
    "value": "≥90%",
    "basis": "计划标准",
}


def repaired_goals(data):
    """The goals of a perfgoals/1 project with the seed's content errors repaired."""
    goals = []
    for goal in data["goals"]:
        rows = []
        for source in goal["indicators"]:
            row = {key: source[key] for key in ("level1", "level2", "level3", "value", "basis")}
            home = framework.level1_of(row["level2"])
            if home and framework.canonical_level1(row["level1"]) != home:
                row["level1"] = home  # 社会效益 filed under 产出指标
            parsed = parse_value(row["value"])
            probe = Indicator(level1=row["level1"], level2=row["level2"], value=row["value"])
            probe.apply_parsed(parsed)
            if framework.canonical_level1(row["level1"]) == framework.COST and not is_money_unit(parsed.unit):
                row["value"] = f"≤{data['budget']}万元"  # 总成本 等于36人
            elif is_quantitative_level(probe) and not is_quantitative(probe):
                row["value"] = "≥1人"  # 数量指标 完全保障
            rows.append(row)
        if not any(framework.canonical_level1(row["level1"]) == framework.BENEFIT for row in rows):
            rows.append(dict(BENEFIT_ROW))
        goals.append({"term": goal["term"], "text": goal["text"] or "年度目标", "rows": rows})
    return goals


def approve_seed(names=None):
    """Import the seed, repair and approve its projects through the editor and the workflow.

    Returns (filler, reviewer) of 鄂州市数据局."""
    import_file(SEED_TEXT, SEED_DEPARTMENT)
    department = unit(SEED_DEPARTMENT)
    filler = make_user("seed-filler", department)
    reviewer = make_user("seed-reviewer", department, role=Role.REVIEWER)
    client = Client()
    client.force_login(filler)
    projects = Project.objects.filter(department=department).order_by("name")
    if names is not None:
        projects = projects.filter(name__in=names)
    for project in projects:
        data = project_to_dict(Project.objects.with_tree().get(pk=project.pk))
        post = editor_data(
            project,
            department=department,
            year=data["year"],
            name=data["name"],
            budget=data["budget"],
            project_type=data["project_type"],
            funding=data["funding"],
            rationale=data["rationale"],
            goals=repaired_goals(data),
        )
        response = client.post(reverse("projects:edit", args=[project.pk]), post)
        assert response.status_code == 302, response.content.decode()[:2000]
        project.refresh_from_db()
        project.submit(filler, confirm_warnings=True)
        project.approve(reviewer, "同意")
    assert Project.objects.filter(department=department, status=Status.APPROVED).count() == projects.count()
    return filler, reviewer


__all__ = ["PASSWORD", "approve_seed", "repaired_goals"]
