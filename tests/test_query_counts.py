"""Query counts do not grow with the number of projects or indicator rows.

Each page and export is measured on a small generated dataset, then again after
generating twice as many more projects (3× in all); the counts must be equal.
The list is measured by its URL and GET parameters, so the test applies to any
implementation of the list page.
"""

import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.checks import check_projects
from projects.documents.writers import xlsx as sheet_xlsx
from projects.models import Department, Membership, Project, ProjectType, Role, Status

YEAR = 2026
SMALL = 12


def generate(projects, seed):
    call_command("generate_demo", projects=projects, units=3, seed=seed, year=YEAR, stdout=StringIO())


def queries_of(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def get(client, url):
    def action():
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)

    return action


@pytest.fixture
def people(db):
    generate(SMALL, seed=1)
    User = get_user_model()
    admin = User.objects.create_superuser("admin", "", "pw-admin-1")
    filler = User.objects.create_user("filler", "", "pw-filler-1")
    unit = Department.objects.order_by("name").first()
    Membership.objects.create(user=filler, department=unit, role=Role.FILLER)
    clients = {}
    for user in (admin, filler):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    return clients, unit


def grow():
    """Twice as many projects again (3× in all), more rows per unit."""
    generate(2 * SMALL, seed=2)
    assert Project.objects.filter(year=YEAR).count() == 3 * SMALL


def richest_project(unit, status=None):
    """The unit's recurring project with the most indicator rows (so a later one differs in
    size). One type throughout: a 常年性 project's page also asks whether the user may copy
    it to next year, a 一次性 one's does not — a difference of kind, not of size."""
    projects = Project.objects.filter(department=unit, project_type=ProjectType.RECURRING)
    if status:
        projects = projects.filter(status=status)
    return projects.annotate(rows=Count("goals__indicators")).order_by("-rows", "id").first()


def list_urls():
    url = reverse("projects:list")
    return {
        "all": url,
        "year": f"{url}?year={YEAR}",
        "search": f"{url}?year={YEAR}&q=满意度",
    }


@pytest.mark.parametrize("who", ["admin", "filler"])
@pytest.mark.parametrize("which", ["all", "year", "search"])
def test_the_list_page_needs_the_same_queries_for_three_times_the_projects(people, who, which):
    clients, _ = people
    url = list_urls()[which]
    small = queries_of(get(clients[who], url))
    grow()
    assert queries_of(get(clients[who], url)) == small


@pytest.mark.parametrize("view", ["projects:detail", "projects:sheet", "projects:sheet_xlsx"])
def test_project_pages_need_the_same_queries_for_more_rows_and_more_projects(people, view):
    clients, unit = people
    first = (
        Project.objects.filter(department=unit).annotate(rows=Count("goals__indicators")).order_by("rows")[0]
    )
    small = {who: queries_of(get(clients[who], reverse(view, args=[first.pk]))) for who in clients}
    grow()
    biggest = richest_project(unit)
    assert biggest.rows > first.rows
    large = {who: queries_of(get(clients[who], reverse(view, args=[biggest.pk]))) for who in clients}
    assert large == small


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.APPROVED])
def test_the_project_page_needs_the_same_queries_in_every_state(people, status):
    """The workflow panel (actions, checks on submit, snapshots, history) stays constant."""
    clients, unit = people
    project = richest_project(unit, status) or richest_project(unit)
    small = queries_of(get(clients["filler"], reverse("projects:detail", args=[project.pk])))
    grow()
    bigger = richest_project(unit, status)
    assert queries_of(get(clients["filler"], reverse("projects:detail", args=[bigger.pk]))) == small


def test_the_batch_export_needs_the_same_queries_for_three_times_the_projects(people):
    def export():
        output = io.BytesIO()
        written = sheet_xlsx.write_batch(Project.objects.filter(year=YEAR).order_by("id"), output)
        assert written == Project.objects.filter(year=YEAR).count()

    small = queries_of(export)
    grow()
    assert queries_of(export) == small


def test_the_batch_export_through_the_url_needs_the_same_queries(people):
    clients, _ = people
    url = f"{reverse('projects:export_xlsx')}?year={YEAR}"
    small = queries_of(get(clients["admin"], url))
    grow()
    assert queries_of(get(clients["admin"], url)) == small


def test_checking_needs_the_same_queries_for_three_times_the_projects(people):
    def check():
        results = list(check_projects(Project.objects.filter(year=YEAR).order_by("id")))
        assert len(results) == Project.objects.filter(year=YEAR).count()
        assert any(findings for _, findings in results)

    small = queries_of(check)
    grow()
    assert queries_of(check) == small


def library_and_statistics_urls():
    return {
        "library": reverse("indicators:library"),
        "library search": f"{reverse('indicators:library')}?q=满意&level1=满意度指标",
        "indicator": f"{reverse('indicators:library_indicator')}?level1=满意度指标"
        "&level2=服务对象满意度指标&name=群众满意度",
        "suggestions": f"{reverse('indicators:suggest')}?level2=服务对象满意度指标&q=满意",
        "statistics": f"{reverse('stats:index')}?year={YEAR}",
    }


@pytest.mark.parametrize("who", ["admin", "filler"])
@pytest.mark.parametrize("which", list(library_and_statistics_urls()))
def test_the_library_and_the_statistics_need_the_same_queries_for_three_times_the_projects(
    people, who, which
):
    """Served from the kept figures: the library's entries (rebuilt per changed unit-year)
    and the statistics' tallies (per changed project) are brought up to date by the first
    request after a change, which the count leaves out."""
    clients, _ = people
    url = library_and_statistics_urls()[which]
    get(clients[who], url)()
    small = queries_of(get(clients[who], url))
    grow()
    get(clients[who], url)()
    assert queries_of(get(clients[who], url)) == small
