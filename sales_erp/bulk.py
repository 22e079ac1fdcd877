"""Writing many rows without a model instance per row: the bill run (hundreds of thousands of bills and
lines), a bank statement's import (tens of thousands of deposits) and its automatic write-off.

Django's bulk_create and bulk_update spend most of their time preparing each field of each object
(NOTES: the SQLite floor); these write the same rows with plain INSERTs and executemany, on SQLite and
MariaDB alike. Rows are {attname: value} dicts; a field a row does not give takes its default, so a field
added to a model later needs nothing here (auto_now and auto_now_add fields have none: give them).
Callers keep the rules: these only write what they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

CHUNK = 500  # ids per IN list, rows per UPDATE … CASE
INSERT_CHUNK = 5000  # rows per executemany


def chunks(ids: Sequence[int], size: int = CHUNK) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def id_lookups(field: str, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Filters that together select exactly `ids` (sorted) on `field`: a BETWEEN for each run of 5,000
    consecutive ids (a statement's deposits are), IN lists of CHUNK otherwise (Django prepares every IN
    parameter itself, a noticeable cost for 100,000)."""
    lookups: list[dict[str, Any]] = []
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        if part[-1] - part[0] + 1 == len(part):
            lookups.append({f"{field}__gte": part[0], f"{field}__lte": part[-1]})
        else:
            lookups += [{f"{field}__in": sub} for sub in chunks(part)]
    return lookups


def value_adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """What the driver takes for this field's Python value (SQLite and MariaDB); None: the value as it is."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat()
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.DecimalField):
        return str
    return None


def rows_insert(model: type[models.Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT rows of values already in the driver's form, `columns` in order, INSERT_CHUNK per executemany."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    values = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(islice(values, INSERT_CHUNK)):
            cursor.executemany(sql, chunk)


def dicts_insert(model: type[models.Model], rows: Iterable[dict[str, Any]], *, prepared: Collection[str] = ()) -> None:
    """INSERT rows given as {attname: value}; `prepared` names fields whose values are already adapted."""
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    defaults = {f.attname: f.get_default() for f in fields}
    adapters = [None if f.attname in prepared else value_adapter(f) for f in fields]
    pairs = list(zip(fields, adapters, strict=True))
    rows_insert(
        model,
        [str(f.column) for f in fields],
        (
            tuple(
                value if adapt is None or value is None else adapt(value)
                for value, adapt in ((row.get(f.attname, defaults[f.attname]), a) for f, a in pairs)
            )
            for row in rows
        ),
    )


def rows_update(model: type[models.Model], column: str, rows: Sequence[tuple[Any, int]]) -> None:
    """One column of many rows, (value, primary key) each: an UPDATE … CASE per CHUNK rows. (executemany
    of an UPDATE is one round trip per row on MariaDB, 3 s for 19,000 rows; bulk_update builds an
    expression per value.)"""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            part = rows[start : start + CHUNK]
            cases = " ".join(["WHEN %s THEN %s"] * len(part))
            keys = ", ".join(["%s"] * len(part))
            params = [item for value, key in part for item in (key, value)]
            cursor.execute(
                f"UPDATE {table} SET {quote(column)} = CASE {pk} {cases} END WHERE {pk} IN ({keys})",
                [*params, *(key for _, key in part)],
            )


def history_copy(
    model: type[models.Model],
    when: Any,
    *,
    pks: Sequence[int] | None = None,
    where: tuple[str, Any] | None = None,
    kind: str = "+",
    user_id: int | None = None,
) -> None:
    """django-simple-history rows for rows written in bulk, copied by the database itself (INSERT … SELECT
    of the rows as they are now): its bulk_history_create builds a model instance per row. The rows are
    those with primary keys `pks`, or where `where` = (column, value)."""
    history = model.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    source = {f.column for f in model._meta.concrete_fields}
    special: dict[str, tuple[str, list[Any]]] = {
        "history_date": ("%s", [connection.ops.adapt_datetimefield_value(when)]),
        "history_change_reason": ("NULL", []),
        "history_type": ("%s", [kind]),
        "history_user_id": ("%s", [user_id]),
    }
    target: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        target.append(quote(field.column))
        if field.column in source:
            selected.append(quote(field.column))
        else:
            expression, values = special[field.column]  # a history field this code does not know: fail loudly
            selected.append(expression)
            params += values
    table = quote(model._meta.db_table)
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(target)}) SELECT {', '.join(selected)} FROM {table}"
    )
    with connection.cursor() as cursor:
        if where is not None:
            cursor.execute(f"{head} WHERE {quote(where[0])} = %s", [*params, where[1]])
        for part in chunks(sorted(pks or [])):
            pk = quote(str(model._meta.pk.column))
            cursor.execute(f"{head} WHERE {pk} IN ({', '.join(['%s'] * len(part))})", [*params, *part])
