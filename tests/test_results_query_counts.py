"""Query counts of the monitoring pages do not grow with the rows of a form or the
projects of a round (measured small, then after generating twice as many more)."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from projects.models import Department, Membership, Project, Role, Status
from results.models import Kind, ResultForm
from results.services import open_round

from .results_helpers import FUNDS
from .test_query_counts import queries_of

YEAR = 2026
SMALL = 12
CUTOFF = date(YEAR, 6, 30)


def generate_and_open(projects, seed):
    call_command("generate_demo", projects=projects, units=3, seed=seed, year=YEAR, stdout=StringIO())
    Project.objects.filter(year=YEAR).update(status=Status.APPROVED)
    return open_round(Kind.MONITORING, YEAR, CUTOFF).round


@pytest.fixture
def world(db):
    round_ = generate_and_open(SMALL, seed=1)
    User = get_user_model()
    unit = Department.objects.order_by("name").first()
    clients = {}
    for name, role in (("filler", Role.FILLER), ("reviewer", Role.REVIEWER)):
        user = User.objects.create_user(name, "", "pw-1")
        Membership.objects.create(user=user, department=unit, role=role)
        clients[name] = Client()
        clients[name].force_login(user)
    clients["admin"] = Client()
    clients["admin"].force_login(User.objects.create_superuser("admin", "", "pw-1"))
    return round_, unit, clients


def forms_by_rows(round_, unit):
    return (
        ResultForm.objects.filter(round=round_, project__department=unit)
        .annotate(n=Count("rows"))
        .order_by("n", "pk")
    )


def get(client, url):
    def action():
        response = client.get(url)
        assert response.status_code == 200, url

    return action


def filled(form):
    """Give the form values (with history) so that the page shows lights and history lines."""
    from results.forms import FormEditor

    rows = list(form.rows.all())
    values = {**FUNDS, "rows": [{"actual": "1", "likelihood": "possible", "note": "措施"} for _ in rows]}
    editor = FormEditor(form, FormEditor.data_from(values, form, rows), rows=rows)
    assert editor.is_valid(), editor.errors
    editor.save()


@pytest.mark.parametrize("who", ["filler", "reviewer", "admin"])
def test_the_form_page_needs_the_same_queries_for_more_rows(world, who):
    round_, unit, clients = world
    small = forms_by_rows(round_, unit).first()
    filled(small)
    before = queries_of(get(clients[who], reverse("results:form", args=[small.pk])))
    generate_and_open(2 * SMALL, seed=2)
    biggest = forms_by_rows(round_, unit).last()
    assert biggest.n > small.n
    filled(biggest)
    assert queries_of(get(clients[who], reverse("results:form", args=[biggest.pk]))) == before


@pytest.mark.parametrize("view", ["results:print", "results:xlsx"])
def test_the_printed_form_needs_the_same_queries_for_more_rows(world, view):
    round_, unit, clients = world
    small = forms_by_rows(round_, unit).first()
    before = queries_of(get(clients["reviewer"], reverse(view, args=[small.pk])))
    generate_and_open(2 * SMALL, seed=2)
    biggest = forms_by_rows(round_, unit).last()
    assert queries_of(get(clients["reviewer"], reverse(view, args=[biggest.pk]))) == before


@pytest.mark.parametrize("who", ["reviewer", "admin"])
@pytest.mark.parametrize("query", ["", "?light=3", "?status=draft&sort=-execution_rate"])
def test_the_overview_needs_the_same_queries_for_three_times_the_projects(world, who, query):
    round_, _, clients = world
    url = reverse("results:overview", args=[round_.pk]) + query
    before = queries_of(get(clients[who], url))
    generate_and_open(2 * SMALL, seed=2)
    assert ResultForm.objects.filter(round=round_).count() == 3 * SMALL
    assert queries_of(get(clients[who], url)) == before


@pytest.mark.parametrize("view", ["results:overview_xlsx", "results:forms_xlsx"])
def test_the_round_exports_need_the_same_queries_for_three_times_the_projects(world, view):
    round_, _, clients = world
    url = reverse(view, args=[round_.pk])
    before = queries_of(get(clients["admin"], url))
    generate_and_open(2 * SMALL, seed=2)
    assert queries_of(get(clients["admin"], url)) == before
