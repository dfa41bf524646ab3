"""A monitoring form's page that another user overtook: the 填报人's 保存并提交 after the
reviewer returned or confirmed the form, the reviewer's 确认 after another reviewer
confirmed it, go back to the form saying who did what and when, nothing changed; a
request no page sent (no role, no page's version) stays 403."""

import pytest
from django.urls import reverse

from projects.models import Role
from results.forms import EvaluationEditor, FormEditor
from results.models import FormStatus, FormTransition, Kind, ResultForm
from results.services import open_round
from results.workflow import adjust_score

from .results_helpers import approve, form_of, monitoring_round
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, member

PROJECT = "政务云平台运维项目"
# Half-year values of clean_project's annual rows: every light green, nothing to explain.
FIGURES = {
    "总成本": ("50万元", "100万元"),
    "运维系统数量": ("3个", "3个"),
    "系统可用率": ("99.5%", "99.5%"),
    "故障响应时间": ("1小时", "1小时"),
    "政务服务覆盖率": ("95%", "95%"),
    "用户满意度": ("95%", "95%"),
}
FUNDS = {"budget_full": "100", "executed": "50", "forecast": "100", "summary": "平台运行正常。"}


@pytest.fixture
def users(db, django_user_model):
    return {
        "filler": member(django_user_model, "tianbao", UNIT, Role.FILLER, first_name="田宝"),
        "colleague": member(django_user_model, "tongshi", UNIT, Role.FILLER, first_name="同事"),
        "reviewer": member(django_user_model, "shenhe", UNIT, Role.REVIEWER, first_name="沈和"),
        "second_reviewer": member(django_user_model, "fuhe", UNIT, Role.REVIEWER, first_name="复核"),
        "other_filler": member(django_user_model, "qita", OTHER_UNIT, Role.FILLER),
    }


@pytest.fixture
def form(users):
    """The project's monitoring form, filled completely (ready to submit), still a draft."""
    approve(clean_project(), users["filler"], users["reviewer"])
    monitoring_round()
    form = form_of(PROJECT)
    rows = list(form.rows.all())
    values = {
        **FUNDS,
        "rows": [
            {"actual": FIGURES[row.level3][0], "forecast": FIGURES[row.level3][1], "likelihood": "certain"}
            for row in rows
        ],
    }
    editor = FormEditor(form, FormEditor.data_from(values, form, rows), rows=rows)
    assert editor.is_valid(), editor.errors
    editor.save(users["filler"])
    form = form_of(PROJECT)
    assert form.problems(list(form.rows.all())) == []
    return form


def page_data(form):
    """What the filler's page of `form`, as it shows it now, posts (its version included)."""
    rows = list(form.rows.all())
    return FormEditor.data_from({"rows": [{} for _ in rows]}, form, rows) | {"action": "submit"}


def state(form):
    """Everything a refused step must leave as it was."""
    fresh = ResultForm.objects.get(pk=form.pk)
    rows = list(fresh.rows.values_list("actual", "forecast", "note"))
    return fresh.status, fresh.version, fresh.executed, rows, FormTransition.objects.filter(form=form).count()


def followed(client, url, data):
    return client.post(url, data, follow=True)


def test_the_fillers_submit_after_a_return_goes_back_saying_so(users, form, client):
    client.force_login(users["filler"])
    url = reverse("results:form", args=[form.pk])
    data = page_data(form)  # the page, still open with 保存并提交
    form.submit(users["colleague"])
    form.send_back(users["reviewer"], "请补充运维记录")
    before = state(form)
    response = followed(client, url, data)
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "未能提交：监控表在您打开页面后已被修改：沈和已于" in page
    assert "退回此监控表，现为“已退回”，请查看最新内容后再提交。" in page
    assert "已保存" not in page  # nothing was saved: the values were those of the page
    assert "请补充运维记录" in page  # the reviewer's comment, atop the form now shown
    assert state(form) == before


def test_the_fillers_submit_or_save_after_a_confirm_goes_back_saying_so(users, form, client):
    client.force_login(users["filler"])
    url = reverse("results:form", args=[form.pk])
    data = page_data(form) | {"executed": "60"}  # a change typed on the page
    form.submit(users["colleague"])
    form.confirm(users["reviewer"], "已阅")
    before = state(form)
    for code, label in (("submit", "提交"), ("save", "保存")):
        response = followed(client, url, data | {"action": code})
        assert response.redirect_chain == [(url, 302)]
        page = response.content.decode()
        assert f"未能{label}：监控表在您打开页面后已被修改：沈和已于" in page
        assert f"确认此监控表，现为“已确认”，不能再{label}。" in page
        assert state(form) == before


def test_the_reviewers_confirm_after_another_reviewer_confirmed_goes_back_saying_so(users, form, client):
    form.submit(users["filler"])
    client.force_login(users["reviewer"])
    seen = form.version  # the page with 确认 and 退回
    form.confirm(users["second_reviewer"], "同意")
    before = state(form)
    detail = reverse("results:form", args=[form.pk])
    for code, label, comment in (("confirm", "确认", ""), ("return", "退回", "请修改")):
        url = reverse(f"results:{code}", args=[form.pk])
        response = followed(client, url, {"version": seen, "comment": comment})
        assert response.redirect_chain == [(detail, 302)]
        page = response.content.decode()
        assert f"未能{label}：监控表在您打开页面后已被修改：复核已于" in page
        assert f"确认此监控表，现为“已确认”，不能再{label}。" in page
        assert state(form) == before


def test_a_request_no_page_sent_is_still_refused_with_403(users, form, client):
    form.submit(users["filler"])
    seen = form.version
    form.confirm(users["reviewer"], "已阅")
    before = state(form)
    detail = reverse("results:form", args=[form.pk])
    confirm = reverse("results:confirm", args=[form.pk])
    # the reviewer without a page's version: not what a page sends
    client.force_login(users["second_reviewer"])
    assert client.post(confirm, {"comment": ""}).status_code == 403
    assert client.post(confirm, {"version": form.version, "comment": ""}).status_code == 403
    # the filler never had 确认, the reviewer never had the editor, whatever the version
    client.force_login(users["filler"])
    assert client.post(confirm, {"version": seen, "comment": ""}).status_code == 403
    client.force_login(users["second_reviewer"])
    assert client.post(detail, {**page_data(form), "version": seen}).status_code == 403
    # the filler's editor on the confirmed form: no page showed it, without a version or with the current one
    client.force_login(users["filler"])
    data = page_data(form)
    assert client.post(detail, data).status_code == 403
    del data["version"]
    assert client.post(detail, data).status_code == 403
    # another unit: not even visible
    client.force_login(users["other_filler"])
    assert client.post(detail, {**page_data(form), "version": seen}).status_code == 404
    assert client.post(confirm, {"version": seen, "comment": ""}).status_code == 404
    assert state(form) == before
    assert ResultForm.objects.get(pk=form.pk).status == FormStatus.CONFIRMED


def evaluation(users):
    """The project's self-evaluation, filled (every target met) and submitted."""
    approve(clean_project(), users["filler"], users["reviewer"])
    open_round(Kind.EVALUATION, 2025)
    form = ResultForm.objects.with_rows().get(project_name=PROJECT, round__kind=Kind.EVALUATION)
    rows = list(form.rows.all())
    values = {
        "budget_full": "100",
        "executed": "90",
        "summary": "全年平台运行正常。",
        "appropriation_full": "100",
        "appropriation_executed": "90",
        "rows": [{"actual": FIGURES[row.level3][0]} for row in rows],
    }
    editor = EvaluationEditor(form, EvaluationEditor.data_from(values, form, rows), rows=rows)
    assert editor.is_valid(), editor.errors
    editor.save(users["filler"])
    form = ResultForm.objects.with_rows().get(pk=form.pk)
    form.submit(users["filler"])
    return form


def test_a_self_evaluation_adjusted_or_confirmed_by_another_reviewer_says_so(users, client):
    form = evaluation(users)
    row = form.rows.get(level3="用户满意度")
    client.force_login(users["reviewer"])
    detail = reverse("results:form", args=[form.pk])
    seen = form.version  # the page with 调整得分, 确认 and 退回
    adjust_score(form, users["second_reviewer"], row.pk, "8", "样本偏少")
    before = state(form)
    response = followed(client, reverse("results:confirm", args=[form.pk]), {"version": seen, "comment": ""})
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert "未能确认：自评表在您打开页面后已被修改：复核已于" in page
    assert "调整了此自评表的得分，现为“已提交”，请查看最新内容后再确认。" in page
    assert state(form) == before

    seen = form.version
    form.confirm(users["second_reviewer"], "同意")
    before = state(form)
    data = {"version": seen, "row": row.pk, "score": "9", "reason": "复核后调整"}
    response = followed(client, reverse("results:adjust", args=[form.pk]), data)
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert "未能调整得分：自评表在您打开页面后已被修改：复核已于" in page
    assert "确认此自评表，现为“已确认”，不能再调整得分。" in page
    assert state(form) == before
    # without the page's version, or from the filler: 403 as before
    data["version"] = form.version
    assert client.post(reverse("results:adjust", args=[form.pk]), data).status_code == 403
    client.force_login(users["filler"])
    data["version"] = seen
    assert client.post(reverse("results:adjust", args=[form.pk]), data).status_code == 403
    assert state(form) == before
