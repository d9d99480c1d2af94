"""The project list's text filter (``q=``: project name, code, customer name) on SQLite, from an FTS5 trigram
index (issue 15): ``LIKE '%…%'`` on the index reads the few matching projects instead of testing every
visible row. PostgreSQL needs none of this: trigram indexes on the columns serve the same ``LIKE``
(migration projects 0017).

The index is one text per project (``rowid`` = the project's id): name, code and customer name separated
by a control character nobody types, so a match never spans two fields. Triggers keep it current when a
project is inserted, renamed, recoded, given another customer or deleted, and when a customer is written
or renamed.

No migration creates it. SQLite rebuilds a table to alter it, and a trigger that names the table (or the
other one) would break that rebuild. So ``before_migrate`` drops the triggers when a migration of projects
or customers is about to run, and ``ensure``, after every ``migrate``, creates what is missing and refills
the index whenever a trigger was (a few seconds at 100,000 projects).

On PostgreSQL (``few_matching_ids``) a rare term is looked up first: with trigram indexes on the columns
(migration projects 0017) the planner still tested ``ILIKE`` on every visible row along the newest-first
order until a page was full, which takes the whole table when only a dozen projects match (1.2–6.6 s at
1,000,000 projects; 56–121 ms at 100,000)."""

from __future__ import annotations

from typing import Any

from django.db import connections

TABLE = "projects_project_text"
TEXT = (
    "{p}.name || char(1) || {p}.code || char(1) || "
    "COALESCE((SELECT name FROM customers_customer WHERE id = {p}.customer_id), '')"
)
TRIGGERS = {
    "projects_project_text_insert": f"""AFTER INSERT ON projects_project BEGIN
        INSERT INTO {TABLE}(rowid, text) VALUES (new.id, {TEXT.format(p="new")});
    END""",
    "projects_project_text_update": f"""AFTER UPDATE OF name, code, customer_id ON projects_project BEGIN
        UPDATE {TABLE} SET text = {TEXT.format(p="new")} WHERE rowid = new.id;
    END""",
    "projects_project_text_delete": f"""AFTER DELETE ON projects_project BEGIN
        DELETE FROM {TABLE} WHERE rowid = old.id;
    END""",
    # a customer written after its projects (``loaddata`` of a backup takes no order)
    "projects_customer_text_insert": f"""AFTER INSERT ON customers_customer BEGIN
        UPDATE {TABLE}
        SET text = (SELECT {TEXT.format(p="p")} FROM projects_project p WHERE p.id = {TABLE}.rowid)
        WHERE rowid IN (SELECT id FROM projects_project WHERE customer_id = new.id);
    END""",
    "projects_customer_text_update": f"""AFTER UPDATE OF name ON customers_customer BEGIN
        UPDATE {TABLE}
        SET text = (SELECT {TEXT.format(p="p")} FROM projects_project p WHERE p.id = {TABLE}.rowid)
        WHERE rowid IN (SELECT id FROM projects_project WHERE customer_id = new.id);
    END""",
}


def ensure(using: str = "default", **kwargs: Any) -> bool:
    """Create the index and its triggers where missing (SQLite only), filling the index afresh whenever
    anything was missing. Returns whether anything was (re)built."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if "projects_project" not in present or "customers_customer" not in present:
            return False  # migrating from nothing: the tables come later
        if TABLE in present and all(name in present for name in TRIGGERS):
            return False
        cursor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(text, tokenize='trigram')")
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE}(rowid, text) SELECT p.id, {TEXT.format(p='p')} FROM projects_project p")
    return True


def before_migrate(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """Drop the triggers (SQLite) when ``plan`` migrates projects or customers; ``ensure`` brings them back."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not any(m.app_label in ("projects", "customers") for m, _b in plan or ()):
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def matching_ids_sql(value: str) -> tuple[str, list[str]] | None:
    """``(sql, params)`` selecting the ids of projects whose name, code or customer name contains ``value``
    (case-insensitively, as ``icontains``), or None when the index cannot answer it: fewer than three
    characters (a trigram index finds nothing shorter), or a ``%``, ``_`` or backslash, which ``LIKE`` would
    read as a pattern."""
    if len(value) < 3 or any(ch in value for ch in "%_\\"):
        return None
    return f"SELECT rowid FROM {TABLE} WHERE text LIKE %s", [f"%{value}%"]


# More matches than this and the list finds a page of them faster by testing rows along its own order.
FEW = 500


def few_matching_ids(value: str, *, using: str) -> list[int] | None:
    """On PostgreSQL: the ids of the projects whose name, code or customer name contains ``value`` (as
    ``icontains``), when there are at most ``FEW`` of them; None when there are more, or when the term is too
    short for a trigram index. One statement: each of the three index look-ups stops after ``FEW + 1``."""
    from backend.customers.models import Customer
    from backend.projects.models import Project

    if len(value) < 3:
        return None
    projects = Project.objects.using(using).order_by()
    customers = Customer.objects.using(using).filter(name__icontains=value).values("pk")
    arms = [
        projects.filter(name__icontains=value),
        projects.filter(code__icontains=value),
        projects.filter(customer_id__in=customers),
    ]
    parts, params = [], []
    for arm in arms:
        sql, arm_params = arm.values("pk")[: FEW + 1].query.sql_with_params()
        parts.append(f"ARRAY({sql})")
        params.extend(arm_params)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        found = cursor.fetchone()
    if any(len(ids) > FEW for ids in found):
        return None
    ids = sorted(set().union(*found))
    return ids if len(ids) <= FEW else None
