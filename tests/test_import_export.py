"""import_approvals / export_approvals: refusal of bad files, JSON round trip."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator
from projects.documents.data import FORMAT
from projects.models import Department, Project

from .conftest import SEED_DEPARTMENT, SEED_JSON, SEED_TEXT, export_json, without_ids


def state():
    """Everything stored, to prove a refused import changed nothing."""
    return (
        list(Project.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BROKEN_BUDGET = SEED_TEXT.read_text(encoding="utf-8").replace("项目预算\t150万", "项目预算\t一百五十万", 1)


def test_a_malformed_file_is_refused_with_its_line_and_changes_nothing(seed, tmp_path):
    # Change a sheet that is already stored *and* break a later one: nothing may land.
    text = BROKEN_BUDGET.replace("≤266万元", "≤1万元")
    path = write(tmp_path, "broken.txt", text)
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("import_approvals", str(path), department=SEED_DEPARTMENT, stdout=StringIO())
    message = str(error.value)
    line = text.splitlines().index(next(row for row in text.splitlines() if "一百五十万" in row)) + 1
    assert f"第{line}行" in message
    assert "项目预算“一百五十万”无法识别" in message
    assert "未导入任何数据" in message
    assert state() == before


def test_a_failure_in_the_middle_of_a_file_rolls_back_the_whole_file(db, tmp_path):
    """The first sheets parse; the last is broken: no project and no unit is created."""
    path = write(tmp_path, "broken.txt", BROKEN_BUDGET)
    with pytest.raises(CommandError):
        call_command("import_approvals", str(path), department="新单位", stdout=StringIO())
    assert not Project.objects.exists()
    assert not Department.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "没有找到“YYYY年项目支出绩效目标批复”标题"),
        ("随便一段文字\n", "第1行：在批复表标题之前出现了内容"),
        ("2025年项目支出绩效目标批复\n项目名称\t测试\n", "缺少“项目预算”"),
        (
            "2025年项目支出绩效目标批复\n项目名称\t测试\n项目预算\t5万\t项目类型\t"
            '<input checked="" type="checkbox"/> 常年性项目 <input checked="" type="checkbox"/> 一次性项目\n',
            "第3行：项目类型应勾选一项，实际勾选了2项",
        ),
        (
            "2025年项目支出绩效目标批复\n项目名称\t测试\n项目预算\t5万\t项目类型\t☑ 常年性项目\n"
            "长期绩效目标表\n\t产出指标\t数量指标\t人数\t1人\t其他标准\n",
            "第5行：指标行没有所属的目标名称",
        ),
        (
            "2025年项目支出绩效目标批复\n项目名称\t测试\n项目预算\t5万\t项目类型\t☑ 常年性项目\n"
            "年度绩效目标表\n年度绩效目标1\t产出指标\n",
            "第5行：指标行无法识别",
        ),
    ],
)
def test_unreadable_sheets_say_where_and_why(db, tmp_path, text, expected):
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(CommandError) as error:
        call_command("import_approvals", str(path), department="单位", stdout=StringIO())
    assert expected in str(error.value)
    assert not Project.objects.exists()


def test_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_approvals", "/nonexistent/file.txt", department="单位")


def test_a_text_sheet_needs_a_department(db):
    with pytest.raises(CommandError, match="--department"):
        call_command("import_approvals", str(SEED_TEXT), stdout=StringIO())


def test_gb18030_text_from_windows_is_read(db, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes(SEED_TEXT.read_text(encoding="utf-8").encode("gb18030"))
    call_command("import_approvals", str(path), department=SEED_DEPARTMENT, stdout=StringIO())
    assert Project.objects.count() == 10


def test_json_export_has_the_documented_shape(seed):
    document = export_json(year=2025, department=SEED_DEPARTMENT)
    assert document["format"] == FORMAT
    project = document["projects"][0]
    assert list(project) == [
        "id", "year", "department", "name", "budget", "project_type",
        "funding", "rationale", "status", "goals",
    ]  # fmt: skip
    assert (project["name"], project["budget"], project["funding"]) == (
        "一窗受理工作项目",
        "266",
        ["appropriation"],
    )
    row = project["goals"][0]["indicators"][0]
    assert row == {
        "level1": "成本指标", "level2": "经济成本指标", "level3": "总成本", "value": "≤266万元",
        "comparator": "<=", "number": "266", "unit": "万元", "basis": "其他标准",
    }  # fmt: skip
    qualitative = project["goals"][0]["indicators"][2]
    assert (qualitative["value"], qualitative["comparator"], qualitative["number"]) == (
        "确保优化",
        None,
        None,
    )


def test_export_filters_by_year_and_department(seed):
    assert export_json(year=2024)["projects"] == []
    assert export_json(department="别的单位")["projects"] == []
    assert len(export_json(year=2025)["projects"]) == 10


def test_json_round_trips_through_an_empty_database(seed, tmp_path):
    first = export_json()
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    Project.objects.all().delete()
    Department.objects.all().delete()
    call_command("import_approvals", str(path), stdout=StringIO())
    assert without_ids(export_json()) == without_ids(first)


def test_json_import_ignores_the_status_and_reimport_changes_nothing(seed, tmp_path):
    document = export_json()
    document["projects"][0]["status"] = "approved"
    path = write(tmp_path, "backup.json", json.dumps(document, ensure_ascii=False))
    out = StringIO()
    call_command("import_approvals", str(path), stdout=out)
    assert "新建0个项目，更新0个，未变化10个" in out.getvalue()
    assert Project.objects.get(name="一窗受理工作项目").status == "draft"
    with pytest.raises(CommandError) as refused:  # restoring it would change a stored state
        call_command("import_approvals", str(path), "--restore", stdout=StringIO())
    assert "一窗受理工作项目（数据库中：草稿" in str(refused.value)
    assert Project.objects.get(name="一窗受理工作项目").status == "draft"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(format="other/1"), "format：不是本系统导出的文件"),
        (lambda d: d["projects"][0].update(year="2025"), "projects[0].year：应为2000至2100之间的年份"),
        (lambda d: d["projects"][1].update(budget="abc"), "projects[1].budget：应为非负数"),
        (
            lambda d: d["projects"][0].update(project_type="weird"),
            "projects[0].project_type：“weird”不是有效选项",
        ),
        (lambda d: d["projects"][0]["goals"][1].update(term="x"), "projects[0].goals[1].term"),
        (
            lambda d: d["projects"][2]["goals"][0]["indicators"][0].update(number="1"),
            "projects[2].goals[0].indicators[0].number：与指标值“≤25万元”不一致",
        ),
        (lambda d: d["projects"][0].update(name=""), "projects[0].name：不能为空"),
    ],
)
def test_an_invalid_json_document_says_where(seed, tmp_path, change, expected):
    document = export_json()
    change(document)
    path = write(tmp_path, "bad.json", json.dumps(document, ensure_ascii=False))
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("import_approvals", str(path), stdout=StringIO())
    assert expected in str(error.value)
    assert state() == before


def test_broken_json_names_line_and_column(db, tmp_path):
    path = write(tmp_path, "bad.json", '{"format": "perfgoals/1",\n "projects": [}')
    with pytest.raises(CommandError, match="第2行第15列"):
        call_command("import_approvals", str(path), stdout=StringIO())


def test_the_fixture_is_what_the_importer_makes(seed):
    """fixtures/seed-2025.json is produced by the importer, not typed by hand (`make fixtures`)."""
    assert without_ids(export_json()) == without_ids(json.loads(SEED_JSON.read_text(encoding="utf-8")))


def test_export_writes_a_file(seed, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_approvals", output=str(target), stderr=StringIO())
    assert len(json.loads(target.read_text(encoding="utf-8"))["projects"]) == 10
