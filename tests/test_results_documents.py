"""The printed monitoring form (HTML, Excel, PDF from one layout), the overview as Excel,
and the round's exports: every row and value is in them (read back with openpyxl and
pdftotext)."""

import io
import json
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from results.documents import layout
from results.models import ResultForm

from .results_helpers import FUNDS, PROJECT, REASONS, approve_seed, fill, form_of, monitoring_round
from .workflow_helpers import people

# Every value the example puts on the form, as printed.
PRINTED = [
    "项目支出绩效目标执行监控表",
    "（2025年度　截至6月30日）",
    "填报单位：鄂州市数据局",
    "一窗受理工作项目",
    "常年性项目",
    "2025年6月30日",
    "截至6月执行数",
    "37.6%／50.0%",
    "部分资金下半年支付",
    "各窗口运行正常。",
    "总成本",
    "≤266万元",
    "100万元",
    "260万元",
    "经费保障：部分经费下半年拨付",
    "加快支付进度",
    "服务窗口工作人员数量",
    "等于35人",
    "20人",
    "30人",
    "57.1%／100.0%",
    "人员保障：招聘未完成",
    "三季度完成招聘",
    "优化政务服务环境",
    "窗口统一受理，环境持续优化",
    "提高窗口人员服务质量",
    "开展培训2次",
    "群众满意度",
    "≥98%",
    "97%",
    "99.0%／100.0%",
    "确定能",
    "有可能",
]


@pytest.fixture
def users(seed, django_user_model):
    found = people(django_user_model)
    approve_seed(found)
    return found


@pytest.fixture
def form(users):
    round_ = monitoring_round()
    fill(
        form_of(round_=round_),
        reasons=REASONS,
        funds={**FUNDS, "funds_reason": "部分资金下半年支付"},
        user=users["filler"],
    )
    return form_of(round_=round_)


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_the_print_page_carries_every_row_and_value(client, users, form):
    client.force_login(users["reviewer"])
    page = client.get(reverse("results:print", args=[form.pk])).content.decode()
    for text in PRINTED:
        assert text in page, text
    assert page.count('class="c-light-red"') == 1 and page.count('class="c-light-yellow"') == 2
    assert "未确认（草稿）" in page


def test_the_excel_is_the_layout_cell_by_cell(client, users, form):
    client.force_login(users["reviewer"])
    response = client.get(reverse("results:xlsx", args=[form.pk]))
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    sheet = layout.build_form_sheet(ResultForm.objects.with_rows().get(pk=form.pk))
    for r, line in enumerate(sheet.grid(), start=1):
        for c, text in enumerate(line, start=1):
            assert (ws.cell(r, c).value or None) == (text or None), (r, c)
    values = {str(cell.value) for row in ws.iter_rows() for cell in row if cell.value}
    for text in PRINTED:
        assert any(text in value for value in values), text
    # The cells to fill in are unlocked and the rest protected; likelihood has a list.
    assert ws.protection.sheet
    actual = next(cell for row in ws.iter_rows() for cell in row if cell.value == "20人")
    assert actual.protection.locked is False and ws["A5"].protection.locked is True
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert lists and '"确定能,有可能,完全不可能"' in lists[0].formula1
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_the_pdf_carries_every_row_and_value(client, users, form, tmp_path):
    client.force_login(users["filler"])
    response = client.get(reverse("results:pdf", args=[form.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    # -raw: in the order drawn, so that the lines of a wrapped cell stay together
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    text = squeeze(out.stdout)
    for expected in PRINTED:
        assert squeeze(expected) in text, expected
    size = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "landscape" in size or re.search(r"Page size:\s+841", size)


def test_the_overview_excel_lists_the_filtered_forms_with_totals(client, users, form):
    client.force_login(users["reviewer"])
    url = reverse("results:overview_xlsx", args=[form.round_id])
    ws = load_workbook(io.BytesIO(client.get(url).content))["汇总"]
    header = [cell.value for cell in ws[2]]
    assert header[:4] == ["序号", "项目名称", "预算单位", "状态"] and header[-1] == "项目预警"
    lines = {row[1]: row for row in ws.iter_rows(min_row=3, values_only=True) if row[0]}
    count = ResultForm.objects.filter(round=form.round).count()
    assert len(lines) == count
    line = lines[PROJECT]
    assert (line[4], line[5], line[6], line[7], line[8], line[9], line[11]) == (
        266,
        100,
        "37.6%",
        "50.0%",
        "黄",
        2,
        "红",
    )
    total = next(row for row in ws.iter_rows(min_row=3, values_only=True) if str(row[1]).startswith("合计"))
    assert total[1] == f"合计（{count}个项目；红1，未评{count - 1}）" and total[5] == 100

    red_only = load_workbook(io.BytesIO(client.get(url, {"light": "3"}).content))["汇总"]
    names = [row[1] for row in red_only.iter_rows(min_row=3, values_only=True) if row[0]]
    assert names == [PROJECT]


def test_export_results_json_has_the_documented_shape(form, tmp_path):
    path = tmp_path / "results.json"
    call_command(
        "export_results", "--kind", "monitoring", "--year", "2025", "--format", "json", "-o", str(path),
        stderr=io.StringIO(),
    )  # fmt: skip
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "perfgoals-results/1"
    exported = next(f for f in document["forms"] if f["project"] == PROJECT)
    assert {
        "kind",
        "project_id",
        "project",
        "department",
        "year",
        "cutoff",
        "status",
        "funds",
        "light",
        "rows",
    } <= set(exported)
    assert (exported["kind"], exported["year"], exported["cutoff"], exported["status"]) == (
        "monitoring",
        2025,
        "2025-06-30",
        "draft",
    )
    assert exported["funds"] == {
        "budget_initial": "266",
        "budget_full": "266",
        "executed": "100",
        "execution_rate": "37.59",
        "forecast": "260",
        "reason": "部分资金下半年支付",
    }
    assert exported["light"] == "red"
    staff = next(row for row in exported["rows"] if row["level3"] == "服务窗口工作人员数量")
    keys = (
        "goal level1 level2 level3 target actual forecast expected_progress progress light reasons likelihood"
    )
    assert {*keys.split(), "note"} <= set(staff)
    assert staff["goal"] == "年度绩效目标1" and staff["target"] == "等于35人" and staff["actual"] == "20人"
    assert (staff["expected_progress"], staff["progress"], staff["light"]) == ("100", "57.14", "red")
    assert staff["reasons"] == {"causes": ["staff"], "text": "招聘未完成"}
    assert (staff["likelihood"], staff["note"]) == ("possible", "三季度完成招聘")
    assert [row["light"] for row in exported["rows"]] == ["yellow", "red", "green", "green", "green"]


def test_export_results_xlsx_for_one_unit(form, tmp_path):
    path = tmp_path / "round.xlsx"
    export = ("export_results", "--kind", "monitoring", "--year", "2025", "--format", "xlsx")
    call_command(*export, "--department", "鄂州市数据局", "-o", str(path), stderr=io.StringIO())
    workbook = load_workbook(path)
    count = ResultForm.objects.filter(round=form.round).count()
    assert workbook.sheetnames[0] == "汇总" and len(workbook.sheetnames) == count + 1
    assert PROJECT in workbook.sheetnames
    empty = tmp_path / "none.xlsx"
    with pytest.raises(CommandError, match="中没有预算单位“别的单位”的监控表，请核对单位名称"):
        call_command(*export, "--department", "别的单位", "-o", str(empty), stderr=io.StringIO())
    assert not empty.exists()


def test_the_forms_file_name_says_the_year_once(client, users, form):
    from urllib.parse import unquote

    ResultForm.objects.filter(pk=form.pk).update(project_name=f"{form.round.year}年政务云运维服务项目")
    client.force_login(users["reviewer"])
    response = client.get(reverse("results:xlsx", args=[form.pk]))
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name == f"{form.round.year}年政务云运维服务项目{form.round.form_title}.xlsx", name
