"""Production posture: settings from the environment, headers, login throttling."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from .conftest import ROOT

PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "perfgoals.example.gov.cn",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.axes
def test_repeated_failed_logins_lock_the_account_for_a_while(client, django_user_model, settings):
    django_user_model.objects.create_user("clerk", password="right-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()
    # Even the right password is refused during the pause.
    response = client.post(reverse("login"), {"username": "clerk", "password": "right-pass-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.axes
def test_a_password_change_logs_out_other_sessions(client, django_user_model):
    from django.test import Client

    user = django_user_model.objects.create_user("clerk", password="right-pass-123")
    other = Client()
    assert (
        client.post(reverse("login"), {"username": "clerk", "password": "right-pass-123"}).status_code == 302
    )
    assert (
        other.post(reverse("login"), {"username": "clerk", "password": "right-pass-123"}).status_code == 302
    )
    user.set_password("a-new-pass-456")
    user.save()
    assert other.get("/").status_code == 302  # back to the login page
    assert client.get("/").status_code == 302


def test_sessions_expire(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
