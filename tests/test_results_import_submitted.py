"""The round's workbook goes back in after some of its forms were submitted: the sheets of
submitted or confirmed forms left as exported are skipped and listed as 未变化（已提交）,
the drafts take their values; a changed sheet of a submitted form refuses the whole file,
naming it, and nothing is stored."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from results.models import FormStatus, ResultForm

from . import test_evaluation_import as evaluation
from .evaluation_helpers import PROJECT as EVALUATED
from .evaluation_helpers import REASONS as EVALUATION_REASONS
from .evaluation_helpers import approve_for_evaluation, evaluation_form
from .evaluation_helpers import fill as fill_evaluation
from .results_helpers import PROJECT, REASONS, approve_seed, fill, form_of, monitoring_round
from .test_results_import import COMPLETE_FUNDS, export_workbook, import_file, row_of, save, stored
from .workflow_helpers import people

SUMMARY = "各项工作按计划推进。"


@pytest.fixture
def users(seed, django_user_model):
    found = people(django_user_model)
    approve_seed(found)
    monitoring_round()
    return found


def submitted(users, status):
    """PROJECT's form filled in the browser and submitted (and confirmed, if asked)."""
    fill(form_of(), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    form_of().submit(users["filler"])
    if status == FormStatus.CONFIRMED:
        form_of().confirm(users["reviewer"])
    return form_of()


def fill_a_draft(workbook):
    """The 执行情况 of another form's sheet, typed in; returns that project's name."""
    other = next(name for name in workbook.sheetnames if name not in ("汇总", PROJECT))
    ws = workbook[other]
    ws[f"G{row_of(ws, 'C', '全年预期目标') + 1}"] = SUMMARY
    return other


def as_stored(form):
    form = ResultForm.objects.get(pk=form.pk)
    return form.version, form.status, [row.actual for row in form.rows.all()]


@pytest.mark.parametrize("status", [FormStatus.SUBMITTED, FormStatus.CONFIRMED])
def test_an_untouched_submitted_sheet_is_skipped_and_the_drafts_go_in(users, tmp_path, status):
    form = submitted(users, status)
    before = as_stored(form)
    workbook = export_workbook(tmp_path)
    other = fill_a_draft(workbook)
    out = import_file(save(workbook, tmp_path))
    label = FormStatus(status).label
    assert f"未变化（{label}），已跳过：鄂州市数据局 {PROJECT}" in out
    drafts = ResultForm.objects.exclude(pk=form.pk).count()
    assert f"已导入{drafts}张监控表：更新1张（{other}），未变化{drafts - 1}张；" in out
    assert "；1张已提交的监控表未变化，已跳过。" in out
    assert ResultForm.objects.get(project_name=other).summary == SUMMARY
    assert as_stored(form) == before


def test_a_changed_submitted_sheet_refuses_the_whole_file(users, tmp_path):
    submitted(users, FormStatus.SUBMITTED)
    workbook = export_workbook(tmp_path)
    fill_a_draft(workbook)
    ws = workbook[PROJECT]
    ws[f"E{row_of(ws, 'C', '服务窗口工作人员数量')}"] = "25人"
    before = stored()
    with pytest.raises(CommandError) as refused:
        import_file(save(workbook, tmp_path))
    assert (
        f"工作表“{PROJECT}”：鄂州市数据局“{PROJECT}”（2025年 截至6月30日）的监控表已提交，"
        "只能导入尚未提交的监控表；如需修改，请审核人先退回" in str(refused.value)
    )
    assert stored() == before
    assert form_of().rows.get(level3="服务窗口工作人员数量").actual == "20人"


def test_the_upload_page_lists_the_skipped_sheet(users, client, tmp_path):
    submitted(users, FormStatus.SUBMITTED)
    workbook = export_workbook(tmp_path)
    other = fill_a_draft(workbook)
    client.force_login(users["filler"])
    with save(workbook, tmp_path).open("rb") as upload:
        page = client.post(reverse("results:import"), {"file": upload}).content.decode()
    assert "导入完成" in page and "1张已提交的监控表未变化，已跳过。" in page
    cells = "<td>鄂州市数据局</td><td>红</td><td>已提交</td><td>未变化（已提交）</td>"
    assert f">{PROJECT}</a></td>{cells}" in page
    assert f">{other}</a>" in page and "<td>已更新</td>" in page


@pytest.fixture
def evaluators(seed, django_user_model):
    found = people(django_user_model)
    approve_for_evaluation(found)
    call_command("open_round", "--kind", "evaluation", "--year", "2025", stdout=io.StringIO())
    return found


def test_an_untouched_submitted_self_evaluation_is_skipped(evaluators, tmp_path):
    from results.workflow import adjust_score

    form = fill_evaluation(evaluation_form(), reasons=EVALUATION_REASONS, user=evaluators["filler"])
    evaluation_form().submit(evaluators["filler"])
    water = form.rows.get(level3="每月消耗水量")
    adjust_score(evaluation_form(), evaluators["reviewer"], water.pk, "9", "夏季高温用水属合理增加")
    before = as_stored(form)
    book = load_workbook(evaluation.export(tmp_path, "xlsx"))
    other = next(name for name in book.sheetnames if name not in ("汇总", EVALUATED))
    book[other][f"F{evaluation.row_of(book[other], 'B', '预期目标') + 1}"] = SUMMARY
    out = import_file(save(book, tmp_path))
    assert f"未变化（已提交），已跳过：鄂州市数据局 {EVALUATED}" in out
    assert "1张已提交的自评表未变化，已跳过。" in out
    assert ResultForm.objects.get(project_name=other).summary == SUMMARY
    assert as_stored(form) == before
    assert evaluation_form().rows.get(level3="每月消耗水量").adjusted == 9
