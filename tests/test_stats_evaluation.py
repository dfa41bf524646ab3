"""The statistics page's self-evaluation section (grades by unit, average score) equals SQL."""

import io
import json
import re
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from .evaluation_helpers import approve_for_evaluation, evaluation_round, reviewed
from .test_stats import Tables, sql
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, people


def test_the_grades_by_unit_equal_a_sql_count_and_stay_in_scope(seed, client, django_user_model):
    users = people(django_user_model)
    approve_for_evaluation(users)
    round_ = evaluation_round()
    reviewed(users)  # one form scored 73.10 (中); the others not filled yet

    client.force_login(users["reviewer"])
    html = client.get(reverse("stats:index"), {"year": 2025}).content.decode()
    table = Tables(html).tables["table-evaluation_grades"]
    forms, scored, average = sql(
        "SELECT COUNT(*), COUNT(total), AVG(total) FROM results_resultform WHERE round_id = %s", [round_.pk]
    )[0]
    assert scored == 1 and forms > 1
    assert table[0][:8] == [UNIT, str(forms), "0", "0", "1", "0", str(forms - 1), "1"]
    assert Decimal(table[0][8]) == Decimal(str(average)).quantize(Decimal("0.01")) == Decimal("73.10")

    client.force_login(users["other_reviewer"])
    html = client.get(reverse("stats:index"), {"year": 2025}).content.decode()
    assert "table-evaluation_grades" not in html  # another unit's forms are not counted


def test_a_unit_without_a_score_has_no_average(seed, client, django_user_model):
    """Not 0: “—” in the table, no point on the average line (null), an empty Excel cell."""
    users = people(django_user_model)
    approve_for_evaluation(users)
    other = clean_project(unit=OTHER_UNIT)
    other.submit(users["other_filler"])
    other.approve(users["other_reviewer"], "同意")
    evaluation_round()
    reviewed(users)  # 73.10 in the seed's unit; the other unit's form not filled yet

    client.force_login(users["superuser"])
    html = client.get(reverse("stats:index"), {"year": 2025}).content.decode()
    table = Tables(html).tables["table-evaluation_grades"]
    assert [(row[0], row[7], row[8]) for row in table] == [(UNIT, "1", "73.1"), (OTHER_UNIT, "0", "—")]
    data = re.search(r'id="chart-data-evaluation_grades" type="application/json">(.*?)</script>', html)
    line = next(series for series in json.loads(data[1])["series"] if series["name"] == "平均分")
    assert line["values"] == [73.1, None]
    response = client.get(reverse("stats:xlsx"), {"year": 2025, "chart": "evaluation_grades"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=5, values_only=True))
    assert [(row[0], row[8]) for row in rows] == [(UNIT, 73.1), (OTHER_UNIT, None)]
