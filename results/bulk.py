"""One UPDATE statement for many rows with different values.

Django's `bulk_update` builds a CASE WHEN per field and row, which costs about a
millisecond of Python per row: too slow for the lights of a whole round (hundreds
of thousands of rows). Here each batch is one statement joining a VALUES list:

    WITH v(id, c0, c1) AS (VALUES (%s, %s, %s), …)
    UPDATE t SET a = CAST(v.c0 AS numeric(12, 4)), … FROM v WHERE t.id = v.id

which PostgreSQL and SQLite (3.33+) both run. Values go as parameters as they are
(None, bool, int, an already quantized Decimal: both drivers adapt them) and are
cast to the column types.
"""

from django.db import connection

BATCH = 1000


def update_values(model, objs, fields, batch=BATCH):
    """Write `fields` of `objs` (saved instances of `model`) in one statement per batch.
    No signals and no history: for computed values only."""
    if not objs:
        return 0
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    table = quote(meta.db_table)
    names = ", ".join(["id", *(f"c{i}" for i in range(len(columns)))])
    assignments = ", ".join(
        f"{quote(column.column)} = CAST(v.c{i} AS {column.db_type(connection)})"
        for i, column in enumerate(columns)
    )
    placeholders = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            part = objs[start : start + batch]
            params = []
            for obj in part:
                params.append(obj.pk)
                params += [getattr(obj, column.attname) for column in columns]
            values = ", ".join([placeholders] * len(part))
            cursor.execute(
                f"WITH v({names}) AS (VALUES {values}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{quote(meta.pk.column)} = v.id",
                params,
            )
    return len(objs)
