"""Offline self-evaluation: the exported workbook filled in Excel and imported gives the
scores of the browser (the hand computation); the JSON backup carries the scores and the
reviewer's change with its reason."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from results.models import ResultForm

from .evaluation_helpers import (
    ADJUST_REASON,
    FIGURES,
    FUNDS,
    HAND,
    PROJECT,
    REASONS,
    approve_for_evaluation,
    evaluation_form,
)
from .workflow_helpers import people

LEVELS = {"achieved": "达成", "partial": "部分达成", "missed": "未达成"}


@pytest.fixture
def users(seed, django_user_model):
    users = people(django_user_model)
    approve_for_evaluation(users)
    out = io.StringIO()
    call_command("open_round", "--kind", "evaluation", "--year", "2025", stdout=out)
    assert "2025年度绩效自评：新建7张自评表。" in out.getvalue()
    return users


def export(tmp_path, fmt):
    path = tmp_path / f"自评表.{fmt}"
    args = ("export_results", "--kind", "evaluation", "--year", "2025", "--format", fmt, "-o", str(path))
    call_command(*args, stderr=io.StringIO())
    return path


def row_of(ws, column, text):
    return next(cell.row for cell in ws[column] if cell.value == text)


def fill_sheet(ws):
    """Type the figures as a unit does in Excel: amounts and points as numbers, the level
    of a qualitative row from its drop-down list."""
    money = row_of(ws, "B", "年度资金总额")
    ws[f"E{money}"], ws[f"F{money}"] = float(FUNDS["budget_full"]), float(FUNDS["executed"])
    for label, part in (("其中：当年财政拨款", "appropriation"), ("上年结转资金", "carryover")):
        line = row_of(ws, "B", label)
        for column, key in (("D", "initial"), ("E", "full"), ("F", "executed")):
            if f"{part}_{key}" in FUNDS:
                ws[f"{column}{line}"] = float(FUNDS[f"{part}_{key}"])
    ws[f"F{row_of(ws, 'B', '预期目标') + 1}"] = FUNDS["summary"]
    for level3, given in FIGURES.items():
        line = row_of(ws, "C", level3)
        if "actual" in given:
            ws[f"E{line}"] = given["actual"]
        else:
            ws[f"E{line}"] = LEVELS[given["level"]]
            ws[f"G{line}"] = float(given["points"])
        ws[f"H{line}"] = REASONS.get(level3, "")


def test_excel_filled_offline_scores_as_the_browser_and_json_carries_the_review(users, tmp_path):
    book = load_workbook(export(tmp_path, "xlsx"))
    fill_sheet(book[PROJECT])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    out = io.StringIO()
    call_command("import_results", str(filled), stdout=out)
    assert f"已更新：鄂州市数据局 {PROJECT}（总分：72.43，等级：中）" in out.getvalue()

    form = evaluation_form()
    assert {row.level3: row.score for row in form.rows.all()} == HAND
    assert (form.budget_score, form.total, form.grade) == (Decimal("9.00"), Decimal("72.43"), "中")
    assert form.funds_parts == {
        "appropriation": {"initial": "240", "full": "200", "executed": "180"},
        "carryover": {"full": "40", "executed": "36"},
    }

    # Submitted and reviewed: the JSON backup carries the scores and the change with its reason.
    form.submit(users["filler"])
    from results.workflow import adjust_score

    water = form.rows.get(level3="每月消耗水量")
    adjust_score(form, users["reviewer"], water.pk, "9", ADJUST_REASON)
    document = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    saved = next(item for item in document["forms"] if item["project"] == PROJECT)
    assert (saved["kind"], saved["status"]) == ("evaluation", "submitted")
    assert (saved["budget_score"], saved["total"], saved["grade"]) == ("9", "73.1", "中")
    assert saved["funds"]["parts"]["carryover"] == {"initial": None, "full": "40", "executed": "36"}
    rows = {row["level3"]: row for row in saved["rows"]}
    assert (rows["每月消耗水量"]["weight"], rows["每月消耗水量"]["score"]) == ("10", "8.33")
    assert rows["每月消耗水量"]["adjusted"]["score"] == "9"
    assert rows["每月消耗水量"]["adjusted"]["reason"] == ADJUST_REASON
    assert rows["每月消耗水量"]["adjusted"]["by"] == "reviewer"
    assert rows["确保市民中心水电正常运转"]["level"] == "partial"
    assert rows["确保市民中心水电正常运转"]["points"] == "10"
    assert rows["总成本"]["adjusted"] is None


def test_json_filled_offline_scores_as_the_browser_and_a_wrong_unit_is_refused(users, tmp_path):
    path = export(tmp_path, "json")
    document = json.loads(path.read_text(encoding="utf-8"))
    item = next(item for item in document["forms"] if item["project"] == PROJECT)
    item["funds"].update(budget_full=FUNDS["budget_full"], executed=FUNDS["executed"])
    item["funds"]["parts"]["carryover"].update(full="40", executed="36")
    item["funds"]["parts"]["appropriation"].update(initial="240", full="200", executed="180")
    item["overall"]["actual"] = FUNDS["summary"]
    for row in item["rows"]:
        row.update(FIGURES[row["level3"]], reason=REASONS.get(row["level3"], ""))
    document["forms"] = [item]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("import_results", str(path), stdout=io.StringIO())
    form = evaluation_form()
    assert {row.level3: row.score for row in form.rows.all()} == HAND
    assert form.total == Decimal("72.43") and not form.problems()
    assert form.carryover_executed == Decimal(36)

    item["rows"][1]["actual"] = "2100度"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = list(ResultForm.objects.values())
    with pytest.raises(CommandError, match=r"forms\[0\]\.rows\[1\]\.actual.*计量单位“度”与年度指标值"):
        call_command("import_results", str(path), stdout=io.StringIO())
    assert list(ResultForm.objects.values()) == before
