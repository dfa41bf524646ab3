"""Query counts of the self-evaluation pages and the statistics page's section do not grow
with the rows of a form or the projects of a round (measured small, then after generating
twice as many more)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from projects.models import Department, Membership, Project, Role, Status
from results.forms import editor_for
from results.models import Kind, ResultForm
from results.services import open_round
from results.workflow import adjust_score

from .test_query_counts import queries_of
from .test_results_query_counts import forms_by_rows, get

YEAR = 2026
SMALL = 12


def generate_and_open(projects, seed):
    call_command("generate_demo", projects=projects, units=3, seed=seed, year=YEAR, stdout=StringIO())
    Project.objects.filter(year=YEAR).update(status=Status.APPROVED)
    return open_round(Kind.EVALUATION, YEAR).round


@pytest.fixture
def world(db):
    round_ = generate_and_open(SMALL, seed=1)
    User = get_user_model()
    unit = Department.objects.order_by("name").first()
    clients, users = {}, {}
    for name, role in (("filler", Role.FILLER), ("reviewer", Role.REVIEWER)):
        users[name] = User.objects.create_user(name, "", "pw-1")
        Membership.objects.create(user=users[name], department=unit, role=role)
        clients[name] = Client()
        clients[name].force_login(users[name])
    return round_, unit, clients, users


def scored(form, users, submit=False):
    """Fill every row (quantitative: 1 in the target's unit; qualitative: 未达成, 0 points)
    with reasons, and when `submit`, submit and have the reviewer change two scores."""
    form = ResultForm.objects.with_rows().get(pk=form.pk)
    rows = list(form.rows.all())
    data = {"version": str(form.version), "budget_full": "100", "executed": "50", "summary": "完成"}
    for row in rows:
        prefix = f"r{row.pk}-"
        data[prefix + "weight"] = str(row.weight)
        data[prefix + "reason"] = "原因及措施"
        if row.is_qualitative:
            data[prefix + "level"], data[prefix + "points"] = "missed", "0"
        else:
            data[prefix + "actual"] = f"1{row.unit}"
    editor = editor_for(form, data, rows=rows)
    assert editor.is_valid(), editor.errors
    editor.save(users["filler"])
    if submit:
        form.submit(users["filler"])
        for row in rows[:2]:
            adjust_score(form, users["reviewer"], row.pk, "0", "复核")


@pytest.mark.parametrize("who", ["filler", "reviewer"])
def test_the_form_page_needs_the_same_queries_for_more_rows(world, who):
    round_, unit, clients, users = world
    small = forms_by_rows(round_, unit).first()
    scored(small, users, submit=who == "reviewer")
    before = queries_of(get(clients[who], reverse("results:form", args=[small.pk])))
    generate_and_open(2 * SMALL, seed=2)
    biggest = forms_by_rows(round_, unit).last()
    assert biggest.n > small.n
    scored(biggest, users, submit=who == "reviewer")
    assert queries_of(get(clients[who], reverse("results:form", args=[biggest.pk]))) == before


def test_the_overview_exports_and_statistics_need_the_same_queries_for_three_times_the_projects(world):
    round_, unit, clients, users = world
    scored(forms_by_rows(round_, unit).first(), users, submit=True)
    urls = [
        reverse("results:overview", args=[round_.pk]),
        reverse("results:forms_xlsx", args=[round_.pk]),
        reverse("results:print", args=[forms_by_rows(round_, unit).first().pk]),
        reverse("stats:index") + f"?year={YEAR}",
    ]
    warm = get(clients["reviewer"], urls[-1])  # the statistics' kept figures, built once
    warm()
    before = [queries_of(get(clients["reviewer"], url)) for url in urls]
    generate_and_open(2 * SMALL, seed=2)
    for form in forms_by_rows(round_, unit)[:3]:
        if form.status == "draft":
            scored(form, users, submit=True)
    assert ResultForm.objects.filter(round=round_).count() == 3 * SMALL
    warm()
    assert [queries_of(get(clients["reviewer"], url)) for url in urls] == before
