"""A self-evaluation form not yet submitted when its project is approved again with other rows
(`open_round` brings it up to the approval): what the unit recorded stays; the weights it
had not touched follow the new set of rows, the weights it changed stay where it gave them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Indicator
from projects.models import Goal, Project
from results import scoring
from results.forms import editor_class
from results.models import Kind
from results.services import open_round

from .evaluation_helpers import PROJECT, approve_for_evaluation, evaluation_form, evaluation_round, fill
from .results_helpers import approve
from .workflow_helpers import people

NEW = "供水供电应急响应及时率"


@pytest.fixture
def users(seed, django_user_model):
    users = people(django_user_model)
    approve_for_evaluation(users)
    evaluation_round()
    return users


def approve_again(users):
    """The reviewer reopens the project; 节能降耗宣传覆盖 goes, 总成本 becomes ≤250万元 and a
    时效指标 row is added; approved again, then the round is opened again."""
    project = Project.objects.get(name=PROJECT, year=2025)
    project.reopen(users["reviewer"], "调整指标")
    annual = Goal.objects.get(project=project, term=Goal.Term.ANNUAL)
    annual.indicators.filter(level3="节能降耗宣传覆盖").delete()
    annual.indicators.filter(level3="总成本").update(value="≤250万元")
    Indicator.objects.create(
        goal=annual,
        position=annual.indicators.count() + 1,
        level1="产出指标",
        level2="时效指标",
        level3=NEW,
        value="≥99%",
        basis="计划标准",
    )
    approve(Project.objects.get(pk=project.pk), users["filler"], users["reviewer"])
    return open_round(Kind.EVALUATION, 2025)


def weights(form):
    return {row.level3: row.weight for row in form.rows.all()}


def test_untouched_weights_follow_the_new_rows_and_an_empty_removed_row_goes(users):
    fill(evaluation_form(), figures={"总成本": {"actual": "230万元"}}, user=users["filler"])
    assert approve_again(users).updated == 1

    form = evaluation_form()
    rows = list(form.rows.all())
    names = [row.level3 for row in rows]
    assert "节能降耗宣传覆盖" not in names  # nothing recorded against it (its default weight is not a record)
    assert names[-1] == NEW and [row.position for row in rows] == list(range(1, len(rows) + 1))
    assert [row.weight for row in rows] == scoring.default_weights(rows)
    assert sum(row.weight for row in rows) == scoring.INDICATOR_POINTS
    cost = next(row for row in rows if row.level3 == "总成本")
    assert (cost.target, cost.actual) == ("≤240万元", "230万元")  # recorded: kept as it was
    water = next(row for row in rows if row.level3 == "每月消耗水量")
    assert water.indicator is not None and water.actual == ""


def test_weights_the_unit_changed_stay_and_the_new_row_asks_for_its_own(users, client):
    form = evaluation_form()
    given = weights(form)
    changed = {"每月消耗水量": "12", "每月消耗电量": "8"}  # 10 + 10 → 12 + 8: the total stays 90
    fill(form, figures={name: {"weight": value} for name, value in changed.items()}, user=users["filler"])
    assert weights(evaluation_form())["每月消耗水量"] == Decimal("12")

    approve_again(users)
    form = evaluation_form()
    after = weights(form)
    assert after["每月消耗水量"] == Decimal("12") and after["每月消耗电量"] == Decimal("8")
    assert after[NEW] is None
    # A row with nothing recorded but its weight takes the approved row's new wording.
    assert form.rows.get(level3="总成本").target == "≤250万元"
    kept = {name for name in after if name != NEW}
    assert {name: after[name] for name in kept} == {
        name: Decimal(changed.get(name, given[name])) for name in kept
    }
    # Saving the form again asks for the new row's weight, then for a total of 90.
    rows = list(form.rows.all())
    kind = editor_class(form)
    editor = kind(form, kind.data_from({"rows": [{} for _ in rows]}, form, rows), rows=rows)
    assert not editor.is_valid()
    assert editor.messages == [f"{rows[-1].label}分值：请填写分值。"]
    # Until then the form shows, prints and exports with the new row's 分值 empty.
    client.force_login(users["filler"])
    for name in ("form", "print", "xlsx", "pdf"):
        response = client.get(reverse(f"results:{name}", args=[form.pk]))
        assert response.status_code == 200, name
    assert NEW in client.get(reverse("results:form", args=[form.pk])).content.decode()
