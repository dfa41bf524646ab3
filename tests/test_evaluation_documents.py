"""The printed self-evaluation (项目支出绩效自评表) drawn three ways from one layout, and the
batch workbook with its 汇总 sheet, read back: every row, score, the reviewer's change
and the total."""

import io
import re
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from results.documents import layout

from .evaluation_helpers import (
    ADJUST_REASON,
    FIGURES,
    PROJECT,
    approve_for_evaluation,
    evaluation_round,
    reviewed,
)
from .workflow_helpers import people

# What every drawing must show: each row, its scores, the change and the total.
PRINTED = [
    "项目支出绩效自评表",
    "（2025年度）",
    *FIGURES,
    "≤1800吨",
    "2100吨",
    "850000度",
    "部分达成",
    "未达成",
    "9（原8.33）",
    "9.6",
    "9.5",
    "73.1",
    "自评等级：中",
    f"理由：{ADJUST_REASON}",
    "年度资金总额",
    "90.0%",
    "其中：当年财政拨款",
    "上年结转资金",
    "180",
    "36",
]


@pytest.fixture
def form(seed, django_user_model):
    users = people(django_user_model)
    approve_for_evaluation(users)
    evaluation_round()
    reviewed_form = reviewed(users)
    reviewed_form.users = users
    return reviewed_form


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_the_form_prints_as_html_excel_and_pdf_with_every_score(client, form, tmp_path):
    client.force_login(form.users["reviewer"])
    page = client.get(reverse("results:print", args=[form.pk])).content.decode()
    for text in PRINTED:
        assert text in page, text
    assert "未确认" not in page  # confirmed

    response = client.get(reverse("results:xlsx", args=[form.pk]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    sheet = layout.build_form_sheet(form)
    for r, line in enumerate(sheet.grid(), start=1):
        for c, text in enumerate(line, start=1):
            assert (ws.cell(r, c).value or None) == (text or None), (r, c)
    values = {str(cell.value) for row in ws.iter_rows() for cell in row if cell.value}
    for text in PRINTED:
        assert any(text in value for value in values), text
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.paperSize == 9

    response = client.get(reverse("results:pdf", args=[form.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    text = squeeze(out.stdout)
    for expected in PRINTED:
        assert squeeze(expected) in text, expected
    size = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595", size)  # A4 portrait


def test_the_batch_workbook_has_a_summary_of_scores_and_grades(client, form):
    client.force_login(form.users["reviewer"])
    response = client.get(reverse("results:forms_xlsx", args=[form.round_id]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    summary = book["汇总"]
    assert summary["A1"].value == "2025年度项目支出绩效自评汇总"
    header = [cell.value for cell in summary[2]]
    assert header[:11] == [
        "序号",
        "项目名称",
        "预算单位",
        "状态",
        "全年预算数（万元）",
        "全年执行数（万元）",
        "执行率",
        "预算执行得分",
        "指标得分",
        "总分",
        "等级",
    ]
    lines = {row[1]: row for row in summary.iter_rows(min_row=3, values_only=True)}
    scored = lines[PROJECT]
    assert scored[3:11] == ("已确认", 240, 216, "90.0%", 9, 64.1, 73.1, "中")
    # One worksheet per form after the 汇总 sheet; the totals line counts them and grades.
    forms = [name for name in book.sheetnames if name != "汇总"]
    assert PROJECT in forms and len(forms) == len(lines) - 1
    total_line = next(row for name, row in lines.items() if name and name.startswith("合计"))
    assert total_line[1] == f"合计（{len(forms)}个项目；中1）" and total_line[9] == 73.1
