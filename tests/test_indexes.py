"""The trigram index that serves the list's search in indicator names (PostgreSQL only)."""

import pytest
from django.db import connection

from indicators.models import Indicator


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists on PostgreSQL only")
def test_the_search_in_indicator_names_can_use_the_trigram_index(db):
    query = Indicator.objects.filter(level3__icontains="能耗降低").values("goal_id").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "indicators_indicator_level3_trgm" in plan, plan
