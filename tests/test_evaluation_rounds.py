"""One self-evaluation round a year, at 12月31日: `open_round --cutoff` is refused for it,
running it again reuses the year's round, the admin and the database refuse a second one,
and the migration folds a year's untouched extra rounds into the year-end round. The round's
overview before any score counts the forms as 未评分."""

import re
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from results.models import Kind, ResultForm, Round

from .results_helpers import approve_seed
from .workflow_helpers import people

User = get_user_model()


@pytest.fixture
def approved(seed, django_user_model):
    return approve_seed(people(django_user_model))


def open_evaluation(*extra):
    out = StringIO()
    call_command("open_round", "--kind", "evaluation", "--year", "2025", *extra, stdout=out)
    return out.getvalue()


def test_the_command_opens_one_round_and_reuses_it(approved):
    assert f"2025年度绩效自评：新建{len(approved)}张自评表。" in open_evaluation()
    assert open_evaluation() == "2025年度绩效自评：新建0张自评表。\n"
    assert open_evaluation("--cutoff", "2025-12-31") == "2025年度绩效自评：新建0张自评表。\n"
    round_ = Round.objects.get(kind=Kind.EVALUATION)
    assert round_.cutoff == date(2025, 12, 31)
    assert ResultForm.objects.filter(round=round_).count() == len(approved)


def test_another_cutoff_is_refused_and_nothing_is_opened(approved):
    open_evaluation()
    with pytest.raises(CommandError) as refused:
        open_evaluation("--cutoff", "2025-06-30")
    assert str(refused.value) == (
        "绩效自评每年度只有一轮，截止日期固定为2025年12月31日，不能指定截止日期2025-06-30。"
    )
    assert Round.objects.filter(kind=Kind.EVALUATION).count() == 1
    assert ResultForm.objects.count() == len(approved)


def test_the_database_refuses_a_second_round_of_a_year(approved):
    open_evaluation()
    for cutoff in (date(2025, 6, 30), date(2024, 12, 31)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Round.objects.create(kind=Kind.EVALUATION, year=2025, cutoff=cutoff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(kind=Kind.EVALUATION, year=2026, cutoff=date(2026, 6, 30))
    # Monitoring rounds: as many cut-offs as wanted.
    Round.objects.create(kind=Kind.MONITORING, year=2025, cutoff=date(2025, 6, 30))
    Round.objects.create(kind=Kind.MONITORING, year=2025, cutoff=date(2025, 9, 30))


def test_the_admin_fills_the_year_end_and_refuses_a_second_round(approved, admin_client):
    response = admin_client.post(
        "/admin/results/round/add/", {"kind": "evaluation", "year": "2025", "cutoff": ""}, follow=True
    )
    assert "2025年度绩效自评：新建" in response.content.decode()
    assert Round.objects.get(kind=Kind.EVALUATION).cutoff == date(2025, 12, 31)
    for cutoff in ("", "2025-12-31"):
        again = admin_client.post(
            "/admin/results/round/add/", {"kind": "evaluation", "year": "2025", "cutoff": cutoff}
        )
        assert again.status_code == 200
        assert "绩效自评每年度只有一轮" in again.content.decode()
    other = admin_client.post(
        "/admin/results/round/add/", {"kind": "evaluation", "year": "2026", "cutoff": "2026-06-30"}
    )
    assert "截止日期固定为2026年12月31日，不能指定截止日期2026-06-30。" in other.content.decode()
    monitoring = admin_client.post(
        "/admin/results/round/add/", {"kind": "monitoring", "year": "2025", "cutoff": ""}
    )
    assert "运行监控须指定截止日期。" in monitoring.content.decode()
    assert Round.objects.count() == 1


def extra_round(cutoff, project, version=1):
    """A round as the old code let one open: straight into the table (no constraint yet)."""
    round_ = Round.objects.create(kind=Kind.EVALUATION, year=2025, cutoff=cutoff)
    ResultForm.objects.create(
        round=round_,
        project=project,
        project_name=project.name,
        department_name=project.department.name,
        project_type=project.project_type,
        budget_initial=project.budget,
        version=version,
    )
    return round_


@pytest.mark.django_db(transaction=True)
def test_the_migration_folds_untouched_extra_rounds_into_the_year_end(approved):
    project = next(iter(approved.values()))
    call_command("migrate", "results", "0003", verbosity=0)
    try:
        first = extra_round(date(2025, 6, 30), project)  # opened first, with the wrong cut-off
        extra_round(date(2025, 9, 30), project)
        touched = extra_round(date(2025, 3, 31), project, version=2)
        with pytest.raises(RuntimeError, match=r"截止日期为2025-03-31的轮次.*已有填报内容"):
            call_command("migrate", "results", verbosity=0)
        assert Round.objects.filter(kind=Kind.EVALUATION).count() == 3  # nothing gone
        ResultForm.objects.filter(round=touched).delete()
        touched.delete()
    finally:
        call_command("migrate", "results", verbosity=0)
    kept = Round.objects.get(kind=Kind.EVALUATION)
    assert (kept.pk, kept.cutoff) == (first.pk, date(2025, 12, 31))
    assert ResultForm.objects.filter(round=kept).count() == 1


def test_the_overview_before_any_score_counts_the_unscored(approved, client):
    """Not “共 N 个项目：；”: the forms not yet scored are counted as 未评分."""
    open_evaluation()
    round_ = Round.objects.get(kind=Kind.EVALUATION)
    client.force_login(User.objects.get(username="reviewer"))
    html = client.get(reverse("results:overview", args=[round_.pk])).content.decode()
    summary = re.sub(r"<[^>]+>|\s+", "", html.split('id="overview-totals">')[1].split("</p>")[0])
    count = len(approved)
    assert summary.startswith(f"共{count}个项目：未评分{count}；平均总分—；")
    filtered = client.get(reverse("results:overview", args=[round_.pk]), {"status": "confirmed"})
    summary = filtered.content.decode().split('id="overview-totals">')[1].split("</p>")[0]
    assert re.sub(r"<[^>]+>|\s+", "", summary).startswith("共0个项目；平均总分—；")
