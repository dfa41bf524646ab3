"""The 2025 seed sheets load faithfully, with their copy defects repaired."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from indicators.models import Indicator
from projects.documents.readers.text import parse_sheets
from projects.models import Goal, Project, Status

from .conftest import SEED_DEPARTMENT, SEED_TEXT

SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_04b18271b5c80beb.txt"


def test_fixture_text_is_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("shared/seed is not beside this checkout")
    assert SEED_TEXT.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_has_ten_projects_totalling_1158(seed):
    assert Project.objects.count() == 10
    assert Project.objects.aggregate(total=Sum("budget"))["total"] == Decimal("1158")
    assert Indicator.objects.count() == 110
    assert Goal.objects.count() == 20
    assert set(Project.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_it_reads_the_basic_table(seed):
    project = Project.objects.get(name="一窗受理工作项目")
    assert project.year == 2025
    assert project.department.name == SEED_DEPARTMENT
    assert project.budget == Decimal("266")
    assert project.project_type == "recurring"
    assert project.funding == ["appropriation"]
    assert project.rationale.startswith("以“办事主体好办事”为出发点")


def test_the_12345_first_annual_row_belongs_to_annual_goal_1(seed):
    project = Project.objects.get(name="12345热线购买服务项目")
    goal = project.goals.get(term="annual")
    assert goal.name == "年度绩效目标1"
    rows = list(goal.indicators.all())
    assert len(rows) == 8
    assert (rows[0].position, rows[0].level1, rows[0].level2, rows[0].level3, rows[0].value) == (
        1,
        "成本指标",
        "经济成本指标",
        "总成本",
        "≤295万元",
    )
    assert rows[1].level3 == "购买专业政务服务人员人数"


def test_shifted_rows_are_placed_by_content(seed):
    rows = Indicator.objects.filter(level3="大厅运行正常率")
    assert rows.count() == 2
    for row in rows:
        assert (row.level1, row.level2, row.value, row.basis) == (
            "产出指标",
            "质量指标",
            "等于100%",
            "其他标准",
        )
        assert (row.comparator, row.number, row.unit) == ("=", Decimal("100"), "%")
    satisfaction = Indicator.objects.get(
        goal__project__name="政府雇员经费", goal__term="long", level3="群众满意度"
    )
    assert (satisfaction.level1, satisfaction.level2, satisfaction.value) == (
        "满意度指标",
        "服务对象",
        "等于100%",
    )


def test_it_keeps_what_the_document_says(seed):
    """Real content errors are stored as written: the review checks judge them."""
    wrong_cost = Indicator.objects.get(
        goal__project__name="城市数字公共基础设施专班工作经费", goal__term="annual", level3="总成本"
    )
    assert (wrong_cost.value, wrong_cost.number, wrong_cost.unit) == ("等于36人", Decimal("36"), "人")
    social = Indicator.objects.filter(level1="产出指标", level2__in=["社会效益", "社会效益指标"])
    assert social.count() == 14  # seven projects, long and annual tables


def test_qualitative_values_have_no_parts(seed):
    row = Indicator.objects.filter(value="确保优化").first()
    assert (row.comparator, row.number, row.unit) == ("", None, "")


def test_it_reports_each_repair():
    result = parse_sheets(SEED_TEXT.read_text(encoding="utf-8"))
    lines = [repair.line for repair in result.repairs if repair.line]
    assert lines == [48, 55, 130, 131, 137, 138, 199, 225, 232, 253, 261]
    moved = next(r for r in result.repairs if r.line == 199)
    assert "年度绩效目标1" in moved.message and "第197行" in moved.message
    assert "空行" in result.repairs[-1].message


def test_reimport_changes_nothing(seed):
    before = {p.pk: (p.updated_at, p.version) for p in Project.objects.all()}
    row_ids = sorted(Indicator.objects.values_list("pk", flat=True))
    call_command(
        "import_approvals", str(SEED_TEXT), department=SEED_DEPARTMENT, stdout=open("/dev/null", "w")
    )
    assert {p.pk: (p.updated_at, p.version) for p in Project.objects.all()} == before
    assert sorted(Indicator.objects.values_list("pk", flat=True)) == row_ids


def test_reimport_updates_a_changed_sheet_in_place(seed, tmp_path):
    changed = SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤260万元", 1)
    path = tmp_path / "changed.txt"
    path.write_text(changed, encoding="utf-8")
    out = _run_import(path)
    assert "更新：2025年 鄂州市数据局 一窗受理工作项目" in out
    assert Project.objects.count() == 10
    project = Project.objects.get(name="一窗受理工作项目")
    assert project.version == 2
    first = project.goals.get(term="long").indicators.first()
    assert (first.value, first.number) == ("≤260万元", Decimal("260"))
    assert Indicator.objects.count() == 110


def _run_import(path, department=SEED_DEPARTMENT):
    from io import StringIO

    out = StringIO()
    call_command("import_approvals", str(path), department=department, stdout=out)
    return out.getvalue()
