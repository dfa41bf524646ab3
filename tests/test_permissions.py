import pytest

from projects.documents.errors import ImportFormatError
from projects.models import ApprovalSnapshot, Project, Status
from tests.conftest import SEED_TEXT, import_file
from tests.workflow_helpers import OTHER_UNIT, clean_project, people, state


def test_the_list_shows_only_the_users_units(db, client, django_user_model):
    users = people(django_user_model)
    ours = clean_project()
    theirs = clean_project(unit=OTHER_UNIT, name="财政票据印制项目")
    client.force_login(users["filler"])
    page = client.get("/").content.decode()
    assert ours.name in page and theirs.name not in page
    client.force_login(users["superuser"])
    page = client.get("/").content.decode()
    assert ours.name in page and theirs.name in page


@pytest.mark.parametrize("role", ["other_filler", "other_reviewer"])
def test_another_units_project_and_its_snapshot_answer_404(db, client, django_user_model, role):
    users = people(django_user_model)
    project = clean_project()
    project.submit(users["filler"])
    project.approve(users["reviewer"])
    snapshot = ApprovalSnapshot.objects.get(project=project)
    client.force_login(users[role])
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    assert client.get(f"/projects/{project.pk}/approved/{snapshot.pk}/").status_code == 404
    client.force_login(users["reviewer"])
    assert client.get(f"/projects/{project.pk}/approved/{snapshot.pk}/").status_code == 200


def test_a_snapshot_is_only_found_under_its_own_project(db, client, django_user_model):
    users = people(django_user_model)
    approved = clean_project()
    approved.submit(users["filler"])
    approved.approve(users["reviewer"])
    other = clean_project(name="另一个项目")
    snapshot = ApprovalSnapshot.objects.get(project=approved)
    client.force_login(users["reviewer"])
    assert client.get(f"/projects/{other.pk}/approved/{snapshot.pk}/").status_code == 404


def test_the_page_offers_only_what_the_user_may_do(db, client, django_user_model):
    users = people(django_user_model)
    project = clean_project()
    client.force_login(users["filler"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'action="/projects/{project.pk}/submit/"' in page
    assert "/approve/" not in page and "/return/" not in page
    client.force_login(users["reviewer"])
    assert "/submit/" not in client.get(f"/projects/{project.pk}/").content.decode()
    project.submit(users["filler"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'action="/projects/{project.pk}/approve/"' in page
    assert f'action="/projects/{project.pk}/return/"' in page
    client.force_login(users["filler"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "<form" in page and "/submit/" not in page and "/approve/" not in page
    assert "只读" in page


def test_the_queue_lists_the_reviewers_submitted_projects_oldest_first(db, client, django_user_model):
    users = people(django_user_model)
    first = clean_project(name="先提交的项目")
    second = clean_project(name="后提交的项目")
    draft = clean_project(name="仍是草稿的项目")
    theirs = clean_project(unit=OTHER_UNIT, name="别的单位的项目")
    second.submit(users["filler"])
    first.submit(users["filler"])  # submitted later: listed after `second`
    theirs.submit(users["superuser"])

    client.force_login(users["reviewer"])
    page = client.get("/queue/").content.decode()
    assert page.index(second.name) < page.index(first.name)
    assert draft.name not in page and theirs.name not in page
    assert 'href="/queue/"' in page  # the 待审核 link for reviewers

    client.force_login(users["superuser"])
    assert theirs.name in client.get("/queue/").content.decode()

    client.force_login(users["filler"])
    assert client.get("/queue/").status_code == 403
    assert 'href="/queue/"' not in client.get("/").content.decode()


def test_the_queue_counts_the_findings(client, seed, django_user_model):
    users = people(django_user_model)
    project = Project.objects.get(name="城市数字公共基础设施专班工作经费")
    Project.objects.filter(pk=project.pk).update(status=Status.SUBMITTED)
    client.force_login(users["reviewer"])
    response = client.get("/queue/")
    row = next(r for r in response.context["rows"] if r["project"].pk == project.pk)
    assert row["errors"] >= 2  # 总成本 in 人, 社会效益 under 产出指标
    assert f'<td class="num error">{row["errors"]}</td>' in response.content.decode()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPROVED])
def test_an_import_does_not_overwrite_a_read_only_project(seed, status, tmp_path):
    project = Project.objects.get(name="一窗受理工作项目")
    Project.objects.filter(pk=project.pk).update(status=status)
    changed = tmp_path / SEED_TEXT.name
    changed.write_text(
        SEED_TEXT.read_text(encoding="utf-8").replace("≤266万元", "≤300万元"), encoding="utf-8"
    )
    before = state(project)
    with pytest.raises(ImportFormatError) as refused:
        import_file(changed, "鄂州市数据局")
    assert "一窗受理工作项目" in str(refused.value) and "导入不能覆盖" in str(refused.value)
    assert state(project) == before


def test_an_import_ignores_the_status_in_the_data(db):
    from projects.services import import_projects

    project = clean_project()
    data = {
        "year": 2025,
        "department": "鄂州市数据局",
        "name": "自称已批复的项目",
        "budget": 1,
        "project_type": "one_off",
        "funding": [],
        "rationale": "",
        "status": "approved",
        "goals": [],
    }
    created = import_projects([data]).created[0]
    assert created.status == Status.DRAFT
    assert Project.objects.get(pk=project.pk).status == Status.DRAFT
