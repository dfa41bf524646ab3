"""Review checks (审核规则): each rule flags what it must and nothing else.

Every rule is tried on rows that must be flagged and on rows that must not,
and the complete set of findings over the real 2025 seed is pinned.
"""

from decimal import Decimal

import pytest

from indicators.checks import (
    ERROR,
    RULES,
    WARNING,
    Counts,
    check_project,
    check_projects,
    count,
    counts_by_project,
    findings_by_goal,
    findings_by_indicator,
    rules_by_code,
)
from indicators.models import Indicator
from indicators.past import attach_past
from projects.models import Department, Goal, Project

# A correct goal table in the 2021 framework: every project built below starts
# from it, and it must give no finding at all.
GOOD = (
    ("成本指标", "经济成本指标", "总成本", "≤100万元"),
    ("产出指标", "数量指标", "培训人次", "≥500人"),
    ("产出指标", "质量指标", "培训合格率", "≥90%"),
    ("产出指标", "时效指标", "完成时间", "12月底前完成"),
    ("效益指标", "社会效益指标", "群众办事便利度", "明显提升"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"),
)


def replaced(rows, index, row):
    rows = list(rows)
    rows[index] = row
    return rows


def make_project(
    annual=GOOD, long=GOOD, budget="100", annual_text="完成年度任务。", long_text="完成长期任务。"
):
    """A saved project with one long and one annual goal; rows are
    (level1, level2, level3, value[, basis]) tuples, basis 计划标准 by default."""
    department, _ = Department.objects.get_or_create(name="测试单位")
    number = Project.objects.count() + 1
    project = Project.objects.create(
        year=2025, department=department, name=f"测试项目{number}", budget=Decimal(budget)
    )
    for term, rows, text in (("long", long, long_text), ("annual", annual, annual_text)):
        if rows is None:
            continue
        goal = Goal.objects.create(
            project=project, term=term, position=1, name=Goal.default_name(term, 1), text=text
        )
        Indicator.objects.bulk_create(
            Indicator.build(
                goal=goal,
                position=position,
                level1=row[0],
                level2=row[1],
                level3=row[2],
                value=row[3],
                basis=row[4] if len(row) > 4 else "计划标准",
            )
            for position, row in enumerate(rows, start=1)
        )
    return Project.objects.with_tree().get(pk=project.pk)


def places(project, code=None):
    """{(table, row, rule)} of a project's findings, optionally of one rule."""
    return {
        (finding.table, finding.row, finding.rule)
        for finding in check_project(project)
        if code is None or finding.rule == code
    }


def flagged(annual_row, code, index=1, **options):
    """Whether `code` flags `annual_row` put in place of GOOD[index] in the annual table."""
    project = make_project(annual=replaced(GOOD, index, annual_row), **options)
    return ("annual", index + 1, code) in places(project, code)


# --------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------


def test_every_rule_has_a_unique_code_a_severity_and_chinese_text():
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert {"L2_OUTSIDE_L1", "COST_UNIT"} <= set(codes)
    for rule in RULES:
        assert rule.severity in (ERROR, WARNING)
        assert rule.title and rule.explanation and rule.source
        assert any("\u4e00" <= char <= "\u9fff" for char in rule.title + rule.explanation)


def test_a_correct_project_has_no_finding(db):
    assert check_project(make_project()) == []


# --------------------------------------------------------------------------
# Project and goal tables
# --------------------------------------------------------------------------


def test_a_project_without_annual_goal_is_an_error(db):
    assert places(make_project(annual=None)) == {(None, None, "NO_ANNUAL_GOAL")}
    assert places(make_project(long=None)) == set()


def test_an_empty_annual_goal_text_is_an_error_and_an_empty_long_one_a_warning(db):
    project = make_project(annual_text=" \u3000 ", long_text="")
    findings = {finding.rule: finding for finding in check_project(project)}
    assert set(findings) == {"GOAL_TEXT_EMPTY", "LONG_GOAL_TEXT_EMPTY"}
    assert (findings["GOAL_TEXT_EMPTY"].table, findings["GOAL_TEXT_EMPTY"].row) == ("annual", None)
    assert findings["GOAL_TEXT_EMPTY"].severity == ERROR
    assert findings["GOAL_TEXT_EMPTY"].goal == "年度绩效目标1"
    assert findings["LONG_GOAL_TEXT_EMPTY"].severity == WARNING


def test_a_goal_without_rows_is_one_error_not_four_missing_level1(db):
    assert places(make_project(annual=[])) == {("annual", None, "GOAL_NO_ROWS")}


def test_a_table_without_benefit_indicators_is_flagged_once_with_the_misfiled_row(db):
    annual = replaced(GOOD, 4, ("产出指标", "社会效益", "群众办事便利度", "明显提升"))
    project = make_project(annual=annual)
    assert places(project) == {("annual", None, "TABLE_MISSING_L1"), ("annual", 5, "L2_OUTSIDE_L1")}
    [finding] = [finding for finding in check_project(project) if finding.rule == "TABLE_MISSING_L1"]
    assert "缺少效益指标" in finding.message and "第5行“社会效益”属于效益指标" in finding.message
    assert finding.indicator is None and finding.indicator_id is None


def test_every_missing_level1_is_named(db):
    project = make_project(annual=[GOOD[1], GOOD[2]])
    [finding] = check_project_of(project, "TABLE_MISSING_L1")
    assert "缺少成本指标、效益指标、满意度指标" in finding.message


def test_level1_aliases_and_the_legacy_cost_row_satisfy_the_table(db):
    annual = [
        ("产出指标", "成本指标", "总成本", "≤100万元"),
        ("产出", "数量", "培训人次", "≥500人"),
        ("效益", "社会效益", "群众办事便利度", "明显提升"),
        ("满意度", "服务对象", "群众满意度", "≥95%"),
    ]
    assert places(make_project(annual=annual)) == {("annual", 1, "COST_AS_OUTPUT_L2")}


def check_project_of(project, code):
    return [finding for finding in check_project(project) if finding.rule == code]


def share_table(qualitative_count):
    """GOOD with its first `qualitative_count` quality/benefit rows made qualitative."""
    rows = [
        GOOD[0],
        ("产出指标", "数量指标", "培训人次", "≥500人"),
        ("产出指标", "质量指标", "培训合格率", "≥90%"),
        ("产出指标", "质量指标", "服务质量", "≥95%"),
        ("效益指标", "社会效益指标", "群众办事便利度", "≥90%"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"),
    ]
    words = ["有效提高", "确保优化", "明显提升"]
    for index, word in zip((2, 3, 4), words[:qualitative_count], strict=False):
        rows[index] = (*rows[index][:3], word)
    return rows


def test_more_than_half_qualitative_rows_is_a_warning(db):
    rows = share_table(3)
    rows[1] = ("产出指标", "质量指标", "培训效果", "显著")  # 4 of 6
    findings = check_project(make_project(annual=rows))
    assert [(f.table, f.row, f.rule, f.severity) for f in findings] == [
        ("annual", None, "QUALITATIVE_SHARE", WARNING)
    ]
    assert "6项指标中有4项为定性指标" in findings[0].message


def test_exactly_half_qualitative_rows_is_not_flagged(db):
    assert check_project(make_project(annual=share_table(3))) == []


def test_values_with_numbers_count_as_quantitative_for_the_share(db):
    annual = [
        GOOD[0],
        ("产出指标", "时效指标", "完成时间", "12月底前完成"),
        ("产出指标", "数量指标", "覆盖率", "100%覆盖"),
        ("产出指标", "数量指标", "培训场次", "三场"),
        ("效益指标", "社会效益指标", "便利度", "明显提升"),
        ("效益指标", "社会效益指标", "获得感", "有效增强"),
        GOOD[5],
    ]
    assert places(make_project(annual=annual)) == set()


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------


def test_an_empty_row_is_a_warning_and_nothing_else(db):
    annual = [*GOOD[:3], ("", "", "", "", ""), *GOOD[3:]]
    assert places(make_project(annual=annual)) == {("annual", 4, "ROW_EMPTY")}


def test_an_incomplete_row_names_what_is_missing(db):
    annual = replaced(GOOD, 2, ("产出指标", "质量指标", "", "≥90%", ""))
    [finding] = check_project(make_project(annual=annual))
    assert (finding.rule, finding.row) == ("ROW_INCOMPLETE", 3)
    assert "三级指标、指标值确定依据" in finding.message
    annual = replaced(GOOD, 2, ("产出指标", "质量指标", "培训合格率", ""))
    assert places(make_project(annual=annual)) == {("annual", 3, "ROW_INCOMPLETE")}


def test_a_duplicate_row_is_flagged_on_its_second_occurrence(db):
    annual = [*GOOD, ("满意度指标", "服务对象", " 群众满意度 ", "≥90%")]
    findings = check_project_of(make_project(annual=annual), "ROW_DUPLICATE")
    assert [(f.row, f.indicator) for f in findings] == [(7, " 群众满意度 ")]
    assert "与第6行重复" in findings[0].message


def test_the_same_name_under_another_level2_or_in_the_other_table_is_not_a_duplicate(db):
    annual = [*GOOD, ("产出指标", "质量指标", "培训人次", "≥95%")]
    assert places(make_project(annual=annual), "ROW_DUPLICATE") == set()
    assert places(make_project(), "ROW_DUPLICATE") == set()  # same rows in long and annual


def test_an_unknown_level1_is_an_error_but_a_short_name_is_fine(db):
    assert flagged(("绩效指标", "数量指标", "培训人次", "≥500人"), "L1_UNKNOWN")
    assert not flagged(("产出", "数量指标", "培训人次", "≥500人"), "L1_UNKNOWN")


def test_level2_outside_its_level1(db):
    assert flagged(("产出指标", "社会效益指标", "培训人次", "≥500人"), "L2_OUTSIDE_L1")
    assert flagged(("产出指标", "工作指标", "培训人次", "≥500人"), "L2_OUTSIDE_L1")
    assert not flagged(("产出指标", "数量", "培训人次", "≥500人"), "L2_OUTSIDE_L1")
    assert not flagged(("满意度指标", "服务对象", "群众满意度", "≥95%"), "L2_OUTSIDE_L1", index=5)
    assert not flagged(("产出指标", "成本指标", "总成本", "≤100万元"), "L2_OUTSIDE_L1", index=0)


def test_a_cost_that_is_not_money(db):
    assert flagged(("成本指标", "经济成本指标", "总成本", "等于36人"), "COST_UNIT", index=0)
    assert flagged(("产出指标", "成本指标", "总成本", "≤100万"), "COST_UNIT", index=0)
    assert not flagged(("成本指标", "经济成本指标", "总成本", "≤1000000元"), "COST_UNIT", index=0)
    assert not flagged(("成本指标", "经济成本指标", "总成本", "≤0.01亿元"), "COST_UNIT", index=0)


@pytest.mark.parametrize(
    "value",
    ["≤266万元", "≤2660000元", "≤0.0266亿元", "等于266万元", "≥200万元", "＜266万元", "≤265.99万元"],
)
def test_a_total_cost_within_the_budget_is_not_flagged(db, value):
    row = ("成本指标", "经济成本指标", "总成本", value)
    assert not flagged(row, "COST_OVER_BUDGET", index=0, budget="266")


@pytest.mark.parametrize(
    "value", ["≤266.01万元", "≤2660001元", "等于300万元", "≤0.03亿元", "≥300万元", "＞266万元"]
)
def test_a_total_cost_over_the_budget_is_an_error(db, value):
    row = ("成本指标", "经济成本指标", "总成本", value)
    assert flagged(row, "COST_OVER_BUDGET", index=0, budget="266")


def test_the_budget_comparison_keeps_decimal_precision(db):
    row = ("成本指标", "经济成本指标", "项目总成本", "≤125000元")
    assert not flagged(row, "COST_OVER_BUDGET", index=0, budget="12.5")
    row = ("成本指标", "经济成本指标", "项目总成本", "≤125000.01元")
    assert flagged(row, "COST_OVER_BUDGET", index=0, budget="12.5")


def test_the_long_term_total_may_exceed_one_years_budget(db):
    long = replaced(GOOD, 0, ("成本指标", "经济成本指标", "总成本", "≤800万元"))
    assert places(make_project(long=long, budget="266")) == set()


def test_the_sum_of_cost_rows_over_the_budget_is_a_warning_when_there_is_no_total(db):
    parts = [
        ("成本指标", "经济成本指标", "人员经费", "≤200万元"),
        ("成本指标", "经济成本指标", "设备购置费", "≤1000000元"),
        *GOOD[1:],
    ]
    project = make_project(annual=parts, budget="266")
    assert places(project, "COST_SUM_OVER_BUDGET") == {("annual", None, "COST_SUM_OVER_BUDGET")}
    assert "合计300万元" in check_project_of(project, "COST_SUM_OVER_BUDGET")[0].message
    assert places(make_project(annual=parts, budget="300"), "COST_SUM_OVER_BUDGET") == set()
    with_total = [("成本指标", "经济成本指标", "总成本", "≤266万元"), *parts]
    assert places(make_project(annual=with_total, budget="266")) == set()


@pytest.mark.parametrize(
    "row",
    [
        ("产出指标", "数量指标", "抽调人数", "完全保障"),
        ("产出指标", "时效指标", "完成时间", "及时完成"),
        ("成本指标", "经济成本指标", "总成本", "控制在预算内"),
        ("产出指标", "成本指标", "总成本", "严格控制"),
    ],
)
def test_a_qualitative_value_on_a_quantitative_level2_is_an_error(db, row):
    assert flagged(row, "QUALITATIVE_ON_QUANTITATIVE")


@pytest.mark.parametrize(
    "row",
    [
        ("产出指标", "数量指标", "抽调人数", "等于36人"),
        ("产出指标", "时效指标", "完成时间", "2025年12月31日前"),
        ("产出指标", "时效指标", "办结时限", "3个工作日内"),
        ("产出指标", "数量指标", "覆盖率", "100%覆盖"),
        ("产出指标", "质量指标", "优化政务服务环境", "确保优化"),
        ("效益指标", "社会效益指标", "服务效能", "确保提升"),
    ],
)
def test_numbers_and_qualitative_quality_targets_are_fine(db, row):
    assert not flagged(row, "QUALITATIVE_ON_QUANTITATIVE")


@pytest.mark.parametrize("value", ["≥98%", "等于100%", "≥95％", "90%-100%", "不低于90%"])
def test_percentage_satisfaction_targets_are_fine(db, value):
    assert not flagged(("满意度指标", "服务对象", "群众满意度", value), "SATISFACTION_PERCENT", index=5)


@pytest.mark.parametrize("value", ["≥90分", "较高", "≥105%", "＞100%", "95"])
def test_a_satisfaction_target_must_be_a_percentage_within_100(db, value):
    assert flagged(("满意度指标", "服务对象", "群众满意度", value), "SATISFACTION_PERCENT", index=5)


def test_a_satisfaction_survey_as_a_quality_indicator_is_not_a_satisfaction_row(db):
    assert not flagged(("产出指标", "质量指标", "服务评价满意度测评", "≥90分"), "SATISFACTION_PERCENT")


@pytest.mark.parametrize("basis", ["计划标准", "预算支出标准", "计划标准、历史标准", "行业标准，其他标准"])
def test_bases_from_the_five_options_are_fine(db, basis):
    assert not flagged(("产出指标", "数量指标", "培训人次", "≥500人", basis), "BASIS_OPTION")


@pytest.mark.parametrize("basis", ["上级要求", "计划标准、上级要求", "标准"])
def test_a_basis_outside_the_five_options_is_an_error(db, basis):
    assert flagged(("产出指标", "数量指标", "培训人次", "≥500人", basis), "BASIS_OPTION")


def test_the_annual_table_contradicting_the_long_one_is_a_warning(db):
    row = ("产出指标", "数量指标", "培训人次", "≥500人次")
    project = make_project(annual=replaced(GOOD, 1, row))
    [finding] = check_project(project)
    assert (finding.rule, finding.row, finding.severity) == ("ANNUAL_UNIT_MISMATCH", 2, WARNING)
    assert "“人”" in finding.message and "“人次”" in finding.message


@pytest.mark.parametrize(
    "row",
    [
        ("产出指标", "数量指标", "培训人次", "≥400人"),  # another number, same unit
        ("成本指标", "经济成本指标", "总成本", "≤1000000元"),  # 元 and 万元
        ("产出指标", "数量指标", "培训人次", "5"),  # no unit to compare
        ("产出指标", "数量指标", "新增指标", "≥3个"),  # not in the long table
    ],
)
def test_compatible_annual_values_are_not_contradictions(db, row):
    index = 0 if row[0] == "成本指标" else 1
    assert not flagged(row, "ANNUAL_UNIT_MISMATCH", index=index)


# --------------------------------------------------------------------------
# The real 2025 seed
# --------------------------------------------------------------------------

# Projects whose tables file 社会效益 under 产出指标 (the row, long and annual)
# and therefore also lack any 效益指标.
MISFILED_BENEFIT = {
    "一窗受理工作项目": 4,
    "政务服务提升工作经费": 4,
    "市民中心水电费": 5,
    "城市数字公共基础设施专班工作经费": 4,
    "12345热线购买服务项目": 7,
    "政策研究和法治建设项目经费": 4,
    "全市惠民惠农落实大数据监督检查工作专项资金": 4,
}
# Projects without any benefit row at all.
NO_BENEFIT = ("政府雇员经费", "市政务服务大厅运维费")


def expected_seed_findings():
    expected = set()
    for name, row in MISFILED_BENEFIT.items():
        for table in ("long", "annual"):
            expected |= {(name, table, None, "TABLE_MISSING_L1"), (name, table, row, "L2_OUTSIDE_L1")}
    for name in NO_BENEFIT:
        expected |= {(name, "long", None, "TABLE_MISSING_L1"), (name, "annual", None, "TABLE_MISSING_L1")}
    digital = "城市数字公共基础设施专班工作经费"
    expected |= {
        (digital, "annual", 1, "COST_UNIT"),  # 总成本 等于36人
        (digital, "annual", 2, "QUALITATIVE_ON_QUANTITATIVE"),  # 抽调人数 完全保障
        (digital, "annual", None, "QUALITATIVE_SHARE"),  # 3 of 5 rows qualitative
    }
    return expected


def test_the_seed_findings_are_exactly_the_known_content_errors(seed):
    found = set()
    for project, findings in check_projects(Project.objects.all()):
        found |= {(project.name, f.table, f.row, f.rule) for f in findings}
    assert found == expected_seed_findings()


def test_the_seed_rows_that_reviewers_named(seed):
    digital = Project.objects.with_tree().get(name="城市数字公共基础设施专班工作经费")
    findings = check_project(digital)
    [cost] = [f for f in findings if f.rule == "COST_UNIT"]
    assert (cost.table, cost.goal, cost.indicator, cost.severity) == (
        "annual",
        "年度绩效目标1",
        "总成本",
        ERROR,
    )
    assert "等于36人" in cost.message and "万元" in cost.message
    assert cost.indicator_id == digital.annual_goals[0].indicators.all()[0].pk
    # The long-term table of the same project is right: 等于36人 is a 数量指标 there.
    assert not [f for f in findings if f.table == "long" and f.row in (1, 2)]

    one_window = Project.objects.with_tree().get(name="一窗受理工作项目")
    messages = {(f.table, f.row): f.message for f in check_project(one_window) if f.rule == "L2_OUTSIDE_L1"}
    assert messages[("annual", 4)] == "二级指标“社会效益”不属于“产出指标”，应归入“效益指标”。"
    # ≤266万元 against a budget of 266 and ≥98% satisfaction are right.
    assert not {f.rule for f in check_project(one_window)} & {"COST_OVER_BUDGET", "SATISFACTION_PERCENT"}


def test_findings_come_in_table_and_row_order(seed):
    project = Project.objects.with_tree().get(name="城市数字公共基础设施专班工作经费")
    order = [(f.table, f.row) for f in check_project(project)]
    assert order == [
        ("long", None),
        ("long", 4),
        ("annual", None),
        ("annual", None),
        ("annual", 1),
        ("annual", 2),
        ("annual", 4),
    ]


def test_checking_the_seed_costs_a_fixed_number_of_queries(seed, django_assert_max_num_queries):
    projects = list(Project.objects.with_tree())
    with django_assert_max_num_queries(1):  # last year's self-evaluations, for all of them
        attach_past(projects)
    with django_assert_max_num_queries(0):
        findings = [check_project(project) for project in projects]
    assert sum(len(f) for f in findings) == len(expected_seed_findings())
    with django_assert_max_num_queries(4):
        results = list(check_projects(Project.objects.all()))
    assert len(results) == 10


def test_check_projects_prefetches_in_chunks(seed, django_assert_max_num_queries):
    # Four queries (projects with units, goals, rows, last year's self-evaluations) per
    # chunk of four: 3 chunks.
    with django_assert_max_num_queries(12):
        results = list(check_projects(Project.objects.all(), chunk_size=4))
    assert len(results) == 10


def test_counts_per_project_for_the_queue(seed):
    counts = counts_by_project(Project.objects.all())
    by_name = {Project.objects.get(pk=pk).name: value for pk, value in counts.items()}
    assert by_name["城市数字公共基础设施专班工作经费"] == Counts(errors=6, warnings=1)
    assert by_name["数据工作项目经费"] == Counts(errors=0, warnings=0)
    assert by_name["政府雇员经费"] == Counts(errors=2, warnings=0)
    assert sum(value.total for value in counts.values()) == len(expected_seed_findings())
    project = Project.objects.with_tree().get(name="城市数字公共基础设施专班工作经费")
    assert check_project(project).counts == count(check_project(project)) == Counts(6, 1)
    assert check_project(project).has_errors


def test_findings_map_to_their_rows_and_goals_for_the_editor(seed):
    project = Project.objects.with_tree().get(name="城市数字公共基础设施专班工作经费")
    findings = check_project(project)
    annual = project.annual_goals[0]
    rows = list(annual.indicators.all())
    by_row = findings_by_indicator(findings)
    assert [f.rule for f in by_row[rows[0].pk]] == ["COST_UNIT"]
    assert [f.rule for f in by_row[rows[1].pk]] == ["QUALITATIVE_ON_QUANTITATIVE"]
    assert rows[2].pk not in by_row
    assert sum(len(value) for value in by_row.values()) == len([f for f in findings if f.row])
    by_goal = findings_by_goal(findings)
    assert [f.rule for f in by_goal[annual.pk]] == ["TABLE_MISSING_L1", "QUALITATIVE_SHARE"]


def test_as_dict_is_the_documented_json_shape(seed):
    project = Project.objects.with_tree().get(name="城市数字公共基础设施专班工作经费")
    finding = next(f for f in check_project(project) if f.rule == "COST_UNIT")
    assert finding.as_dict() == {
        "project": "城市数字公共基础设施专班工作经费",
        "year": 2025,
        "department": "鄂州市数据局",
        "table": "annual",
        "goal": "年度绩效目标1",
        "row": 1,
        "indicator": "总成本",
        "rule": "COST_UNIT",
        "severity": "error",
        "message": finding.message,
    }


def test_every_rule_code_used_on_the_seed_is_registered(seed):
    registered = rules_by_code()
    for _, findings in check_projects(Project.objects.all()):
        for finding in findings:
            assert registered[finding.rule].severity == finding.severity


def test_a_text_naming_an_earlier_year_is_a_warning_naming_the_field_and_the_year(db):
    """A 2027 copy still saying 2026: the goal text, a 三级指标, a 指标值 (YEAR_MISMATCH)."""
    project = make_project(
        annual=replaced(GOOD, 3, ("产出指标", "时效指标", "完成时间", "2026年12月底前完成")),
        annual_text="2026年平台稳定运行，依据《2021年数据管理办法》（鄂政办〔2024〕3号）。",
        long_text="2025-2027年建成全市一体化平台。",  # a period ending in the project's year
    )
    Project.objects.filter(pk=project.pk).update(year=2027)
    project = Project.objects.with_tree().get(pk=project.pk)
    found = [f for f in check_project(project) if f.rule == "YEAR_MISMATCH"]
    assert [(f.table, f.row, f.severity) for f in found] == [
        ("annual", None, WARNING),
        ("annual", 4, WARNING),
    ]
    assert found[0].message.startswith("“年度绩效目标1”的目标说明写的是2026年（“2026年平台稳定运行")
    assert "本项目是2027年度" in found[0].message
    assert found[1].message.startswith("指标值写的是2026年")
    # the same texts in a 2026 project say nothing; a 2028 one also flags the long-term period
    Project.objects.filter(pk=project.pk).update(year=2026)
    assert places(Project.objects.with_tree().get(pk=project.pk), "YEAR_MISMATCH") == set()
    Project.objects.filter(pk=project.pk).update(year=2028)
    assert ("long", None, "YEAR_MISMATCH") in places(Project.objects.with_tree().get(pk=project.pk))


@pytest.mark.parametrize(
    ("year", "rationale", "flagged"),
    [
        # the seed's 市民中心水电费: a history (2021) and the year applied for
        (2025, "又因2021年规划馆开馆水电费增加，故申请2025年市民中心水电费预算项目。", False),
        (2026, "又因2021年规划馆开馆水电费增加，故申请2025年市民中心水电费预算项目。", True),
        (2026, "2021年规划馆开馆，支出增加。", True),  # only earlier years: written for then
        (2026, "2025年完成一期建设，2026年开展二期。", False),
        (2026, "根据《2025年数字政府建设要点》（鄂政办〔2025〕3号）。", False),  # cited titles
        (2026, "", False),
    ],
)
def test_a_rationale_is_flagged_when_its_latest_year_is_before_the_project(db, year, rationale, flagged):
    project = make_project()
    Project.objects.filter(pk=project.pk).update(year=year, rationale=rationale)
    found = [
        f for f in check_project(Project.objects.with_tree().get(pk=project.pk)) if f.rule == "YEAR_MISMATCH"
    ]
    assert bool(found) == flagged
    if flagged:
        [finding] = found
        assert (finding.table, finding.goal, finding.row) == (None, None, None)
        assert finding.message.startswith("立项依据写的是") and f"本项目是{year}年度" in finding.message


def test_a_basis_naming_an_earlier_year_is_flagged(db):
    row = ("产出指标", "数量指标", "培训人次", "≥500人", "2025年计划标准")
    project = make_project(annual=replaced(GOOD, 1, row))
    Project.objects.filter(pk=project.pk).update(year=2026)
    found = [
        f for f in check_project(Project.objects.with_tree().get(pk=project.pk)) if f.rule == "YEAR_MISMATCH"
    ]
    assert [(f.table, f.row) for f in found] == [("annual", 2)]
    assert found[0].message.startswith("指标值确定依据写的是2025年")


@pytest.mark.parametrize(
    ("rationale", "quoted"),
    [
        # the clause holding the year, its brackets whole (not “2024年）及市政府常务会议纪要。”)
        (
            "根据市数据局三年行动计划（2022—2024年）及市政府常务会议纪要。",
            "“根据市数据局三年行动计划（2022—2024年）及市政府常务会议纪要。”",
        ),
        ("负责大厅运行保障，故申请2025年市民中心水电费预算项目。", "“…故申请2025年市民中心水电费预算项目。”"),
        # a long clause: a window from just before the year, … where cut
        (
            "按照要求"
            + "持续推进政务服务标准化规范化便利化建设" * 2
            + "于2025年完成平台升级改造并投入使用。",
            "“…化规范化便利化建设于2025年完成平台升级改造并投入使用。”",
        ),
    ],
)
def test_the_year_mismatch_quotes_the_clause_that_names_the_year(db, rationale, quoted):
    project = make_project()
    Project.objects.filter(pk=project.pk).update(year=2026, rationale=rationale)
    project = Project.objects.with_tree().get(pk=project.pk)
    [finding] = [f for f in check_project(project) if f.rule == "YEAR_MISMATCH"]
    assert f"（{quoted}），本项目是2026年度" in finding.message, finding.message
