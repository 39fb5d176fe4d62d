"""Two pieces of SQL the set-based jobs need and the ORM lacks, for SQLite and PostgreSQL.

`AddMonths(expr, n)` is development.clock.add_months done by the database (the same day n
months later, the month's last day when it has no such day), so a job can store a due date
for a million rows without loading them. `insert_select` runs INSERT … SELECT … ON CONFLICT
DO NOTHING from a queryset: one statement whatever the number of rows, and rows that a
unique constraint (or partial unique index) already holds are skipped, not duplicated, even
when two runs insert at once.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models import Func


class AddMonths(Func):
    """`expression` plus `months` (a number, or an integer expression such as a count)."""

    output_field = models.DateField()

    def __init__(self, expression, months, **extra) -> None:
        if isinstance(months, int):
            months = models.Value(months, output_field=models.IntegerField())
        super().__init__(expression, months, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        months, mparams = compiler.compile(self.source_expressions[1])
        # PostgreSQL clamps to the month's end: date '2026-08-31' + interval '6 months'.
        return f"(({sql}) + make_interval(months => ({months})::int))::date", [*params, *mparams]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        n, nparams = compiler.compile(self.source_expressions[1])
        # SQLite's '+n months' overflows (31 Aug + 6 months = 3 March): add the day of the
        # month to the first of the target month, capped at that month's last day.
        first = f"date({sql}, 'start of month', ({n}) || ' months')"
        day = f"(CAST(strftime('%%d', {sql}) AS INTEGER) - 1)"
        last = f"date({sql}, 'start of month', (({n}) + 1) || ' months', '-1 day')"
        expr = f"min(date({first}, '+' || {day} || ' days'), {last})"
        return expr, [*params, *nparams, *params, *params, *nparams]

    def as_sql(self, compiler, connection, **extra):  # pragma: no cover - other databases
        raise NotImplementedError(f"AddMonths on {connection.vendor}")


def insert_select(model: type[models.Model], columns: list[str], queryset) -> int:
    """INSERT INTO model(columns) SELECT … FROM queryset ON CONFLICT DO NOTHING.

    `queryset` must be `.values(**{alias: expression})` with one expression per column, in
    the same order (values() with keyword expressions keeps their order). Returns how many
    rows were inserted."""
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    # SQLite needs a WHERE in an INSERT … SELECT … ON CONFLICT (parsing ambiguity): every
    # caller's queryset filters, so its SQL has one.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({cols}) {sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)
