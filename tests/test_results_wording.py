"""A self-evaluation's pages speak of scores, not of monitoring's progress and lights
(the message after saving, the import result), and 数据维护's 监控表 shows 执行率 as a
percentage."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from results.forms import editor_class

from . import evaluation_helpers as evaluation
from .results_helpers import FUNDS, fill, form_of, monitoring_round
from .workflow_helpers import people


@pytest.fixture
def users(seed, django_user_model):
    users = people(django_user_model)
    evaluation.approve_for_evaluation(users)
    return users


def _save(client, form, values):
    """保存 on the form page, as the browser posts it; the page it leads to."""
    kind = editor_class(form)
    data = kind.data_from(values, form, list(form.rows.all()))
    return client.post(reverse("results:form", args=[form.pk]), {**data, "action": "save"}, follow=True)


def test_saving_a_self_evaluation_speaks_of_scores(users, client):
    evaluation.evaluation_round()
    form = evaluation.evaluation_form()
    client.force_login(users["filler"])
    text = _save(client, form, evaluation.values(form)).content.decode()
    assert "已保存。得分和总分已按填写的数值重新计算。" in text and "进度和预警" not in text


def test_saving_a_monitoring_form_still_speaks_of_progress_and_lights(users, client):
    form = form_of(round_=monitoring_round())
    client.force_login(users["filler"])
    text = _save(client, form, dict(FUNDS)).content.decode()
    assert "已保存。进度和预警已按填写的数值重新计算。" in text


def test_the_import_result_of_a_self_evaluation_shows_total_and_grade(users, client, tmp_path):
    evaluation.evaluation_round()
    path = tmp_path / "自评表.json"
    call_command(
        "export_results",
        "--kind",
        "evaluation",
        "--year",
        "2025",
        "--format",
        "json",
        "-o",
        str(path),
        stderr=io.StringIO(),
    )
    document = json.loads(path.read_text(encoding="utf-8"))
    item = next(item for item in document["forms"] if item["project"] == evaluation.PROJECT)
    item["funds"].update(budget_full="240", executed="216")
    item["overall"]["actual"] = "全年水电保障正常。"
    for row in item["rows"]:
        row.update(evaluation.FIGURES[row["level3"]], reason=evaluation.REASONS.get(row["level3"], ""))
    document["forms"] = [item]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    client.force_login(users["filler"])
    with path.open("rb") as upload:
        page = client.post(reverse("results:import"), {"file": upload}).content.decode()
    result = page[page.index('class="import-result"') :].split("</table>")[0]
    heads = re.findall(r"<th>(.*?)</th>", result)
    assert "项目预警" not in heads and "总分" in heads and "等级" in heads
    form = evaluation.evaluation_form()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", result.split("<tbody>")[1])
    assert form.total is not None
    assert cells[heads.index("总分")] == f"{form.total.normalize():f}"
    assert cells[heads.index("等级")] == form.grade and "未评" not in result


def test_the_admin_shows_the_execution_rate_as_a_percentage(users, client, django_user_model):
    form = form_of(round_=monitoring_round())
    fill(form, funds={**FUNDS, "budget_full": "266", "executed": "261.5"}, user=users["filler"])
    form.refresh_from_db()
    assert str(form.execution_rate) == "0.9831"
    admin = django_user_model.objects.create_superuser("chief-admin", password=None)
    client.force_login(admin)
    listed = client.get(reverse("admin:results_resultform_changelist")).content.decode()
    assert "98.3%" in listed and "0.9831" not in listed
    change = client.get(reverse("admin:results_resultform_change", args=[form.pk])).content.decode()
    assert "98.3%" in change and "0.9831" not in change
