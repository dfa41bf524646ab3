from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from indicators.models import Indicator
from projects.models import Project


def test_setup_demo_loads_the_seed_once_and_prints_the_account(db, client):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert "新建10个项目" in out.getvalue()
    assert "用户名 demo，密码 perfgoals-demo" in out.getvalue()
    call_command("setup_demo", stdout=StringIO())
    assert Project.objects.count() == 10
    assert Indicator.objects.count() == 110
    assert get_user_model().objects.filter(username="demo").count() == 1

    assert client.login(username="demo", password="perfgoals-demo")
    page = client.get("/").content.decode()
    for project in Project.objects.all():
        assert project.name in page


def test_pages_require_login(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_admin_edits_projects_with_goals_inline(db, admin_client, seed):
    project = Project.objects.get(name="一窗受理工作项目")
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert "长期绩效目标1" in page and "资金性质" in page
    goal = project.goals.first()
    page = admin_client.get(f"/admin/projects/goal/{goal.pk}/change/").content.decode()
    assert "≤266万元" in page and "指标值确定依据" in page


def test_users_see_only_their_units_projects(db, client, seed, django_user_model):
    from projects.models import Department, Membership, Role

    other = Department.objects.create(name="别的单位")
    user = django_user_model.objects.create_user("filler", password="x-pass-123")
    Membership.objects.create(user=user, department=other, role=Role.FILLER)
    client.force_login(user)
    assert "一窗受理工作项目" not in client.get("/").content.decode()
    project = Project.objects.get(name="一窗受理工作项目")
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    Membership.objects.create(user=user, department=project.department, role=Role.FILLER)
    assert Project.objects.restrict(user, "view").count() == 10
    assert client.get(f"/projects/{project.pk}/").status_code == 200


def test_the_admin_cannot_change_a_projects_state_around_the_workflow(db, admin_client, seed):
    project = Project.objects.get(name="一窗受理工作项目")
    page = admin_client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()
    assert 'name="status"' not in page
