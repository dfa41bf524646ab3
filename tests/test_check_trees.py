"""The fast path of the checks (light trees, streamed report) finds exactly what the models do."""

import gc
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators import library
from indicators.check_trees import TreeProject, project_trees
from indicators.checks import RULES, check_project, check_projects
from indicators.management.commands.check_targets import fewer_collections, finding_json, place
from indicators.models import Indicator
from projects.models import Goal, Project

from .test_checks import GOOD, make_project, replaced

ORDER = ("-year", "department__name", "name", "id")  # the command's order


def make_wrong_projects():
    """One project (of the unit 测试单位) for each way a table can be wrong, so every rule speaks."""
    row = {
        "empty": ("", "", "", "", ""),
        "incomplete": ("产出指标", "质量指标", "", "≥90%", ""),
        "unknown level 1": ("其他指标", "数量指标", "培训人次", "≥500人"),
        "misfiled level 2": ("产出指标", "社会效益", "群众办事便利度", "明显提升"),
        "cost under output": ("产出指标", "成本指标", "总成本", "≤100万元"),
        "cost not money": ("成本指标", "经济成本指标", "总成本", "等于36人"),
        "cost over budget": ("成本指标", "经济成本指标", "总成本", "≤500万元"),
        "qualitative count": ("产出指标", "数量指标", "培训人次", "完全保障"),
        "satisfaction": ("满意度指标", "服务对象满意度指标", "群众满意度", "≥105%"),
        "basis": ("产出指标", "质量指标", "培训合格率", "≥90%", "上级要求"),
        "other unit": ("产出指标", "数量指标", "培训人次", "≥500人次"),
        # the generated approved projects measure 群众满意度 in % (the indicator library)
        "library unit": ("产出指标", "数量指标", "群众满意度", "等于35人"),
    }
    for index, name in ((3, "empty"), (2, "incomplete"), (1, "unknown level 1"), (4, "misfiled level 2")):
        make_project(annual=replaced(GOOD, index, row[name]))
    for index, name in ((0, "cost under output"), (0, "cost not money"), (0, "cost over budget")):
        make_project(annual=replaced(GOOD, index, row[name]))
    for index, name in ((1, "qualitative count"), (5, "satisfaction"), (2, "basis"), (1, "other unit")):
        make_project(annual=replaced(GOOD, index, row[name]))
    for index, name in ((1, "library unit"),):
        make_project(annual=replaced(GOOD, index, row[name]))
    qualitative = [("效益指标", "社会效益指标", f"效益{n}", "明显提升") for n in range(5)]
    make_project(annual=[*GOOD, *qualitative, GOOD[5]])  # mostly qualitative, one duplicate
    parts = [
        ("成本指标", "经济成本指标", "人员经费", "≤200万元"),
        ("成本指标", "经济成本指标", "设备购置费", "≤1000000元"),
    ]
    make_project(annual=[*parts, *GOOD[1:]], budget="266")
    make_project(annual=None)
    make_project(annual=[], long_text="")
    make_project(annual_text="", long=GOOD[1:])
    make_project(annual_text="2024年平台稳定运行。")  # a text about an earlier year


def reverse_rows(name):
    """Number the rows of a project's tables backwards, so their order is not their ids' order."""
    for goal in Goal.objects.filter(project__name=name):
        rows = list(goal.indicators.order_by("id"))
        for row in rows:
            row.position = len(rows) + 1 - row.position
        Indicator.objects.bulk_update(rows, ["position"])


@pytest.fixture
def generated(seed):
    """The seed sheets, a few hundred generated projects in two years and every kind of mistake."""
    call_command("generate_demo", projects=300, units=6, seed=11, year=2026, stdout=StringIO())
    call_command("generate_demo", projects=40, units=2, seed=12, year=2025, stdout=StringIO())
    make_wrong_projects()
    reverse_rows("城市数字公共基础设施专班工作经费")
    library.refresh()
    assert Project.objects.count() == 368


def model_findings():
    """(project id, findings) through the models: `with_tree()` and `check_project`."""
    projects = Project.objects.order_by(*ORDER).with_tree()
    return [(project.pk, check_project(project)) for project in projects]


@pytest.mark.parametrize("chunk_size", [2000, 7])
def test_the_light_trees_give_exactly_the_findings_of_the_models(generated, chunk_size):
    expected = model_findings()
    found = [
        (project.pk, findings)
        for project, findings in check_projects(Project.objects.order_by(*ORDER), chunk_size)
    ]
    assert found == expected
    # Not an empty comparison: many rules speak, on many projects, with row ids.
    findings = [finding for _, project_findings in expected for finding in project_findings]
    # Every rule but last year's self-evaluation (no confirmed one here; trees and models are
    # compared on those in test_evaluation_next_year).
    past = {"LAST_YEAR_NOT_MET", "LAST_YEAR_LOW_GRADE"}
    assert {finding.rule for finding in findings} == {rule.code for rule in RULES} - past
    assert len({finding.project_id for finding in findings}) > 50
    assert any(finding.indicator_id for finding in findings)


def test_the_trees_hold_the_rows_of_the_models_in_their_order(generated):
    models = {project.pk: project for project in Project.objects.with_tree()}
    for tree in project_trees(Project.objects.filter(year=2025), chunk_size=9):
        assert isinstance(tree, TreeProject)
        model = models[tree.pk]
        assert (tree.name, tree.year, tree.budget, tree.department.name) == (
            model.name,
            model.year,
            model.budget,
            model.department.name,
        )
        assert [goal.pk for goal in tree.long_goals] == [goal.pk for goal in model.long_goals]
        assert [goal.pk for goal in tree.annual_goals] == [goal.pk for goal in model.annual_goals]
        for goal, model_goal in zip(tree.goals.all(), model.goals.all(), strict=True):
            assert (goal.term, goal.name, goal.text) == (model_goal.term, model_goal.name, model_goal.text)
            rows = [
                (row.pk, row.level1, row.level2, row.level3, row.value, row.number, row.unit, row.basis)
                for row in goal.indicators.all()
            ]
            assert rows == [
                (row.pk, row.level1, row.level2, row.level3, row.value, row.number, row.unit, row.basis)
                for row in model_goal.indicators.all()
            ]


def run(*args):
    out = StringIO()
    try:
        call_command("check_targets", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        assert exc.returncode == 1
    return out.getvalue()


def test_the_streamed_json_is_byte_for_byte_what_json_dumps_writes(generated, tmp_path):
    findings = [finding.as_dict() for _, project_findings in model_findings() for finding in project_findings]
    expected = json.dumps({"findings": findings}, ensure_ascii=False, indent=2) + "\n"
    assert run("--format", "json") == expected
    target = tmp_path / "findings.json"
    run("--format", "json", "-o", str(target))
    assert target.read_text(encoding="utf-8") == expected
    assert run("--format", "json", "--year", "1999") == '{\n  "findings": []\n}\n'


def test_the_streamed_text_lists_each_project_then_the_totals(generated):
    results = [(project, check_project(project)) for project in Project.objects.order_by(*ORDER).with_tree()]
    expected = []
    for project, findings in results:
        if findings:
            errors = sum(finding.is_error for finding in findings)
            expected.append(
                f"{project.year}年 {project.department.name} {project.name}"
                f"（错误{errors}项，提示{len(findings) - errors}项）"
            )
            expected += [f"  [{f.severity_label}] {f.rule} {place(f)}：{f.message}" for f in findings]
            expected.append("")
    errors = sum(finding.is_error for _, findings in results for finding in findings)
    warnings = sum(len(findings) for _, findings in results) - errors
    flagged = sum(1 for _, findings in results if findings)
    expected.append(f"共检查368个项目，{flagged}个项目有问题：错误{errors}项，提示{warnings}项。")
    assert run() == "\n".join(expected) + "\n"


@pytest.mark.parametrize(
    "item",
    [
        {"project": '“引号”"与\\反斜杠\n换行\t', "year": 2026, "row": None, "ok": True, "share": 0.5},
        {"project": "带列表的字段", "tags": ["甲", {"乙": [1, None]}], "empty": [], "row": 3},
    ],
)
def test_one_finding_is_formatted_as_json_dumps_indents_it(item):
    expected = json.dumps({"findings": [item]}, ensure_ascii=False, indent=2)
    assert '{\n  "findings": [\n' + finding_json(item) + "\n  ]\n}" == expected


def test_fewer_collections_restores_the_thresholds():
    before = gc.get_threshold()
    with fewer_collections(12345):
        assert gc.get_threshold()[0] == 12345
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections(999):
        raise RuntimeError
    assert gc.get_threshold() == before
