"""The statistics page (统计分析): every chart's table equals a count written here in SQL
(or, for the review findings, the checks run here), its Excel equals the table, and
the page counts only what the user may view."""

import io
import re
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from indicators.checks import RULES, check_projects
from indicators.models import Indicator
from projects.models import Project, ProjectType, Status
from stats import sections
from stats.models import ProjectTally

from .conftest import SEED_DEPARTMENT
from .editor_support import make_user, unit
from .library_support import approve_seed

YEAR = 2026


@pytest.fixture
def world(db, django_user_model):
    filler, reviewer = approve_seed()
    call_command("generate_demo", projects=40, units=4, seed=5, year=YEAR, stdout=StringIO())
    call_command("generate_demo", projects=20, units=3, seed=6, year=2024, stdout=StringIO())
    admin = django_user_model.objects.create_superuser("statsadmin", "", "pw-admin-1")
    return {"admin": admin, "filler": filler, "reviewer": reviewer}


class Tables(HTMLParser):
    """{table id: [[cell text, ...], ...]} of the body rows of every table."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.table, self.row, self.cell, self.in_body = {}, None, None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.table.append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def number(text):
    return Decimal(text.replace(",", ""))


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def money(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


def page_tables(client, user, year=YEAR):
    client.force_login(user)
    response = client.get(reverse("stats:index"), {"year": year})
    assert response.status_code == 200
    return Tables(response.content.decode()).tables


STATUS_COLUMNS = ", ".join(
    f"SUM(CASE WHEN p.status = '{status}' THEN 1 ELSE 0 END)" for status in Status.values
)


def test_the_project_tables_equal_sql_counts(world, client):
    tables = page_tables(client, world["admin"])
    expected = {
        name: (count, money(budget), *states)
        for name, count, budget, *states in sql(
            f"""SELECT d.name, COUNT(*), SUM(p.budget), {STATUS_COLUMNS}
                FROM projects_project p JOIN projects_department d ON d.id = p.department_id
                WHERE p.year = %s GROUP BY d.name""",
            [YEAR],
        )
    }
    shown = {
        row[0]: (int(row[1]), money(number(row[2])), *map(int, row[3:])) for row in tables["table-by_unit"]
    }
    assert shown == expected and len(shown) == 4
    for key, column, choices in (("by_type", "project_type", ProjectType), ("by_status", "status", Status)):
        counted = {
            code: (count, money(budget))
            for code, count, budget in sql(
                f"SELECT {column}, COUNT(*), SUM(budget) FROM projects_project "
                f"WHERE year = %s GROUP BY {column}",
                [YEAR],
            )
        }
        expected = {choices(code).label: counted.get(code, (0, money(0))) for code in choices.values}
        shown = {row[0]: (int(row[1]), money(number(row[2]))) for row in tables[f"table-{key}"]}
        assert shown == expected


DIGIT = "[0-9０-９]"
COUNT_WORD = "[一二两三四五六七八九十百千]+[个项次人天日月年周季件台套批条家所名期场]"


def qualitative_sql(group, where="", params=()):
    """Rows with a value, and qualitative ones (no number, no digit, no count in words):
    the definition of review rule QUALITATIVE_SHARE."""
    match = "~" if connection.vendor == "postgresql" else "REGEXP"
    return sql(
        f"""SELECT {group}, COUNT(*),
                   SUM(CASE WHEN i.number IS NULL AND NOT (i.value {match} %s)
                            AND NOT (i.value {match} %s) THEN 1 ELSE 0 END)
            FROM indicators_indicator i
            JOIN projects_goal g ON g.id = i.goal_id
            JOIN projects_project p ON p.id = g.project_id
            JOIN projects_department d ON d.id = p.department_id
            WHERE TRIM(i.value) <> '' {where}
            GROUP BY {group}""",
        [DIGIT, COUNT_WORD, *params],
    )


def test_the_qualitative_share_equals_a_sql_count(world, client):
    tables = page_tables(client, world["admin"])
    expected = {
        name: (rows, qualitative, (Decimal(qualitative) * 100 / rows).quantize(Decimal("0.1")))
        for name, rows, qualitative in qualitative_sql("d.name", "AND p.year = %s", [YEAR])
    }
    shown = {row[0]: (number(row[1]), number(row[2]), number(row[3])) for row in tables["table-qualitative"]}
    assert shown == expected
    assert any(qualitative for _, qualitative, _ in expected.values())


def findings_by_year():
    """{year: Counter(rule -> findings), …} and project counts, by running the checks here."""
    findings, projects = {}, {}
    for project, found in check_projects(Project.objects.all()):
        counts = findings.setdefault(project.year, Counter())
        counts.update(finding.rule for finding in found)
        touched = projects.setdefault(project.year, Counter())
        touched.update({finding.rule for finding in found})
    return findings, projects


def test_the_findings_by_rule_equal_the_checks(world, client):
    tables = page_tables(client, world["admin"])
    findings, projects = findings_by_year()
    shown = {row[0]: (int(row[3]), int(row[4])) for row in tables["table-by_rule"]}
    assert shown == {rule.code: (findings[YEAR][rule.code], projects[YEAR][rule.code]) for rule in RULES}
    assert sum(findings[YEAR].values()) > 0


def test_the_year_over_year_tables_equal_sql_counts_and_the_checks(world, client):
    tables = page_tables(client, world["admin"])
    counted = {
        str(year): (count, approved, money(budget))
        for year, count, approved, budget in sql(
            """SELECT year, COUNT(*), SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END), SUM(budget)
               FROM projects_project GROUP BY year"""
        )
    }
    shown = {
        row[0]: (int(row[1]), int(row[2]), money(number(row[3]))) for row in tables["table-trend_projects"]
    }
    assert shown == counted and set(shown) == {"2024", "2025", "2026"}
    findings, _ = findings_by_year()
    errors = {rule.code for rule in RULES if rule.severity == "error"}
    quality = {str(year): (rows, qualitative) for year, rows, qualitative in qualitative_sql("p.year")}
    for row in tables["table-trend_findings"]:
        year = int(row[0])
        assert int(row[1]) == sum(n for rule, n in findings[year].items() if rule in errors)
        assert int(row[2]) == sum(n for rule, n in findings[year].items() if rule not in errors)
        assert (number(row[3]), number(row[4])) == quality[row[0]]


def test_a_unit_sees_its_own_figures_only(world, client):
    filler = world["filler"]  # 鄂州市数据局
    tables = page_tables(client, filler, year=2025)
    assert [row[0] for row in tables["table-by_unit"]] == [SEED_DEPARTMENT]
    (count,) = sql(
        """SELECT COUNT(*) FROM projects_project p JOIN projects_department d ON d.id = p.department_id
           WHERE d.name = %s AND p.year = 2025""",
        [SEED_DEPARTMENT],
    )[0]
    assert int(tables["table-by_unit"][0][1]) == count
    years = [row[0] for row in page_tables(client, filler)["table-trend_projects"]]
    own_years = sql(
        """SELECT DISTINCT p.year FROM projects_project p JOIN projects_department d ON d.id = p.department_id
           WHERE d.name = %s""",
        [SEED_DEPARTMENT],
    )
    assert sorted(years) == sorted(str(year) for (year,) in own_years)
    # Someone without a unit sees no figures at all.
    nobody = make_user("nobody")
    client.force_login(nobody)
    response = client.get(reverse("stats:index"))
    assert "没有可统计的项目" in response.content.decode()
    assert client.get(reverse("stats:xlsx")).status_code == 200


def test_each_charts_excel_holds_its_table(world, client):
    tables = page_tables(client, world["admin"])
    for key in ("by_unit", "by_status", "by_rule", "qualitative", "trend_findings"):
        response = client.get(reverse("stats:xlsx"), {"year": YEAR, "chart": key})
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 1
        rows = list(book.active.iter_rows(min_row=5, values_only=True))
        written = [[("" if value is None else value) for value in row] for row in rows]
        shown = tables[f"table-{key}"]
        assert len(written) == len(shown)
        for excel_row, page_row in zip(written, shown, strict=True):
            for value, text in zip(excel_row, page_row, strict=True):
                if isinstance(value, (int, float)):
                    assert Decimal(str(value)) == number(text)
                else:
                    assert str(value) == text
    everything = load_workbook(io.BytesIO(client.get(reverse("stats:xlsx"), {"year": YEAR}).content))
    assert len(everything.sheetnames) == sum(1 for key in tables if key.startswith("table-"))
    assert client.get(reverse("stats:xlsx"), {"chart": "nothing"}).status_code == 404


def test_the_tallies_follow_the_projects_versions(world, client):
    tables = page_tables(client, world["admin"])
    before = {row[0]: int(row[3]) for row in tables["table-by_rule"]}
    assert ProjectTally.objects.count() == Project.objects.count()
    # A draft gets a satisfaction row in 人: one more SATISFACTION_PERCENT finding.
    project = Project.objects.filter(year=YEAR, status=Status.DRAFT).order_by("pk").first()
    goal = project.goals.get(term="annual")
    Indicator.objects.create(
        goal=goal,
        position=99,
        level1="满意度指标",
        level2="服务对象满意度指标",
        level3="窗口满意度",
        value="等于3人",
        basis="计划标准",
    )
    Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    tables = page_tables(client, world["admin"])
    after = {row[0]: int(row[3]) for row in tables["table-by_rule"]}
    assert after["SATISFACTION_PERCENT"] == before["SATISFACTION_PERCENT"] + 1
    assert ProjectTally.objects.get(project=project).version == project.version + 1


def test_a_later_stage_adds_its_section(world, client):
    def lights(scope):
        chart = sections.Chart(
            "lights",
            "各单位监控红绿灯",
            "bar",
            ["甲"],
            [sections.Series("红灯", [1])],
            sections.Table(["预算单位", "红灯"], [["甲", 1]]),
        )
        return sections.Section("lights", "运行监控", [chart])

    sections.register(lights, after="findings")
    try:
        keys = [provider.__name__ for provider in sections.SECTIONS]
        assert keys.index("lights") == keys.index("findings_section") + 1
        client.force_login(world["admin"])
        html = client.get(reverse("stats:index")).content.decode()
        assert re.search(r'id="section-findings".*id="section-lights".*id="section-quality"', html, re.S)
        assert Tables(html).tables["table-lights"] == [["甲", "1"]]
    finally:
        sections.SECTIONS.remove(lights)


def test_the_statistics_need_a_login(client):
    assert client.get(reverse("stats:index")).status_code == 302
    assert client.get(reverse("stats:xlsx")).status_code == 302


def test_the_seed_unit_of_approved_projects(world):
    """The fixture is what the tests above count: the seed approved, generated data in two years."""
    assert (
        Project.objects.filter(department=unit(SEED_DEPARTMENT), year=2025, status=Status.APPROVED).count()
        == 10
    )
