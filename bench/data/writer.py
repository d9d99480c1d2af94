"""Fast bulk writes for the generator: ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` on SQLite.

A :class:`Table` turns keyword rows into tuples in the model's column order, filling every field the
caller leaves out with the model field's default, so fields added to a model later (with a default) need
no change here. Rows bypass ``save()``, signals and ``auto_now``: the caller passes the timestamps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.db import connection, models

NOT_PROVIDED = object()


def model(name: str) -> Any:
    """The model class called ``name`` in whichever app holds it (models move between apps)."""
    for candidate in apps.get_models(include_auto_created=True):
        if candidate.__name__ == name:
            return candidate
    raise LookupError(name)


class Table:
    """Rows for one table, collected in memory and written with :meth:`flush`."""

    def __init__(self, model_class: type[models.Model], *, with_id: bool = False) -> None:
        self.model = model_class
        self.with_id = with_id
        fields = [f for f in model_class._meta.concrete_fields if with_id or not f.primary_key]
        self.fields = fields
        self.names = [f.attname for f in fields]
        self.columns = [str(f.column) for f in fields]
        self.defaults: list[Any] = []
        for f in fields:
            if f.primary_key:
                self.defaults.append(NOT_PROVIDED)
            elif f.has_default() and not callable(f.default):
                self.defaults.append(f.get_default())
            elif f.has_default():  # callable defaults (dict, list, now): one value per row is wrong for now
                self.defaults.append(NOT_PROVIDED if f.get_internal_type() == "DateTimeField" else f.get_default())
            elif f.null:
                self.defaults.append(None)
            elif f.get_internal_type() in (
                "CharField",
                "TextField",
                "SlugField",
                "URLField",
                "EmailField",
                "FileField",
            ):
                self.defaults.append("")
            else:
                self.defaults.append(NOT_PROVIDED)
        self.json = [f.get_internal_type() == "JSONField" for f in fields]
        self.rows: list[tuple[Any, ...]] = []
        self._pairs = list(zip(self.names, self.defaults, strict=True))

    def add(self, **values: Any) -> None:
        row = []
        for name, default in self._pairs:
            value = values.get(name, default)
            if value is NOT_PROVIDED:
                raise ValueError(f"{self.model.__name__}.{name} needs a value")
            row.append(value)
        self.rows.append(tuple(row))

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> int:
        """Write the collected rows in the current transaction; returns how many."""
        count = len(self.rows)
        if count:
            write(self, self.rows)
        self.rows = []
        return count


def _json_text(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write(table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
    db_table = connection.ops.quote_name(table.model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(c)) for c in table.columns)
    json_at = [i for i, is_json in enumerate(table.json) if is_json]
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {db_table} ({columns}) FROM STDIN") as copy:
            if json_at:
                for row in rows:
                    values = list(row)
                    for i in json_at:
                        values[i] = _json_text(values[i])
                    copy.write_row(values)
            else:
                for row in rows:
                    copy.write_row(row)
        return
    # SQLite (and anything else with DB-API ``?`` placeholders): Django's storage formats.
    datetimes = [i for i, f in enumerate(table.fields) if f.get_internal_type() == "DateTimeField"]
    converted: list[Any] = []
    for row in rows:
        if datetimes or json_at:
            values = list(row)
            for i in datetimes:
                if values[i] is not None:
                    values[i] = _sqlite_datetime(values[i])
            for i in json_at:
                values[i] = _json_text(values[i])
            converted.append(values)
        else:
            converted.append(row)
    marks = ", ".join(["?"] * len(table.columns))
    raw.executemany(f"INSERT INTO {db_table} ({columns}) VALUES ({marks})", converted)


def _sqlite_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def next_ids(*model_classes: type[models.Model]) -> dict[type[models.Model], int]:
    """The first free primary key of each table (the generator is the only writer while it runs)."""
    result = {}
    with connection.cursor() as cursor:
        for m in model_classes:
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(str(m._meta.pk.column))}) FROM {m._meta.db_table}")
            result[m] = (cursor.fetchone()[0] or 0) + 1
    return result


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After rows were written with explicit ids: move each id sequence past them (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for m in model_classes:
            table, pk = m._meta.db_table, m._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({pk}) FROM {table}), 1))",
                [table, pk],
            )
