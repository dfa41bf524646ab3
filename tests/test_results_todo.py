"""Where a unit finds its forms: 我的待办 lists the monitoring and self-evaluation forms
waiting for the 填报人 (returned first, with the comment), the rounds list counts the
returned forms and speaks of a self-evaluation round in its own terms, and a user who
may not open rounds is not shown a command line."""

import re

import pytest
from django.urls import reverse

from . import evaluation_helpers as evaluation
from .results_helpers import FUNDS, PROJECT, REASONS, fill, form_of, monitoring_round
from .workflow_helpers import people

COMPLETE_FUNDS = {**FUNDS, "funds_reason": "部分资金下半年支付"}


@pytest.fixture
def users(seed, django_user_model):
    return people(django_user_model)


@pytest.fixture
def rounds(users):
    """Both rounds of 2025: the monitoring form of 一窗受理工作项目 returned with a comment,
    the self-evaluation of 市民中心水电费 scored and submitted."""
    evaluation.approve_for_evaluation(users)
    monitoring = monitoring_round()
    fill(form_of(round_=monitoring), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    form = form_of(round_=monitoring)
    form.submit(users["filler"])
    form.send_back(users["reviewer"], "请补充人员招聘计划")
    evaluation.evaluation_round()
    evaluation.fill(evaluation.evaluation_form(), reasons=evaluation.REASONS, user=users["filler"])
    evaluation.evaluation_form().submit(users["filler"])
    return monitoring


def _section(page, marker):
    return page[page.index(marker) :]


def test_my_todo_lists_the_returned_form_first_with_the_comment_then_the_drafts(rounds, users, client):
    client.force_login(users["filler"])
    page = client.get(reverse("projects:todo")).content.decode()
    todo = _section(page, 'id="result-todo"')
    assert "监控表/自评表 待填报" in todo
    statuses = re.findall(r'<tr data-status="(\w+)">', todo)
    assert statuses[0] == "returned" and set(statuses[1:]) == {"draft"} and len(statuses) > 2
    first = todo[todo.index('data-status="returned"') :].split("</tr>")[0]
    assert PROJECT in first and "请补充人员招聘计划" in first and "已退回" in first
    assert reverse("results:form", args=[form_of(round_=rounds).pk]) in first
    submitted = evaluation.evaluation_form()  # waiting for the reviewer, not the filler
    assert reverse("results:form", args=[submitted.pk]) not in todo


def test_the_rounds_list_counts_returned_forms_and_grades_a_self_evaluation_round(rounds, users, client):
    client.force_login(users["reviewer"])
    page = client.get(reverse("results:rounds")).content.decode()
    monitoring = _section(page, 'id="monitoring-rounds"').split("</table>")[0]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", monitoring)
    assert heads[2:6] == ["监控表", "已提交", "已退回", "已确认"]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", monitoring.split("<tbody>")[1])
    assert cells[heads.index("已退回")] == "1"

    evaluated = _section(page, 'id="evaluation-rounds"').split("</table>")[0]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", evaluated)
    assert "自评表" in heads and "平均总分" in heads and "等级" in heads
    assert "监控表" not in heads and "红灯" not in heads and "黄灯" not in heads
    cells = re.findall(r"<td[^>]*>(.*?)</td>", evaluated.split("<tbody>")[1])
    form = evaluation.evaluation_form()
    assert cells[heads.index("已提交")] == "1"
    assert cells[heads.index("平均总分")] == f"{form.total.normalize():f}"
    assert f"{form.grade} 1" in cells[heads.index("等级")]


def test_only_administrators_are_told_the_command_that_opens_a_round(users, client, django_user_model):
    client.force_login(users["filler"])
    page = client.get(reverse("results:rounds")).content.decode()
    assert "manage.py" not in page and "open_round" not in page
    assert "请联系系统管理员" in page
    admin = django_user_model.objects.create_superuser("chief-admin", password="x-root-7391")
    client.force_login(admin)
    assert "python manage.py open_round" in client.get(reverse("results:rounds")).content.decode()
