"""Rounds, the form's workflow and scope, and values that stay attached to the approved rows."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import Indicator
from projects.models import Goal, Project, Status
from projects.workflow import TransitionNotAllowed, TransitionRefused
from results.models import FormStatus, FormTransition, Light, ResultForm, ResultRow
from results.services import open_round
from results.workflow import FormIncomplete

from .editor_support import editor_data
from .results_helpers import FUNDS, PROJECT, REASONS, approve, approve_seed, fill, form_of, monitoring_round
from .workflow_helpers import OTHER_UNIT, clean_project, member, people

COMPLETE_FUNDS = {**FUNDS, "funds_reason": "部分资金下半年支付"}


@pytest.fixture
def users(django_user_model):
    return people(django_user_model)


@pytest.fixture
def approved(seed, users):
    return approve_seed(users)


@pytest.fixture
def round_(approved):
    return monitoring_round()


def test_a_round_gives_every_approved_project_of_the_year_a_form_with_its_annual_rows(round_, approved):
    forms = ResultForm.objects.filter(round=round_)
    assert sorted(forms.values_list("project_name", flat=True)) == sorted(approved)
    drafts = Project.objects.filter(year=2025).exclude(status=Status.APPROVED)
    assert drafts.exists() and not forms.filter(project__in=drafts).exists()
    form = form_of(round_=round_)
    project = approved[PROJECT]
    annual = Indicator.objects.filter(goal__project=project, goal__term=Goal.Term.ANNUAL).order_by("position")
    assert [(r.indicator_id, r.level3, r.target) for r in form.rows.all()] == [
        (i.pk, i.level3, i.value) for i in annual
    ]
    assert (form.budget_initial, form.budget_full) == (project.budget, project.budget)
    assert form.goal_text == project.goals.get(term="annual").text
    assert (form.status, form.light) == (FormStatus.DRAFT, Light.NONE)


def test_opening_again_changes_nothing_and_adds_projects_approved_since(round_, users):
    count = ResultForm.objects.filter(round=round_).count()
    out = io.StringIO()
    call_command("open_round", "--kind", "monitoring", "--year", "2025", "--cutoff", "2025-06-30", stdout=out)
    assert "新建0张监控表" in out.getvalue()
    assert ResultForm.objects.filter(round=round_).count() == count
    late = clean_project(name="下半年批复的项目")
    approve(late, users["filler"], users["reviewer"])
    monitoring_round()
    assert ResultForm.objects.filter(round=round_, project=late).exists()


def test_the_filler_submits_and_the_reviewer_confirms_or_returns(round_, users):
    form = form_of(round_=round_)
    fill(form, user=users["filler"])
    with pytest.raises(FormIncomplete) as refused:
        form.submit(users["filler"])
    assert (
        "第2行（服务窗口工作人员数量）为红灯，请填写偏差原因分析和改进措施（备注）。"
        in refused.value.findings
    )
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.DRAFT

    fill(form_of(round_=round_), reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    form = form_of(round_=round_)
    with pytest.raises(TransitionNotAllowed):
        form.submit(users["reviewer"])
    form.submit(users["filler"])
    with pytest.raises(TransitionRefused):
        form.send_back(users["reviewer"], "")  # the comment is required
    form.send_back(users["reviewer"], "请补充人员招聘计划")
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.RETURNED
    form.submit(users["filler"])
    with pytest.raises(TransitionNotAllowed):
        form.confirm(users["filler"])
    form.confirm(users["reviewer"], "已阅")
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.CONFIRMED
    steps = FormTransition.objects.filter(form=form).values_list("action", "user__username", "comment")
    assert list(steps) == [
        ("submit", "filler", ""),
        ("return", "reviewer", "请补充人员招聘计划"),
        ("submit", "filler", ""),
        ("confirm", "reviewer", "已阅"),
    ]


def test_every_change_of_values_is_in_the_history(round_, users, client):
    form = form_of(round_=round_)
    fill(form, user=users["filler"])
    staff = form.rows.get(level3="服务窗口工作人员数量")
    record = ResultRow.history.filter(id=staff.pk).latest("history_id")
    assert (record.actual, record.history_user) == ("20人", users["filler"])
    assert ResultForm.history.filter(id=form.pk, executed=100).exists()

    client.force_login(users["reviewer"])
    page = client.get(reverse("results:form", args=[form.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "第2行（服务窗口工作人员数量）" in history and "<ins>20人</ins>" in history
    assert "filler" in history


def test_other_units_see_nothing(round_, client, django_user_model):
    form = form_of(round_=round_)
    stranger = member(django_user_model, "stranger", OTHER_UNIT, "reviewer")
    client.force_login(stranger)
    assert client.get(reverse("results:form", args=[form.pk])).status_code == 404
    assert client.get(reverse("results:print", args=[form.pk])).status_code == 404
    overview = client.get(reverse("results:overview", args=[round_.pk]))
    assert overview.status_code == 200 and PROJECT not in overview.content.decode()
    assert ResultForm.objects.restrict(stranger).count() == 0
    assert ResultForm.objects.restrict(stranger, "review").count() == 0


def test_the_reviewer_may_read_but_not_fill(round_, users, client):
    form = form_of(round_=round_)
    client.force_login(users["reviewer"])
    url = reverse("results:form", args=[form.pk])
    page = client.get(url).content.decode()
    assert 'id="monitoring-form"' not in page and "项目支出绩效目标执行监控表" in page
    assert client.post(url, {"executed": "1"}).status_code == 403
    assert ResultForm.objects.get(pk=form.pk).executed is None


def test_a_stale_page_is_refused_and_nothing_is_lost(round_, users, client):
    form = form_of(round_=round_)
    client.force_login(users["filler"])
    url = reverse("results:form", args=[form.pk])
    client.get(url)
    data = {
        "version": str(form.version),
        "budget_full": "266",
        "executed": "50",
        "forecast": "",
        "summary": "",
    }
    fill(form_of(round_=round_), user=users["filler"])  # someone else saves meanwhile
    response = client.post(url, data)
    assert response.status_code == 409
    assert "其他人已修改或提交了此监控表" in response.content.decode()
    assert ResultForm.objects.get(pk=form.pk).executed == 100


def reopen_edit_and_approve(project, users, client):
    """Reopen the approved project, change 总成本 to ≤300万元 and drop 优化政务服务环境 from
    the annual table in the browser's editor, approve again."""
    project.reopen(users["reviewer"], "年中调整预算")
    client.force_login(users["filler"])
    project = Project.objects.with_tree().get(pk=project.pk)
    goals = []
    for goal in project.goals.all():
        rows = [
            {
                "level1": row.level1,
                "level2": row.level2,
                "level3": row.level3,
                "value": "≤300万元" if row.level3 == "总成本" and goal.term == "annual" else row.value,
                "basis": row.basis,
                "id": row.pk,
            }
            for row in goal.indicators.all()
            if not (goal.term == "annual" and row.level3 == "优化政务服务环境")
        ]
        goals.append({"term": goal.term, "text": goal.text, "id": goal.pk, "rows": rows})
    data = editor_data(
        project,
        department=project.department,
        name=project.name,
        budget="300",
        project_type="recurring",
        goals=goals,
    )
    response = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302, response.content.decode()[:1000]
    approve(Project.objects.get(pk=project.pk), users["filler"], users["reviewer"])


def test_reopen_and_reapproval_keep_the_monitoring_values(round_, approved, users, client):
    form = form_of(round_=round_)
    fill(form, reasons=REASONS, funds=COMPLETE_FUNDS, user=users["filler"])
    before = {
        row.pk: (row.indicator_id, row.target, row.actual, row.light)
        for row in form_of(round_=round_).rows.all()
    }
    reopen_edit_and_approve(approved[PROJECT], users, client)

    form = form_of(round_=round_)
    rows = {row.pk: row for row in form.rows.all()}
    cost = next(row for row in rows.values() if row.level3 == "总成本")
    removed = next(row for row in rows.values() if row.level3 == "优化政务服务环境")
    # The edited row kept its identity: the form still points at it; what was
    # approved and recorded is shown as it was.
    assert cost.indicator is not None and cost.indicator.value == "≤300万元"
    assert (cost.indicator_id, cost.target, cost.actual) == before[cost.pk][:3]
    # The removed row's values stay readable, detached from the live row.
    assert removed.indicator is None
    assert (removed.target, removed.actual) == ("确保优化", "窗口统一受理，环境持续优化")
    assert {pk: (r.target, r.actual, r.light) for pk, r in rows.items()} == {
        pk: value[1:] for pk, value in before.items()
    }
    client.force_login(users["filler"])
    page = client.get(reverse("results:form", args=[form.pk])).content.decode()
    assert "现批复指标值：≤300万元" in page and "重新批复时已删除此指标，保留原记录" in page

    # Opening the round again keeps what was recorded against the rows it was recorded on.
    assert monitoring_round() == round_
    form = form_of(round_=round_)
    assert {pk: (r.target, r.actual) for pk, r in ((r.pk, r) for r in form.rows.all())} == {
        pk: value[1:3] for pk, value in before.items()
    }


def test_a_reapproved_project_brings_its_new_rows_into_a_form_not_yet_submitted(round_, approved, users):
    form = form_of(round_=round_)
    fill(form, figures={"总成本": {"actual": "100万元"}}, user=users["filler"])
    project = approved[PROJECT]
    project.reopen(users["reviewer"], "补充指标")
    annual = project.goals.get(term="annual")
    annual.indicators.filter(level3__in=["总成本", "优化政务服务环境"]).delete()
    annual.indicators.create(
        position=9,
        level1="产出指标",
        level2="时效指标",
        level3="办件按时办结率",
        value="≥99%",
        basis="计划标准",
    )
    annual.indicators.create(
        position=10,
        level1="成本指标",
        level2="经济成本指标",
        level3="总成本",
        value="≤250万元",
        basis="其他标准",
    )
    approve(Project.objects.get(pk=project.pk), users["filler"], users["reviewer"])

    report = open_round("monitoring", 2025, round_.cutoff)
    assert report.updated == 1
    rows = [
        (row.level3, row.target, row.actual, row.indicator_id is None)
        for row in form_of(round_=round_).rows.all()
    ]
    # The approved rows in order, the new ones with them; the removed row that holds a
    # value stays after them as recorded; the removed empty row is gone.
    assert rows == [
        ("服务窗口工作人员数量", "等于35人", "", False),
        ("提高窗口人员服务质量", "有效提高", "", False),
        ("群众满意度", "≥98%", "", False),
        ("办件按时办结率", "≥99%", "", False),
        ("总成本", "≤250万元", "", False),
        ("总成本", "≤266万元", "100万元", True),
    ]
    assert [row.position for row in form_of(round_=round_).rows.all()] == [1, 2, 3, 4, 5, 6]
    # A submitted form is never changed by a re-approval.
    assert open_round("monitoring", 2025, round_.cutoff).updated == 0


def test_an_administrator_opens_a_round_in_the_admin(approved, admin_client):
    response = admin_client.post(
        "/admin/results/round/add/",
        {"kind": "monitoring", "year": "2025", "cutoff": "2025-07-31"},
        follow=True,
    )
    assert "2025年绩效运行监控（截至7月31日）：新建" in response.content.decode()
    assert ResultForm.objects.filter(round__cutoff="2025-07-31").count() == len(approved)
    refused = admin_client.post(
        "/admin/results/round/add/", {"kind": "monitoring", "year": "2025", "cutoff": "2024-12-31"}
    )
    assert "截止日期2024-12-31不在2025年度内。" in refused.content.decode()
    form = ResultForm.objects.filter(round__cutoff="2025-07-31").first()
    assert admin_client.post(
        f"/admin/results/resultform/{form.pk}/change/", {"status": "confirmed"}
    ).status_code in (
        200,
        403,
    )
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.DRAFT
