import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.axes]


def test_a_user_logs_in_and_sees_the_seed_projects(page, seed, django_user_model):
    django_user_model.objects.create_superuser("boss", password="boss-pass-123")
    login(page, "boss", "boss-pass-123")
    expect(page.get_by_role("link", name="12345热线购买服务项目")).to_be_visible()
    page.get_by_role("link", name="12345热线购买服务项目").click()
    expect(page.get_by_role("heading", name="12345热线购买服务项目")).to_be_visible()


def test_a_wrong_password_is_told_in_chinese(page, db):
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill("nobody")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
