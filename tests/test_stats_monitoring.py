"""The statistics page's monitoring section (运行监控 lights by unit) equals SQL counts."""

from decimal import Decimal

from django.urls import reverse

from results.models import Light

from .results_helpers import approve_seed, fill, form_of, monitoring_round
from .test_stats import Tables, sql
from .workflow_helpers import OTHER_UNIT, UNIT, clean_project, people


def test_the_lights_by_unit_equal_a_sql_count_and_stay_in_scope(seed, client, django_user_model):
    users = people(django_user_model)
    approve_seed(users)
    round_ = monitoring_round()
    fill(form_of(round_=round_))  # one red form; the others not filled yet (未评)
    other = clean_project(unit=OTHER_UNIT, name="别的单位的项目")  # a draft: no form

    client.force_login(users["reviewer"])
    html = client.get(reverse("stats:index"), {"year": 2025}).content.decode()
    table = Tables(html).tables["table-monitoring_lights"]

    counts = dict(
        sql(
            "SELECT light, COUNT(*) FROM results_resultform WHERE round_id = %s GROUP BY light",
            [round_.pk],
        )
    )
    total, budget, executed = sql(
        "SELECT COUNT(*), SUM(budget_full), SUM(executed) FROM results_resultform WHERE round_id = %s",
        [round_.pk],
    )[0]
    assert counts[Light.RED] == 1 and total > 1
    expected = [
        UNIT,
        str(total),
        *(str(counts.get(light, 0)) for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.NONE)),
    ]
    assert table[0][: len(expected)] == expected
    assert Decimal(table[0][-1]) == (Decimal(executed) * 100 / Decimal(budget)).quantize(Decimal("0.1"))
    assert other.status == "draft"

    client.force_login(users["other_reviewer"])
    html = client.get(reverse("stats:index"), {"year": 2025}).content.decode()
    assert "table-monitoring_lights" not in html  # another unit's forms are not counted
