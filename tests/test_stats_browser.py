"""The statistics page in chromium: every chart is drawn by the vendored ECharts (no
console error, no CSP violation: the `page` fixture fails the test on either), and the
tables under the charts, as the browser shows them, equal counts written here in SQL."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from projects.models import Status

from .conftest import ROOT, login
from .library_support import approve_seed

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
YEAR = 2026
ECHARTS_VERSION = "6.1.0"  # static/vendor/echarts/VERSION
CHARTS = ("by_unit", "by_type", "by_status", "by_rule", "qualitative", "trend_projects", "trend_findings")


@pytest.fixture
def admin(transactional_db, django_user_model):
    approve_seed()
    call_command("generate_demo", projects=60, units=5, seed=5, year=YEAR, stdout=StringIO())
    return django_user_model.objects.create_superuser("statsadmin", "", "pw-admin-1")


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def table(page, key):
    return page.locator(f"#table-{key} tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.textContent.trim()))"
    )


def test_the_statistics_page_draws_every_chart_over_its_table(page, admin):
    login(page, "statsadmin", "pw-admin-1")
    page.get_by_role("link", name="统计分析").click()
    expect(page.get_by_role("heading", name=f"{YEAR}年度统计分析")).to_be_visible()
    for key in CHARTS:
        chart = page.locator(f"#figure-{key} .chart")
        expect(chart).to_have_attribute("data-drawn", "true")  # waits for the scripts
        canvas = chart.locator("canvas")
        expect(canvas).to_have_count(1)
        box = canvas.bounding_box()
        assert box["width"] > 300 and box["height"] > 150, key
        # the table sits under its chart
        assert page.locator(f"#table-{key}").bounding_box()["y"] > box["y"] + box["height"] - 1
    assert page.evaluate("window.echarts.version") == ECHARTS_VERSION
    # A tooltip on hover, drawn on the canvas (no HTML with inline styles under the CSP).
    first = page.locator("#figure-by_unit canvas").bounding_box()
    page.mouse.move(first["x"] + first["width"] / 2, first["y"] + 90)
    page.wait_for_timeout(200)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "statistics.png"), full_page=True)

    # The tables as the browser shows them equal SQL counts.
    by_unit = {
        name: (count, Decimal(str(budget)).quantize(Decimal("0.01")))
        for name, count, budget in sql(
            """SELECT d.name, COUNT(*), SUM(p.budget) FROM projects_project p
               JOIN projects_department d ON d.id = p.department_id WHERE p.year = %s GROUP BY d.name""",
            [YEAR],
        )
    }
    shown = {
        row[0]: (int(row[1]), Decimal(row[2].replace(",", "")).quantize(Decimal("0.01")))
        for row in table(page, "by_unit")
    }
    assert shown == by_unit
    states = dict(
        sql("SELECT status, COUNT(*) FROM projects_project WHERE year = %s GROUP BY status", [YEAR])
    )
    assert {row[0]: int(row[1]) for row in table(page, "by_status")} == {
        label: states.get(code, 0) for code, label in Status.choices
    }
    # Another year: the page is drawn again for it.
    page.get_by_label("年度").select_option("2025")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="2025年度统计分析")).to_be_visible()
    expect(page.locator("#figure-by_unit .chart")).to_have_attribute("data-drawn", "true")
    assert {row[0] for row in table(page, "by_unit")} == {
        name
        for (name,) in sql(
            """SELECT DISTINCT d.name FROM projects_project p
               JOIN projects_department d ON d.id = p.department_id WHERE p.year = 2025"""
        )
    }
