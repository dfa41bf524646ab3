"""Offline filling: the round's Excel filled in (as a unit does in Excel) or its JSON edited,
read back by `import_results` or the upload page, computed exactly as in the browser.
A refused file names the sheet and cell (or JSON path), and nothing is stored."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from results.models import ResultForm, ResultRow

from .results_helpers import FIGURES, FUNDS, PROJECT, REASONS, approve_seed, fill, form_of, monitoring_round
from .workflow_helpers import OTHER_UNIT, member, people

COMPLETE_FUNDS = {**FUNDS, "funds_reason": "部分资金下半年支付"}
EXPORT = ("export_results", "--kind", "monitoring", "--year", "2025")


@pytest.fixture
def users(seed, django_user_model):
    found = people(django_user_model)
    approve_seed(found)
    monitoring_round()
    return found


def computed(form):
    """Everything the system computes and stores for a form and its rows."""
    form = ResultForm.objects.get(pk=form.pk)
    rows = ResultRow.objects.filter(form=form).order_by("position")
    return (
        [getattr(form, name) for name in ResultForm.COMPUTED],
        [[getattr(row, name) for name in (*ResultRow.VALUES, *ResultRow.COMPUTED)] for row in rows],
    )


def stored():
    return (
        list(ResultForm.objects.order_by("pk").values()),
        list(ResultRow.objects.order_by("pk").values()),
    )


def export_workbook(tmp_path):
    path = tmp_path / "round.xlsx"
    call_command(*EXPORT, "--format", "xlsx", "-o", str(path), stderr=io.StringIO())
    return load_workbook(path)


def row_of(ws, column, text):
    return next(cell.row for cell in ws[column] if cell.value == text)


def fill_sheet(ws, figures=FIGURES, reasons=REASONS, funds=COMPLETE_FUNDS):
    """Type the figures into the light cells, as a unit does in Excel: amounts as numbers,
    reasons as `经费保障：说明`, the likelihood from the drop-down list."""
    labels = {"certain": "确定能", "possible": "有可能", "impossible": "完全不可能"}
    money = row_of(ws, "C", "年初预算数") + 1
    ws[f"D{money}"], ws[f"E{money}"], ws[f"F{money}"] = float(funds["budget_full"]), 100, 260
    ws[f"I{money}"] = funds.get("funds_reason", "")
    ws[f"G{row_of(ws, 'C', '全年预期目标') + 1}"] = funds["summary"]
    for level3, values in figures.items():
        line = row_of(ws, "C", level3)
        ws[f"E{line}"] = values["actual"]
        ws[f"F{line}"] = values.get("forecast", "")
        ws[f"J{line}"] = labels[values["likelihood"]]
        given = reasons.get(level3)
        if given:
            ws[f"I{line}"] = "人员保障" if given["causes"] == ["staff"] else "经费保障"
            ws[f"I{line}"] = f"{ws[f'I{line}'].value}：{given['reason']}"
            ws[f"K{line}"] = given["note"]


def save(workbook, tmp_path, name="filled.xlsx"):
    path = tmp_path / name
    workbook.save(path)
    return path


def import_file(path):
    out = io.StringIO()
    call_command("import_results", str(path), stdout=out)
    return out.getvalue()


def test_a_round_filled_offline_gives_the_same_lights_as_the_browser(users, tmp_path):
    # The browser's path: the editor the page posts to.
    fill(form_of(), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    browser = computed(form_of())
    # Clear the form, export the round, fill the workbook offline, import it.
    fill(form_of(), figures={}, funds={"budget_full": "266", "executed": "", "forecast": "", "summary": ""})
    assert computed(form_of()) != browser
    workbook = export_workbook(tmp_path)
    fill_sheet(workbook[PROJECT])
    others = ResultForm.objects.exclude(pk=form_of().pk)
    before = list(others.order_by("pk").values())
    out = import_file(save(workbook, tmp_path))
    assert f"已更新：鄂州市数据局 {PROJECT}（项目预警：红）" in out
    assert computed(form_of()) == browser
    # The round's other forms were in the workbook untouched: nothing is written for them.
    count = others.count()
    assert f"已导入{count + 1}张监控表：更新1张（{PROJECT}），未变化{count}张。" in out
    assert list(others.order_by("pk").values()) == before


def test_a_formula_is_refused_with_its_cell_and_nothing_is_stored(users, tmp_path):
    workbook = export_workbook(tmp_path)
    ws = workbook[PROJECT]
    fill_sheet(ws)
    line = row_of(ws, "C", "群众满意度")
    ws[f"E{line}"] = '=HYPERLINK("http://x","97%")'
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert f"工作表“{PROJECT}”单元格E{line}：含有公式" in str(refused.value)
    assert "未导入任何数据" in str(refused.value)
    assert stored() == before


@pytest.mark.parametrize(
    "case",
    [
        ("E", "服务窗口工作人员数量", "20个", "计量单位“个”与年度指标值“等于35人”的单位“人”不一致"),
        ("E", "群众满意度", "基本满意", "应为数值"),
        ("J", "群众满意度", "可能吧", "完成目标可能性“可能吧”应为“确定能”“有可能”或“完全不可能”"),
        ("C", "群众满意度", "群众满意率", "应为“群众满意度”，实际为“群众满意率”"),
        ("D", "群众满意度", "≥90%", "应为“≥98%”，实际为“≥90%”"),
    ],
)
def test_a_wrong_cell_is_refused_with_its_place(users, tmp_path, case):
    column, level3, value, message = case
    workbook = export_workbook(tmp_path)
    ws = workbook[PROJECT]
    fill_sheet(ws)
    line = row_of(ws, "C", level3)
    ws[f"{column}{line}"] = value
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert f"工作表“{PROJECT}”单元格{column}{line}：" in str(refused.value)
    assert message in str(refused.value)
    assert stored() == before


def test_a_wrong_amount_is_refused_with_its_cell(users, tmp_path):
    workbook = export_workbook(tmp_path)
    ws = workbook[PROJECT]
    fill_sheet(ws)
    money = row_of(ws, "C", "年初预算数") + 1
    ws[f"E{money}"] = "一百万"
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert f"单元格E{money}：截至6月执行数：应为数字（万元）" in str(refused.value)


def test_one_bad_form_keeps_the_whole_file_out(users, tmp_path):
    workbook = export_workbook(tmp_path)
    fill_sheet(workbook[PROJECT])
    other = next(name for name in workbook.sheetnames if name not in ("汇总", PROJECT))
    ws = workbook[other]
    ws[f"E{row_of(ws, 'C', '年初预算数') + 1}"] = -5
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert f"工作表“{other}”" in str(refused.value) and "不能为负数" in str(refused.value)
    assert stored() == before


def test_only_forms_not_yet_submitted_take_an_import(users, tmp_path):
    fill(form_of(), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    form_of().submit(users["filler"])
    workbook = export_workbook(tmp_path)
    # A submitted form's sheet left as exported is skipped (test_results_import_submitted);
    # a changed one is refused.
    fill_sheet(workbook[PROJECT], figures={**FIGURES, "总成本": {**FIGURES["总成本"], "actual": "120万元"}})
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert f"工作表“{PROJECT}”" in str(refused.value)
    assert "已提交，只能导入尚未提交的监控表" in str(refused.value)


def test_a_file_that_is_not_a_workbook_is_refused(users, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError) as refused:
        import_file(path)
    assert "不是有效的Excel工作簿" in str(refused.value)


def export_json(tmp_path):
    path = tmp_path / "round.json"
    call_command(*EXPORT, "--format", "json", "-o", str(path), stderr=io.StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(document, tmp_path):
    path = tmp_path / "filled.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_json_round_trip_gives_the_same_lights_as_the_browser(users, tmp_path):
    fill(form_of(), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    browser = computed(form_of())
    document = export_json(tmp_path)
    fill(form_of(), figures={}, funds={"budget_full": "266", "executed": "", "forecast": "", "summary": ""})
    document["forms"] = [form for form in document["forms"] if form["project"] == PROJECT]
    import_file(write_json(document, tmp_path))
    assert computed(form_of()) == browser


def test_json_rows_must_be_the_stored_rows(users, tmp_path):
    document = export_json(tmp_path)
    document["forms"] = [form for form in document["forms"] if form["project"] == PROJECT]
    document["forms"][0]["rows"][1]["level3"] = "工作人员"
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(write_json(document, tmp_path))
    assert "forms[0].rows[1]：应为“服务窗口工作人员数量（等于35人）”" in str(refused.value)
    document["forms"][0]["rows"][1]["level3"] = "服务窗口工作人员数量"
    document["forms"][0]["rows"][1]["actual"] = "20个"
    with pytest.raises(CommandError) as refused:
        import_file(write_json(document, tmp_path))
    assert "forms[0].rows[1].actual：第2行（服务窗口工作人员数量）截至6月实际完成值：计量单位“个”" in str(
        refused.value
    )
    assert stored() == before


def test_the_upload_page_imports_into_the_users_own_forms(users, client, tmp_path, django_user_model):
    workbook = export_workbook(tmp_path)
    fill_sheet(workbook[PROJECT])
    path = save(workbook, tmp_path)
    stranger = member(django_user_model, "stranger", OTHER_UNIT, "filler")
    client.force_login(stranger)
    with path.open("rb") as upload:
        page = client.post(reverse("results:import"), {"file": upload}).content.decode()
    assert "导入失败，未导入任何数据" in page and "未找到" in page
    assert form_of().executed is None

    client.force_login(users["filler"])
    with path.open("rb") as upload:
        page = client.post(reverse("results:import"), {"file": upload}).content.decode()
    assert "导入完成" in page and PROJECT in page
    form = form_of()
    assert (form.executed, form.get_light_display()) == (100, "红")
    record = ResultRow.history.filter(form_id=form.pk, level3="总成本").latest("history_id")
    assert record.history_user == users["filler"] and record.actual == "100万元"
