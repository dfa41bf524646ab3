"""The statistics page's self-evaluation section (grades by unit, average score) equals SQL."""

from decimal import Decimal

from django.urls import reverse

from .evaluation_helpers import approve_for_evaluation, evaluation_round, reviewed
from .test_stats import Tables, sql
from .workflow_helpers import UNIT, people


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
