"""Portable date arithmetic for SQLite and PostgreSQL.

Intervals in the rule table are whole days (or hours) that differ per row, so a deadline is
"a date column plus a number from another table". Django's duration expressions give a
timestamp on PostgreSQL and a text on SQLite; instead, dates are turned into whole day
numbers (days since 1970-01-01) and datetimes into epoch seconds, which both databases add
and compare as plain integers."""

from datetime import date, datetime, timedelta

from django.db.models import BigIntegerField, DateField, Func, IntegerField

EPOCH = date(1970, 1, 1)


class DayNumber(Func):
    """A date column as the number of days since 1970-01-01 (NULL stays NULL)."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((%(expressions)s)::date - DATE '1970-01-01')",
            **extra,
        )


class DayToDate(Func):
    """A day number (days since 1970-01-01) back to a date."""

    output_field = DateField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="date((%(expressions)s) * 86400, 'unixepoch')", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(DATE '1970-01-01' + (%(expressions)s)::integer)",
            **extra,
        )


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970-01-01 00:00 UTC."""

    output_field = BigIntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)",
            **extra,
        )


def day_number(value: date) -> int:
    return (value - EPOCH).days


def day_date(number: int) -> date:
    return EPOCH + timedelta(days=number)


def epoch_seconds(value: datetime) -> int:
    return int(value.timestamp())
