import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from projects.documents.readers import read_projects
from projects.permissions import SYSTEM
from projects.services import import_projects

ROOT = Path(__file__).resolve().parent.parent

# Property-based tests (Hypothesis): a bounded run in `make test`, a long one in `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz). No deadline: the machine is shared, and a slow example is not a bug.
_HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile("default", max_examples=30, **_HYPOTHESIS)
hypothesis_settings.register_profile("fuzz", max_examples=3000, **_HYPOTHESIS)
hypothesis_settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "default"))
SEED_TEXT = ROOT / "fixtures" / "seed" / "2025-鄂州市数据局.txt"
SEED_JSON = ROOT / "fixtures" / "seed-2025.json"
SEED_DEPARTMENT = "鄂州市数据局"


def import_file(path, department=None):
    """Import a file through the same path as the command (as `SYSTEM`) and the upload screen."""
    path = Path(path)
    parsed = read_projects(path.name, path.read_bytes())
    return import_projects(parsed.projects, department=department, user=SYSTEM)


def export_json(**options):
    """What `export_approvals` writes (JSON), parsed."""
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("export_approvals", stdout=out, **options)
    return json.loads(out.getvalue())


def without_ids(document):
    """A perfgoals/1 document without database ids, to compare exports across databases."""
    for project in document["projects"]:
        project.pop("id")
        for approval in project.get("approvals", []):
            approval["data"].pop("id")
    return document


@pytest.fixture(autouse=True)
def _login_throttle(request, settings):
    """django-axes refuses Django's `client.login()` (it passes no request), so it is
    off except in tests marked `axes`, which log in through the real login page."""
    settings.AXES_ENABLED = request.node.get_closest_marker("axes") is not None


@pytest.fixture
def seed(db):
    """The ten 2025 sheets of 鄂州市数据局, imported from the copied text."""
    return import_file(SEED_TEXT, SEED_DEPARTMENT).projects


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by Playwright (browsers cannot be downloaded here)."""
    import os

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page (own cookies) with `page.base_url` set to the live server."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    # CI runs the SQLite and PostgreSQL passes side by side on two cores: assertions wait as
    # long as actions do (Playwright's own default for `expect` is 5 s).
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    page = context.new_page()
    page.base_url = live_server.url
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()
    # Inline scripts/styles blocked by our Content-Security-Policy, or a script
    # that throws, must fail the test that drove the page.
    problems = [text for text in console_errors if "Content Security Policy" in text or "Error" in text]
    assert not problems, f"browser console errors: {problems}"


def login(page, username, password):
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{page.base_url}/")


def upload_and_confirm(client, unit, name, data):
    """Upload a file on /import/ as a user does: see the preview, then confirm.

    Returns the last answer: the upload's own page when the file is refused at
    reading, else the page after 确认导入.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client.post(
        reverse("projects:import"), {"department": unit.pk, "file": SimpleUploadedFile(name, data)}
    )
    if response.status_code != 302:
        return response
    preview = client.get(response["Location"])
    assert preview.status_code == 200, preview.content.decode()[:500]
    return client.post(f"{response['Location']}confirm/", {"action": "confirm"})
