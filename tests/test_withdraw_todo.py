"""The review loop as the 填报人 lives it: 撤回 while nobody has acted, the reviewer's
comment atop the page and the editor until resubmitted, 已退回 in the list, 我的待办."""

import pytest
from django.urls import reverse

from projects.models import Department, Membership, Role, Scope, Status, YearSetting
from projects.workflow import TransitionNotAllowed, TransitionRefused
from tests.workflow_helpers import OTHER_UNIT, UNIT, clean_project, member, state


@pytest.fixture
def users(db, django_user_model):
    return {
        "filler": member(django_user_model, "tianbao", UNIT, Role.FILLER, first_name="田宝"),
        "colleague": member(django_user_model, "tongshi", UNIT, Role.FILLER, first_name="同事"),
        "reviewer": member(django_user_model, "shenhe", UNIT, Role.REVIEWER, first_name="沈和"),
        "other_filler": member(django_user_model, "qita", OTHER_UNIT, Role.FILLER),
    }


def codes(project, user):
    return [action.code for action in project.actions_for(user)]


def test_the_submitter_withdraws_a_waiting_project_back_to_draft(users):
    project = clean_project()
    project.submit(users["filler"])
    assert "withdraw" in codes(project, users["filler"])
    assert "withdraw" not in codes(project, users["colleague"])  # a colleague did not submit it
    assert "withdraw" not in codes(project, users["reviewer"])
    before = state(project)
    with pytest.raises(TransitionNotAllowed, match="只有提交人（田宝）可以撤回"):
        project.withdraw(users["colleague"])
    with pytest.raises(TransitionNotAllowed, match="填报人"):
        project.withdraw(users["reviewer"])
    assert state(project) == before

    transition = project.withdraw(users["filler"], "预算要调整")
    project.refresh_from_db()
    assert project.status == Status.DRAFT and project.is_editable
    assert (transition.action, transition.from_status, transition.to_status) == (
        "withdraw",
        "submitted",
        "draft",
    )
    assert transition.comment == "预算要调整" and transition.user == users["filler"]
    assert transition.body == ""  # not a review step: taken in no body's name


def test_a_withdrawn_resubmission_returns_to_returned_and_keeps_the_comment(users, client):
    project = clean_project()
    project.submit(users["filler"])
    project.send_back(users["reviewer"], "满意度指标依据不足。")
    project.submit(users["filler"])
    project.withdraw(users["filler"])
    project.refresh_from_db()
    assert project.status == Status.RETURNED
    client.force_login(users["filler"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert page.count('id="return-note"') == 1 and "满意度指标依据不足。" in page
    history = page[page.index('id="history"') :]
    assert "撤回：已提交 → 已退回" in history


def test_no_withdraw_once_a_reviewer_acted(users, django_user_model):
    project = clean_project()
    project.submit(users["filler"])
    project.approve(users["reviewer"])
    with pytest.raises(TransitionNotAllowed, match="已批复"):
        project.withdraw(users["filler"])

    # two-level review: after the 主管部门's 初审 the project still waits, but someone acted
    main = Department.objects.get(name=UNIT)
    child = Department.objects.create(name="鄂州市政务服务中心", parent=main)
    child_filler = member(django_user_model, "zishu", child.name, Role.FILLER)
    parent_reviewer = member(django_user_model, "chushen", UNIT, Role.REVIEWER)
    Membership.objects.filter(user=parent_reviewer).update(scope=Scope.TREE)
    YearSetting.objects.create(year=2026, two_level=True, finance_body="鄂州市财政局")
    waiting = clean_project(unit=child.name, name="所属单位项目", year=2026)
    waiting.submit(child_filler)
    waiting.pass_first_review(parent_reviewer)
    assert waiting.status == Status.PENDING_FINANCE
    assert "withdraw" not in codes(waiting, child_filler)
    before = state(waiting)
    with pytest.raises(TransitionRefused, match="鄂州市数据局已初审通过，项目不能再撤回。"):
        waiting.withdraw(child_filler)
    assert state(waiting) == before


def test_the_withdraw_button_on_the_page(users, client):
    project = clean_project()
    project.submit(users["filler"])
    client.force_login(users["filler"])
    url = reverse("projects:detail", args=[project.pk])
    assert 'data-action="withdraw"' in client.get(url).content.decode()
    response = client.post(reverse("projects:withdraw", args=[project.pk]), {"version": project.version})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "已撤回，可修改后重新提交。" in page and 'data-action="withdraw"' not in page


def test_the_return_comment_heads_the_page_and_the_editor_until_resubmitted(users, client):
    project = clean_project()
    project.submit(users["filler"])
    project.send_back(users["reviewer"], "总成本与预算不符，请核对。")
    client.force_login(users["filler"])
    for name in ("projects:detail", "projects:edit"):
        page = client.get(reverse(name, args=[project.pk])).content.decode()
        note = page.index('id="return-note"')
        assert note < page.index("<table"), name  # above the sheet / the form
        assert "总成本与预算不符，请核对。" in page and "审核人 沈和" in page
    project.submit(users["filler"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="return-note"' not in page


def test_the_list_marks_returned_and_my_todo_holds_returned_and_drafts(users, client):
    returned = clean_project(name="退回的项目")
    returned.submit(users["filler"])
    returned.send_back(users["reviewer"], "请修改")
    draft = clean_project(name="草稿的项目")
    waiting = clean_project(name="已提交的项目")
    waiting.submit(users["filler"])
    clean_project(unit=OTHER_UNIT, name="别的单位的草稿")

    client.force_login(users["filler"])
    listed = client.get(reverse("projects:list"), {"status": Status.RETURNED}).content.decode()
    assert '<span class="status status-returned">已退回</span>' in listed
    assert returned.name in listed and draft.name not in listed

    todo = client.get(reverse("projects:todo")).content.decode()
    assert "我的待办" in todo
    assert todo.index(returned.name) < todo.index(draft.name)  # returned first
    assert waiting.name not in todo and "别的单位的草稿" not in todo
    assert f'href="{reverse("projects:todo")}"' in todo  # in the top bar
    # A draft can be deleted from the to-do list as from the list; a returned project cannot.
    assert f'href="{reverse("projects:delete", args=[draft.pk])}"' in todo
    assert f'href="{reverse("projects:delete", args=[returned.pk])}"' not in todo

    client.force_login(users["reviewer"])
    assert client.get(reverse("projects:todo")).status_code == 403
    assert f'href="{reverse("projects:todo")}"' not in client.get(reverse("projects:list")).content.decode()


def post_from_the_page(client, project, code, seen, **data):
    """A workflow button of a project page that showed version `seen`, followed."""
    url = reverse(f"projects:{code}", args=[project.pk])
    return client.post(url, {"version": seen, **data}, follow=True)


def test_a_stale_withdraw_goes_back_to_the_page_saying_what_happened(users, client):
    project = clean_project()
    project.submit(users["filler"])
    client.force_login(users["filler"])
    seen = project.version  # the page with 撤回, still open
    project.send_back(users["reviewer"], "请补充依据")
    before = state(project)
    response = post_from_the_page(client, project, "withdraw", seen)
    assert response.redirect_chain == [(reverse("projects:detail", args=[project.pk]), 302)]
    page = response.content.decode()
    assert "未能撤回：项目在您打开页面后已被修改：鄂州市数据局（沈和）已于" in page
    assert "退回此项目，现为“已退回”，不能再撤回。" in page
    assert state(project) == before
    # the same request without the page's version is not what a page sends: 403
    response = client.post(reverse("projects:withdraw", args=[project.pk]))
    assert response.status_code == 403 and state(project) == before


def test_a_review_step_after_the_submitter_withdrew_says_so(users, client):
    project = clean_project()
    project.submit(users["filler"])
    client.force_login(users["reviewer"])
    seen = project.version
    project.withdraw(users["filler"], "预算要调整")
    before = state(project)
    for code, comment in (("approve", ""), ("return", "请修改")):
        response = post_from_the_page(client, project, code, seen, comment=comment)
        assert response.redirect_chain == [(reverse("projects:detail", args=[project.pk]), 302)]
        page = response.content.decode()
        label = "批复" if code == "approve" else "退回"
        assert f"未能{label}：项目在您打开页面后已被修改：田宝已于" in page
        assert f"撤回此项目，现为“草稿”，不能再{label}。" in page
        assert state(project) == before


def test_a_stale_page_of_someone_without_the_role_is_still_refused_with_403(users, client):
    project = clean_project()
    project.submit(users["filler"])
    seen = project.version
    project.send_back(users["reviewer"], "请修改")
    before = state(project)
    client.force_login(users["reviewer"])  # a reviewer never had 撤回
    assert client.post(reverse("projects:withdraw", args=[project.pk]), {"version": seen}).status_code == 403
    client.force_login(users["other_filler"])  # another unit: not even visible
    assert client.post(reverse("projects:withdraw", args=[project.pk]), {"version": seen}).status_code == 404
    assert state(project) == before


def test_my_todo_offers_only_the_states_it_holds(users, client):
    import re

    client.force_login(users["filler"])
    todo = client.get(reverse("projects:todo")).content.decode()
    select = todo[todo.index('name="status"') : todo.index("</select>", todo.index('name="status"'))]
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["全部", "草稿", "已退回"]
    listed = client.get(reverse("projects:list")).content.decode()  # the list keeps every state
    select = listed[listed.index('name="status"') : listed.index("</select>", listed.index('name="status"'))]
    assert "已批复" in select and "待财政审核" in select
