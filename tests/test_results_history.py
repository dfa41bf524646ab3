"""The history of a monitoring or self-evaluation form keeps every change of a value the
unit enters, its first save included (read against the values the form was opened with),
and the amounts by source of funds."""

import pytest
from django.urls import reverse

from results.history import form_history

from . import evaluation_helpers as evaluation
from .results_helpers import FUNDS, approve_seed, fill, form_of, monitoring_round
from .workflow_helpers import people


@pytest.fixture
def users(seed, django_user_model):
    return people(django_user_model)


def _changes(form):
    """Every change of the form's history: (where, label, before, after)."""
    return [
        (line.where, change.label, change.before, change.after)
        for entry in form_history(form)
        for line in entry.lines
        for change in line.changes
    ]


def test_the_first_save_of_a_monitoring_form_keeps_its_budget_change(users, client):
    approve_seed(users)
    form = form_of(round_=monitoring_round())
    opened = f"{form.budget_full.normalize():f}万元"
    fill(form, funds={**FUNDS, "budget_full": "18"}, user=users["filler"])
    form = form_of(round_=form.round)
    assert (form.noun, "全年预算数", opened, "18万元") in _changes(form)
    client.force_login(users["reviewer"])
    page = client.get(reverse("results:form", args=[form.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "全年预算数" in history and "<ins>18万元</ins>" in history and "暂无记录" not in history


def test_the_first_save_of_a_self_evaluation_keeps_weights_and_funds_by_source(users):
    evaluation.approve_for_evaluation(users)
    evaluation.evaluation_round()
    form = evaluation.evaluation_form()
    figures = {
        **evaluation.FIGURES,
        "总成本": {"actual": "230万元", "weight": "15"},
        "每月消耗水量": {"actual": "2100吨", "weight": "5"},
    }
    evaluation.fill(form, figures=figures, reasons=evaluation.REASONS, user=users["filler"])
    changes = _changes(evaluation.evaluation_form())
    assert any(c[0].endswith("（总成本）") and c[1:] == ("分值", "10分", "15分") for c in changes), changes
    assert any(c[0].endswith("（每月消耗水量）") and c[1:] == ("分值", "10分", "5分") for c in changes)
    funds = {label: (before, after) for _, label, before, after in changes}
    assert funds["当年财政拨款年初预算数"] == ("（空）", "240万元")
    assert funds["当年财政拨款全年预算数（A）"] == ("（空）", "200万元")
    assert funds["上年结转资金全年执行数（B）"] == ("（空）", "36万元")

    # A later save: only what changed, from the value saved before.
    form = evaluation.evaluation_form()
    later = {**evaluation.FUNDS, "other_full": "12", "carryover_executed": "30"}
    evaluation.fill(form, figures=figures, funds=later, reasons=evaluation.REASONS, user=users["filler"])
    latest = form_history(evaluation.evaluation_form())[0]
    assert [(c.label, c.before, c.after) for line in latest.lines for c in line.changes] == [
        ("上年结转资金全年执行数（B）", "36万元", "30万元"),
        ("其他资金全年预算数（A）", "（空）", "12万元"),
    ]
