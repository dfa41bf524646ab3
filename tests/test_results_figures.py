"""Figures as units give them, in the monitoring and self-evaluation forms: a percentage
typed in Excel reads as that percentage; a figure whose computed progress or execution
rate the form cannot hold is refused with the row and field (in the browser's editor and
on import), and the largest that fits is stored and shown everywhere (PostgreSQL enforces
the columns' precision: run this file on both databases); the self-evaluation shows the
执行率（B/A）of each source of funds; the commands refuse in Chinese, once."""

import io
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from results.documents import layout
from results.forms import FormEditor
from results.models import Kind, Light, ResultForm, ResultRow
from results.services import open_round

from .conftest import ROOT
from .evaluation_helpers import PARTS, approve_for_evaluation, editor, evaluation_form
from .evaluation_helpers import fill as fill_evaluation
from .results_helpers import PROJECT, monitoring_round
from .workflow_helpers import people

STAFF = "服务窗口工作人员数量"  # 等于35人
SATISFACTION = "群众满意度"  # ≥98%


@pytest.fixture
def users(seed, django_user_model):
    found = people(django_user_model)
    approve_for_evaluation(found)
    monitoring_round()
    open_round(Kind.EVALUATION, 2025)
    return found


def stored():
    return (
        list(ResultForm.objects.order_by("pk").values()),
        list(ResultRow.objects.order_by("pk").values()),
    )


def export(tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    args = ("export_results", "--kind", kind, "--year", "2025", "--format", "xlsx", "-o", str(path))
    call_command(*args, stderr=io.StringIO())
    return path


def row_of(ws, column, text):
    return next(cell.row for cell in ws[column] if cell.value == text)


def import_file(path):
    out = io.StringIO()
    call_command("import_results", str(path), stdout=out)
    return out.getvalue()


def row(kind, level3):
    return ResultRow.objects.get(form__round__kind=kind, form__project_name=PROJECT, level3=level3)


def type_percent(ws, cell, fraction):
    """`97%` typed into a General cell: Excel stores 0.97 with a % number format."""
    ws[cell].value, ws[cell].number_format = fraction, "0%"


# -- 1. percentages typed in Excel ------------------------------------------------------


def test_a_percentage_typed_in_excel_reads_as_that_percentage(users, tmp_path):
    # Self-evaluation: 97% against ≥98% scores 10 × 97 / 98 = 9.90 (not 10 × 0.97 / 98).
    book = load_workbook(export(tmp_path, "evaluation"))
    ws = book[PROJECT]
    line = row_of(ws, "C", SATISFACTION)
    assert ws[f"E{line}"].number_format == "@"  # a Text cell: Excel keeps `97%` as typed
    type_percent(ws, f"E{line}", 0.97)
    book.save(tmp_path / "evaluation-filled.xlsx")
    import_file(tmp_path / "evaluation-filled.xlsx")
    scored = row(Kind.EVALUATION, SATISFACTION)
    assert (scored.actual, scored.weight, scored.score) == ("97%", Decimal(10), Decimal("9.90"))

    # Monitoring: 97% of ≥98% is 99.0 % of the target, green; the forecast alike.
    book = load_workbook(export(tmp_path, "monitoring"))
    ws = book[PROJECT]
    line = row_of(ws, "C", SATISFACTION)
    assert ws[f"E{line}"].number_format == ws[f"F{line}"].number_format == "@"
    type_percent(ws, f"E{line}", 0.97)
    type_percent(ws, f"F{line}", 0.98)
    book.save(tmp_path / "monitoring-filled.xlsx")
    import_file(tmp_path / "monitoring-filled.xlsx")
    monitored = row(Kind.MONITORING, SATISFACTION)
    assert (monitored.actual, monitored.forecast) == ("97%", "98%")
    assert (monitored.progress, monitored.light) == (Decimal("0.9898"), Light.GREEN)


def test_a_percentage_typed_into_an_amount_is_refused_with_its_cell(users, tmp_path):
    book = load_workbook(export(tmp_path, "monitoring"))
    ws = book[PROJECT]
    line = row_of(ws, "C", "年初预算数") + 1
    type_percent(ws, f"E{line}", 0.96)  # 执行数 typed as 96%
    book.save(tmp_path / "filled.xlsx")
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path / "filled.xlsx")
    assert f"工作表“{PROJECT}”单元格E{line}：截至6月执行数：应为数字（万元）" in str(refused.value)
    assert stored() == before


# -- 2. figures whose computed results the form cannot hold -----------------------------


def post_form(client, form, values):
    """The form page's 保存 with `values` ({field: text, "rows": {level3: {field: text}}})."""
    rows = list(form.rows.all())
    given = {key: value for key, value in values.items() if key != "rows"}
    given["rows"] = [values.get("rows", {}).get(line.level3, {}) for line in rows]
    data = FormEditor.data_from(given, form, rows)
    return client.post(reverse("results:form", args=[form.pk]), data)


def every_output_answers(client, form, tmp_path):
    """The form, its print, Excel and PDF, the round's overview and Excel, the export."""
    for name in ("results:form", "results:print", "results:xlsx", "results:pdf"):
        assert client.get(reverse(name, args=[form.pk])).status_code == 200, name
    for name in ("results:overview", "results:forms_xlsx"):
        assert client.get(reverse(name, args=[form.round_id])).status_code == 200, name
    export(tmp_path, form.round.kind)
    call_command(
        "export_results",
        *(
            "--kind",
            form.round.kind,
            "--year",
            "2025",
            "--format",
            "json",
            "-o",
            str(tmp_path / "round.json"),
        ),
        stderr=io.StringIO(),
    )


def test_a_progress_too_large_to_hold_is_refused_in_the_editor(users, client, tmp_path):
    client.force_login(users["filler"])
    form = ResultForm.objects.get(round__kind=Kind.MONITORING, project_name=PROJECT)
    before = stored()
    # 35 000 000 000 000人 of 35人 is a progress of 10¹² (100 000 000 000 000 %): refused.
    page = post_form(client, form, {"rows": {STAFF: {"actual": "35000000000000人"}}})
    assert page.status_code == 200
    assert f"第2行（{STAFF}）截至6月实际完成值：与年度指标值“等于35人”相差过大" in page.content.decode()
    # 执行数 100000 of 0.0001万元 is an execution rate of 10⁹: refused.
    page = post_form(client, form, {"budget_full": "0.0001", "executed": "100000"})
    assert "截至6月执行数：与全年预算数0.0001万元相差过大" in page.content.decode()
    assert stored() == before

    # The largest figures that fit are stored and every output shows them.
    page = post_form(
        client,
        form,
        {"budget_full": "0.0001", "executed": "9999.9999", "rows": {STAFF: {"actual": "34999999999999人"}}},
    )
    assert page.status_code == 302
    saved = row(Kind.MONITORING, STAFF)
    assert saved.actual == "34999999999999人"
    assert Decimal("999999999999.9") < saved.progress < 10**12  # 999 999 999 999.9714 (SQLite: a float)
    assert ResultForm.objects.get(pk=form.pk).execution_rate == Decimal("99999999")
    client.force_login(users["superuser"])
    every_output_answers(client, form, tmp_path)


def test_a_progress_too_large_to_hold_is_refused_on_import_with_its_cell(users, tmp_path):
    book = load_workbook(export(tmp_path, "monitoring"))
    ws = book[PROJECT]
    line = row_of(ws, "C", STAFF)
    ws[f"E{line}"] = "35000000000000人"
    book.save(tmp_path / "filled.xlsx")
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path / "filled.xlsx")
    assert f"工作表“{PROJECT}”单元格E{line}：第2行（{STAFF}）截至6月实际完成值：与年度指标值" in str(
        refused.value
    )
    assert stored() == before


def test_an_execution_rate_too_large_to_hold_is_refused_in_the_self_evaluation(users, client, tmp_path):
    form = evaluation_form(PROJECT)
    bound = editor(form, figures={}, funds={"budget_full": "0.0001", "executed": "100000"})
    assert not bound.is_valid()
    assert bound.errors == [
        (
            "executed",
            "全年执行数（B）：与全年预算数0.0001万元相差过大（执行率超出可计算的范围），请核对金额是否以万元填写。",
        )
    ]
    fill_evaluation(
        evaluation_form(PROJECT), figures={}, funds={"budget_full": "0.0001", "executed": "9999.9999"}
    )
    assert evaluation_form(PROJECT).execution_rate == Decimal("99999999")
    client.force_login(users["superuser"])
    every_output_answers(client, form, tmp_path)


# -- 3. smaller ones ---------------------------------------------------------------------


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_each_source_of_funds_shows_its_execution_rate(users, client, tmp_path):
    """当年财政拨款 160 of 200 → 80.0%; 上年结转资金 30 of 40 → 75.0%; 其他资金 none → blank."""
    parts = {**PARTS, "appropriation_executed": "160", "carryover_executed": "30"}
    funds = {"budget_full": "240", "executed": "190", "summary": "", **parts}
    form = fill_evaluation(evaluation_form(), figures={}, funds=funds)
    client.force_login(users["filler"])
    page = client.get(reverse("results:form", args=[form.pk])).content.decode()
    rates = re.findall(r'<tr class="fund-part">.*?</tr>', page, re.S)
    assert [re.findall(r'<td class="num">([^<]*)</td>', line)[1] for line in rates] == ["80.0%", "75.0%", ""]

    expected = [("其中：当年财政拨款", "80.0%"), ("上年结转资金", "75.0%"), ("其他资金", None)]
    printed = client.get(reverse("results:print", args=[form.pk])).content.decode()
    assert "80.0%" in printed and "75.0%" in printed
    ws = load_workbook(io.BytesIO(client.get(reverse("results:xlsx", args=[form.pk])).content)).active
    for label, rate in expected:
        assert (ws.cell(row_of(ws, "B", label), 8).value or None) == rate, label
    sheet = layout.build_form_sheet(evaluation_form())
    assert [(line[1], line[7] or None) for line in sheet.grid() if line[1] in dict(expected)] == expected
    path = tmp_path / "form.pdf"
    path.write_bytes(client.get(reverse("results:pdf", args=[form.pk])).content)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    assert "当年财政拨款24020016080.0%" in squeeze(text.stdout).replace("—", "")


@pytest.mark.parametrize("command", ["open_round", "export_results"])
def test_a_cutoff_that_is_no_date_is_refused_without_a_traceback(command):
    """From the command line (argparse parses before Django catches CommandError)."""
    args = [sys.executable, "manage.py", command, "--kind", "monitoring", "--year", "2025"]
    if command == "export_results":
        args += ["--format", "json", "-o", os.devnull]
    env = {**os.environ, "PERFGOALS_DEV": "1"}
    done = subprocess.run(
        [*args, "--cutoff", "2025-13-01"], check=False, cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "CommandError: 截止日期“2025-13-01”无效，应写作 2025-06-30。"


def test_an_import_refusal_is_said_once(users, tmp_path, client):
    form = ResultForm.objects.get(round__kind=Kind.MONITORING, project_name=PROJECT)
    path = export(tmp_path, "monitoring")
    form.status = "submitted"
    form.executed = (form.executed or 0) + 1  # the file no longer matches the submitted form
    form.save()
    with pytest.raises(CommandError) as refused:
        import_file(path)
    message = str(refused.value)
    assert message.endswith("如需修改，请审核人先退回。未导入任何数据。"), message
    assert "。；" not in message and message.count("未导入任何数据") == 1

    client.force_login(users["filler"])
    with path.open("rb") as handle:
        page = client.post(reverse("results:import"), {"file": handle}).content.decode()
    assert "导入失败，未导入任何数据。" in page and "如需修改，请审核人先退回。</p>" in page
    assert "。；" not in page
