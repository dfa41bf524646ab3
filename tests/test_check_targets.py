"""check_targets command, the rules page and findings on the project page."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class

from indicators.checks import RULES
from projects.models import Department, Membership, Project, Role

from .conftest import SEED_DEPARTMENT, login
from .test_checks import expected_seed_findings, make_project

FIELDS = ["project", "year", "department", "table", "goal", "row", "indicator", "rule", "severity", "message"]


def run(*args):
    """(stdout, CommandError or None) of check_targets."""
    out, err = StringIO(), StringIO()
    try:
        call_command("check_targets", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_json_lists_every_seed_finding_in_the_documented_shape(seed):
    text, error = run("--format", "json")
    document = json.loads(text)
    assert list(document) == ["findings"]
    assert all(list(finding) == FIELDS for finding in document["findings"])
    found = {(f["project"], f["table"], f["row"], f["rule"]) for f in document["findings"]}
    assert found == expected_seed_findings()
    cost = next(f for f in document["findings"] if f["rule"] == "COST_UNIT")
    assert (cost["year"], cost["department"], cost["goal"], cost["indicator"], cost["severity"]) == (
        2025,
        SEED_DEPARTMENT,
        "年度绩效目标1",
        "总成本",
        "error",
    )
    table_level = next(f for f in document["findings"] if f["rule"] == "TABLE_MISSING_L1")
    assert table_level["row"] is None and table_level["indicator"] is None
    # Errors in the seed: exit code 1, after the whole output was written.
    assert error is not None and error.returncode == 1
    assert "错误34项、提示1项" in str(error)


def test_text_groups_findings_by_project_in_chinese(seed):
    text, error = run()
    assert error.returncode == 1
    block = text.split("2025年 鄂州市数据局 城市数字公共基础设施专班工作经费（错误6项，提示1项）\n")[1]
    block = block.split("\n\n")[0].splitlines()
    assert len(block) == 7
    assert "  [错误] COST_UNIT 年度绩效目标1 第1行 “总成本”：成本指标“总成本”的指标值“等于36人”不是金额" in (
        "\n".join(block)
    )
    assert "[提示] QUALITATIVE_SHARE 年度绩效目标1：" in "\n".join(block)
    assert "数据工作项目经费" not in text  # no findings, not listed
    assert text.rstrip().endswith("共检查10个项目，9个项目有问题：错误34项，提示1项。")


def test_it_exits_with_code_1_from_the_command_line_when_there_is_an_error(seed, capsys):
    command = load_command_class("indicators", "check_targets")
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", "check_targets", "--format", "json"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["findings"]) == len(expected_seed_findings())
    assert "审核未通过" in captured.err


def test_it_exits_0_when_there_is_no_error(db):
    project = make_project(long_text="")  # a warning only
    text, error = run("--format", "json", "--department", project.department.name)
    assert error is None
    assert [f["rule"] for f in json.loads(text)["findings"]] == ["LONG_GOAL_TEXT_EMPTY"]
    text, error = run("--department", project.department.name)
    assert error is None and "提示1项" in text


def test_filters_by_year_and_department(seed):
    make_project()  # a clean project of another unit
    text, error = run("--format", "json", "--year", "2024")
    assert json.loads(text) == {"findings": []} and error is None
    text, error = run("--format", "json", "--department", "测试单位")
    assert json.loads(text) == {"findings": []} and error is None
    text, error = run("--format", "json", "--department", SEED_DEPARTMENT, "--year", "2025")
    assert len(json.loads(text)["findings"]) == len(expected_seed_findings())
    assert error.returncode == 1


def test_an_unknown_department_is_refused(seed):
    with pytest.raises(CommandError, match="没有名为“不存在的单位”的预算单位"):
        call_command("check_targets", "--department", "不存在的单位", stdout=StringIO())


@pytest.mark.parametrize("format", ["json", "text"])
def test_output_file_is_written_in_full_even_when_errors_fail_the_run(seed, tmp_path, format):
    target = tmp_path / f"findings.{format}"
    text, error = run("--format", format, "-o", str(target))
    assert text == ""
    assert error.returncode == 1
    written = target.read_text(encoding="utf-8")
    if format == "json":
        assert len(json.loads(written)["findings"]) == len(expected_seed_findings())
    else:
        assert written.rstrip().endswith("错误34项，提示1项。")


def test_an_unwritable_output_is_a_clear_error(seed, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        call_command("check_targets", "-o", str(tmp_path / "missing" / "x.json"), stdout=StringIO())


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


def test_the_rules_page_lists_every_rule_with_an_anchor(db, client, django_user_model):
    assert client.get("/rules/").status_code == 302  # login required
    client.force_login(django_user_model.objects.create_user("staff", password="x-pass-123"))
    page = client.get("/rules/").content.decode()
    for rule in RULES:
        assert f'id="{rule.code}"' in page
        assert rule.title in page and rule.explanation in page and rule.source in page
    assert "错误" in page and "提示" in page
    assert 'href="/rules/">审核规则</a>' in client.get("/").content.decode()


def test_the_project_page_shows_its_findings(seed, client, django_user_model):
    user = django_user_model.objects.create_user("filler", password="x-pass-123")
    Membership.objects.create(
        user=user, department=Department.objects.get(name=SEED_DEPARTMENT), role=Role.FILLER
    )
    client.force_login(user)
    project = Project.objects.get(name="城市数字公共基础设施专班工作经费")
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "审核检查" in page
    assert "错误 6 项" in page and "提示 1 项" in page
    assert 'href="/rules/#COST_UNIT"' in page
    assert "成本指标“总成本”的指标值“等于36人”不是金额" in page
    assert '<span class="severity severity-warning">提示</span>' in page

    clean = Project.objects.get(name="数据工作项目经费")
    page = client.get(f"/projects/{clean.pk}/").content.decode()
    assert "未发现问题" in page and "severity-error" not in page


def test_another_units_findings_stay_hidden(seed, client, django_user_model):
    user = django_user_model.objects.create_user("other", password="x-pass-123")
    other = Department.objects.create(name="其他单位")
    Membership.objects.create(user=user, department=other, role=Role.FILLER)
    client.force_login(user)
    project = Project.objects.get(name="城市数字公共基础设施专班工作经费")
    assert client.get(f"/projects/{project.pk}/").status_code == 404


@pytest.mark.browser
def test_a_finding_links_to_its_rule_on_the_rules_page(page, seed, django_user_model):
    django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    login(page, "boss", "boss-pass-123")
    project = Project.objects.get(name="城市数字公共基础设施专班工作经费")
    page.goto(f"{page.base_url}/projects/{project.pk}/")
    findings = page.locator("section.findings tbody tr")
    assert findings.count() == 7
    row = page.locator("section.findings tr", has_text="等于36人")
    assert row.locator(".severity").inner_text() == "错误"
    row.get_by_role("link", name="COST_UNIT").click()
    page.wait_for_url(f"{page.base_url}/rules/#COST_UNIT")
    target = page.locator("tr:target")
    assert "成本指标的计量单位不是金额" in target.inner_text()
