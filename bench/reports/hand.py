"""The hand-written SQL of ``sicrm bench reports``: one function per report computing the same figures the
report does, straight from the tables, each returning the report's key figure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from reports.base import add_months, quarter_start, sql_time
from reports.registry import REPORTS

P, W, E, PC = "projects_project", "bids_winlossrecord", "projects_projectevent", "projects_projectcompetitor"
AMT = "COALESCE(p.contract_amount, p.estimated_amount)"
OPEN = "('tender','initiation_review','pursuit','bidding','negotiation','contract_review')"
STATUS_KINDS = "('created','transition','decision')"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _local(column: str) -> str:
    """``column`` (a timestamp) in the local time zone, as text the database can format."""
    if _pg():
        return f"({column} AT TIME ZONE '{settings.TIME_ZONE}')"
    offset = timezone.localtime().utcoffset() or timedelta()
    return f"datetime({column}, '{int(offset.total_seconds() // 3600):+d} hours')"


def _quarter(column: str) -> str:
    if _pg():
        return f"to_char({_local(column)}, 'YYYY-\"Q\"Q')"
    local = _local(column)
    return f"(strftime('%Y', {local}) || '-Q' || ((CAST(strftime('%m', {local}) AS INTEGER) + 2) / 3))"


def _month(column: str, *, timestamp: bool = True) -> str:
    if _pg():
        return f"to_char({_local(column) if timestamp else column}, 'YYYY-MM')"
    return f"strftime('%Y-%m', {_local(column) if timestamp else column})"


def _days(end: str, start: str) -> str:
    if _pg():
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
    return f"(julianday({end}) - julianday({start}))"


def _median_p80(value: str, source: str, group: str = "") -> str:
    """Median and 80th percentile (nearest rank) of ``value`` over ``source``, per ``group``."""
    if _pg():
        select = (
            f"{group + ', ' if group else ''}percentile_disc(0.5) WITHIN GROUP (ORDER BY {value}), "
            f"percentile_disc(0.8) WITHIN GROUP (ORDER BY {value}), COUNT(*)"
        )
        return f"SELECT {select} FROM {source} x {'GROUP BY ' + group if group else ''}"
    part = f"PARTITION BY {group}" if group else ""
    return (
        f"SELECT {group + ', ' if group else ''}MIN(CASE WHEN rn >= 0.5 * n THEN v END), "
        f"MIN(CASE WHEN rn >= 0.8 * n THEN v END), MAX(n) FROM (SELECT {group + ', ' if group else ''}{value} AS v, "
        f"ROW_NUMBER() OVER ({part} ORDER BY {value}) AS rn, COUNT(*) OVER ({part}) AS n FROM {source} x) r "
        f"{'GROUP BY ' + group if group else ''}"
    )


def _bands() -> str:
    bounds = list(settings.REPORT_SIZE_BANDS)
    whens = [f"WHEN {AMT} < {bounds[0]} THEN '1'"]
    whens += [f"WHEN {AMT} < {high} THEN '{i + 2}'" for i, high in enumerate(bounds[1:])]
    return f"CASE {' '.join(whens)} ELSE '{len(bounds) + 1}' END"


class Hand:
    """Runs hand-written statements and keeps the key figure to compare with the report's."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def all(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql, list(params))
        return self.cursor.fetchall()


def _period(name: str) -> tuple[datetime, datetime, date, date]:
    first, last = REPORTS[name].default_period(timezone.localdate())
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    return sql_time(start), sql_time(end), first, last


# --- hand-written SQL, one function per report; each returns its key figure --------------------------------


def hand_win_loss(h: Hand) -> Any:
    start, end, _f, _l = _period("win-loss")
    closed = f"FROM {P} p WHERE p.closed_at >= %s AND p.closed_at < %s AND p.outcome <> ''"
    measures = (
        "COUNT(*), SUM(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END), SUM(CASE WHEN outcome = 'lost' THEN 1 ELSE 0 "
        "END), SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END), SUM(amt), SUM(CASE WHEN outcome = 'won' "
        "THEN amt ELSE 0 END)"
    )
    base = (
        f"SELECT p.id, p.industry, p.region, p.source, p.owner_id, p.department_id, {AMT} AS amt, p.outcome, "
        f"{_bands()} AS band, {_quarter('p.closed_at')} AS q {closed}"
    )
    dims = " UNION ALL ".join(
        f"SELECT '{dim}', CAST({dim} AS TEXT), {measures} FROM c GROUP BY {dim}"
        for dim in ("industry", "region", "source", "owner_id", "department_id", "band", "q")
    )
    rows = h.all(
        f"WITH c AS ({base}) {dims} UNION ALL SELECT 'competitor', CAST(pc.competitor_id AS TEXT), {measures} "
        f"FROM c JOIN {PC} pc ON pc.project_id = c.id GROUP BY pc.competitor_id",
        [start, end],
    )
    h.all("SELECT id, first_name, last_name FROM accounts_user")
    h.all("SELECT id, name FROM accounts_department")
    h.all("SELECT id, name FROM projects_competitor")
    h.all(
        f"SELECT r.name, COUNT(*), SUM({AMT}) FROM {P} p JOIN {W} w ON w.project_id = p.id JOIN bids_winlossreason r "
        f"ON r.id = w.primary_reason_id WHERE p.closed_at >= %s AND p.closed_at < %s AND p.outcome IN "
        f"('lost','abandoned') GROUP BY r.name",
        [start, end],
    )
    h.all(
        f"SELECT s.winlossreason_id, COUNT(*) FROM bids_winlossrecord_secondary_reasons s JOIN {W} w "
        f"ON w.id = s.winlossrecord_id JOIN {P} p ON p.id = w.project_id WHERE p.closed_at >= %s AND p.closed_at < %s "
        f"AND p.outcome IN ('lost','abandoned') GROUP BY s.winlossreason_id",
        [start, end],
    )
    h.all(
        f"SELECT p.closed_from, COUNT(*) FROM {P} p WHERE p.closed_at >= %s AND p.closed_at < %s "
        f"AND p.outcome IN ('lost','abandoned') AND p.closed_from <> '' GROUP BY p.closed_from",
        [start, end],
    )
    cycle_source = (
        f"(SELECT CASE WHEN p.outcome = 'won' THEN 'won' ELSE 'not_won' END AS grp, "
        f"{_days('p.closed_at', 'p.created_at')} AS days {closed})"
    )
    h.all(_median_p80("days", cycle_source, "grp"), [start, end])
    h.all(_median_p80("days", cycle_source), [start, end])
    h.all(
        f"SELECT p.id, p.code, p.name, w.lessons {closed.replace('WHERE', f'JOIN {W} w ON w.project_id = p.id WHERE')} "
        "AND w.lessons <> '' ORDER BY p.closed_at DESC, p.id DESC "
        "LIMIT 20",
        [start, end],
    )
    return sum(row[2] for row in rows if row[0] == "industry")


def hand_competitors(h: Hand) -> Any:
    start, end, _f, _l = _period("competitors")
    closed = f"FROM {P} p JOIN {W} w ON w.project_id = p.id WHERE p.closed_at >= %s AND p.closed_at < %s"
    rows = h.all(
        f"SELECT pc.competitor_id, COUNT(*), SUM(CASE WHEN p.outcome = 'won' THEN 1 ELSE 0 END), "
        f"SUM({AMT}) {closed.replace('WHERE', f'JOIN {PC} pc ON pc.project_id = p.id WHERE')} "
        f"GROUP BY pc.competitor_id",
        [start, end],
    )
    h.all(
        f"SELECT w.winning_competitor_id, COUNT(*) {closed} AND p.outcome IN ('lost','abandoned') "
        "AND w.winning_competitor_id IS NOT NULL GROUP BY w.winning_competitor_id",
        [start, end],
    )
    h.all(
        f"SELECT pc.competitor_id, COUNT(*) FROM {PC} pc JOIN {P} p ON p.id = pc.project_id "
        f"WHERE p.status IN {OPEN} GROUP BY pc.competitor_id"
    )
    h.all(
        f"SELECT {_quarter('p.closed_at')}, pc.competitor_id, COUNT(*), SUM(CASE WHEN p.outcome = 'won' THEN 1 "
        f"ELSE 0 END) {closed.replace('WHERE', f'JOIN {PC} pc ON pc.project_id = p.id WHERE')} "
        f"GROUP BY 1, pc.competitor_id",
        [start, end],
    )
    gaps = (
        f"(SELECT b.project_id, them.competitor_id, (us.price - them.price) * 100.0 / them.price AS gap "
        f"FROM bids_bidopeningentry them JOIN bids_bid b ON b.id = them.bid_id "
        f"JOIN bids_bidopeningentry us ON us.bid_id = them.bid_id AND us.is_us "
        f"JOIN {P} p ON p.id = b.project_id JOIN {W} w ON w.project_id = p.id "
        f"WHERE NOT them.is_us AND them.price > 0 AND p.closed_at >= %s AND p.closed_at < %s)"
    )
    h.all(_median_p80("gap", gaps, "competitor_id"), [start, end])
    h.all(
        f"SELECT competitor_id, SUM(CASE WHEN gap < -20 THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= -20 AND gap < -10 "
        f"THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= -10 AND gap < -5 THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= -5 AND "
        f"gap < 0 THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= 0 AND gap < 5 THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= 5 "
        f"AND gap < 10 THEN 1 ELSE 0 END), SUM(CASE WHEN gap >= 10 AND gap < 20 THEN 1 ELSE 0 END), SUM(CASE WHEN "
        f"gap >= 20 THEN 1 ELSE 0 END) FROM {gaps} g GROUP BY competitor_id",
        [start, end],
    )
    beaten = " UNION ALL ".join(
        f"SELECT '{dim}', w.winning_competitor_id, CAST({expr} AS TEXT), COUNT(*), SUM({AMT}) {closed} "
        f"AND p.outcome IN ('lost','abandoned') AND w.winning_competitor_id IS NOT NULL GROUP BY 2, 3"
        for dim, expr in (("industry", "p.industry"), ("region", "p.region"), ("band", _bands()))
    )
    h.all(beaten, [start, end] * 3)
    return sum(row[1] for row in rows)


def hand_funnel(h: Hand) -> Any:
    start, end, _f, _l = _period("funnel")
    rows = h.all(f"SELECT status, COUNT(*), SUM({AMT}) FROM {P} p GROUP BY status")
    stages = ["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review", "won"]
    nxt = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in zip(stages, stages[1:], strict=False))
    change = f"e.kind IN {STATUS_KINDS} AND e.source <> e.target"
    later = (
        f"SELECT 1 FROM {E} n WHERE n.project_id = ent.project_id AND n.kind IN {STATUS_KINDS} "
        "AND n.source <> n.target AND n.created_at >= ent.entered"
    )
    h.all(
        f"SELECT ent.stage, COUNT(*), SUM(CASE WHEN EXISTS ({later} AND n.target = CASE ent.stage {nxt} END) "
        f"THEN 1 ELSE 0 END), SUM(CASE WHEN EXISTS ({later} AND n.target = 'won') THEN 1 ELSE 0 END) "
        f"FROM (SELECT e.project_id, e.target AS stage, MIN(e.created_at) AS entered FROM {E} e WHERE {change} "
        f"AND e.created_at >= %s AND e.created_at < %s AND e.target IN ({', '.join(repr(s) for s in stages[:-1])}) "
        f"GROUP BY e.project_id, e.target) ent GROUP BY ent.stage",
        [start, end],
    )
    stays = (
        f"(SELECT s.stage, {_days('s.left_at', 's.entered')} AS days, st.standard_days AS standard FROM "
        f"(SELECT e.project_id, e.target AS stage, e.created_at AS entered, LEAD(e.created_at) OVER (PARTITION BY "
        f"e.project_id ORDER BY e.created_at, e.id) AS left_at FROM {E} e WHERE {change} AND e.created_at >= %s) s "
        f"JOIN {P} p ON p.id = s.project_id LEFT JOIN workflows_stagetemplate st ON st.template_id = "
        f"p.process_template_id AND st.stage = s.stage WHERE s.left_at IS NOT NULL AND s.entered >= %s "
        f"AND s.entered < %s AND s.stage IN ({', '.join(repr(s) for s in stages[:-1])}))"
    )
    h.all(_median_p80("days", stays, "stage"), [start, start, end])
    h.all(
        f"SELECT stage, SUM(CASE WHEN standard > 0 AND days > standard THEN 1 ELSE 0 END) FROM {stays} s "
        "GROUP BY stage",
        [start, start, end],
    )
    return sum(row[1] for row in rows)


def hand_forecast(h: Hand) -> Any:
    _s, _e, first, last = _period("forecast")
    cat = (
        "CASE WHEN p.forecast_category <> '' THEN p.forecast_category WHEN p.status = 'contract_review' THEN "
        "'commit' WHEN p.status IN ('bidding','negotiation') THEN 'best_case' ELSE 'pipeline' END"
    )
    rows = h.all(
        f"SELECT {_month('p.expected_close_date', timestamp=False)}, COUNT(*), SUM(CASE WHEN c = 'commit' THEN a "
        f"ELSE 0 END), SUM(CASE WHEN c = 'best_case' THEN a ELSE 0 END), SUM(a), SUM(a * prob * 0.01) FROM "
        f"(SELECT p.expected_close_date, p.estimated_amount AS a, p.probability AS prob, {cat} AS c FROM {P} p "
        f"WHERE p.status IN {OPEN} AND p.expected_close_date >= %s AND p.expected_close_date <= %s) p "
        f"WHERE c <> 'omitted' GROUP BY 1",
        [first, last],
    )
    month_start, month_end = sql_time(_aware(first)), sql_time(_aware(add_months(last, 1)))
    h.all(
        f"SELECT {_month('p.closed_at')}, SUM({AMT}) FROM {P} p "
        f"WHERE p.outcome = 'won' AND p.closed_at >= %s AND p.closed_at < %s GROUP BY 1",
        [month_start, month_end],
    )
    h.all(
        "SELECT user_id, department_id, period, period_start, amount FROM reports_salestarget "
        "WHERE period_start >= %s AND period_start <= %s",
        [quarter_start(first), last],
    )
    h.all("SELECT id, parent_id FROM accounts_department")
    current = quarter_start(timezone.localdate())
    quarters = [add_months(current, -3 * i) for i in reversed(range(4))]
    for q in quarters:
        found = h.all(
            "SELECT MIN(taken_on) FROM reports_forecastsnapshot WHERE taken_on >= %s AND taken_on < %s",
            [q, q + timedelta(days=14)],
        )
        day = found[0][0]
        if day is not None:
            h.all(
                "SELECT SUM(CASE WHEN category = 'commit' THEN amount ELSE 0 END), SUM(CASE WHEN category = 'commit' "
                "THEN 1 ELSE 0 END), SUM(CASE WHEN category IN ('commit','best_case') THEN amount ELSE 0 END), "
                "SUM(amount * probability * 0.01) FROM reports_forecastsnapshot WHERE taken_on = %s AND "
                "expected_close_date >= %s AND expected_close_date < %s",
                [day, q, add_months(q, 3)],
            )
        h.all(
            f"SELECT SUM({AMT}), COUNT(*) FROM {P} p WHERE p.outcome = 'won' "
            f"AND p.closed_at >= %s AND p.closed_at < %s",
            [sql_time(_aware(q)), sql_time(_aware(add_months(q, 3)))],
        )
    h.all(
        f"SELECT e.project_id, e.actor_id, e.created_at, e.old_value, e.new_value FROM {E} e JOIN {P} p "
        f"ON p.id = e.project_id WHERE e.kind = 'change' AND e.field = 'forecast_category' AND e.actor_id <> "
        f"p.owner_id AND e.created_at >= %s AND e.created_at < %s ORDER BY e.created_at DESC LIMIT 100",
        [sql_time(_aware(first)), sql_time(_aware(last + timedelta(days=1)))],
    )
    return sum(row[1] for row in rows)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def hand_pipeline_changes(h: Hand) -> Any:
    """Each kind of change: its deals (the latest 200 listed, with old and new values) and their count."""
    start, end, _f, _l = _period("pipeline-changes")
    status_at = (
        f"(SELECT e.target FROM {E} e WHERE e.project_id = p.id AND e.kind IN {STATUS_KINDS} AND e.source <> "
        "e.target AND e.created_at < %s ORDER BY e.created_at DESC, e.id DESC LIMIT 1)"
    )
    listed = f"COUNT(*) OVER (), SUM({AMT}) OVER ()"
    added = h.all(
        f"SELECT p.id, p.code, p.name, p.status, {listed} FROM {P} p WHERE p.created_at >= %s AND p.created_at < %s "
        "ORDER BY p.id DESC LIMIT 200",
        [start, end],
    )
    for outcome in ("p.outcome = 'won'", "p.status IN ('lost','abandoned','rejected')"):
        h.all(
            f"SELECT p.id, p.code, p.name, {status_at}, {listed} FROM {P} p WHERE {outcome} AND p.closed_at >= %s "
            "AND p.closed_at < %s ORDER BY p.id DESC LIMIT 200",
            [start, start, end],
        )
    order = " ".join(
        f"WHEN '{s}' THEN {i}"
        for i, s in enumerate(["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review"])
    )
    for compare in (">", "<"):
        h.all(
            f"WITH m AS MATERIALIZED (SELECT p.id, p.code, p.name, {AMT} AS amt, {status_at} AS a, {status_at} AS b "
            f"FROM {P} p WHERE p.created_at < %s AND NOT (p.closed_at >= %s AND p.closed_at < %s) AND p.id IN "
            f"(SELECT project_id FROM {E} WHERE kind IN {STATUS_KINDS} AND source <> target AND created_at >= %s AND "
            f"created_at < %s)) SELECT id, code, name, a, b, COUNT(*) OVER (), SUM(amt) OVER () FROM m WHERE a IN "
            f"{OPEN} AND b IN {OPEN} AND (CASE b {order} END) {compare} (CASE a {order} END) ORDER BY id DESC "
            "LIMIT 200",
            [start, end, start, start, end, start, end],
        )
    changes = (
        f"(SELECT project_id, field, FIRST_VALUE(old_value) OVER w AS o, LAST_VALUE(new_value) OVER w AS n, "
        f"ROW_NUMBER() OVER (PARTITION BY project_id, field ORDER BY created_at) AS rn FROM {E} WHERE kind = 'change' "
        f"AND created_at >= %s AND created_at < %s WINDOW w AS (PARTITION BY project_id, field ORDER BY created_at, "
        "id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
    )
    for field, condition in (
        ("estimated_amount", "c.o <> c.n"),
        ("expected_close_date", "c.o <> '' AND c.n <> '' AND c.n > c.o"),
        ("expected_close_date", "c.o <> '' AND c.n <> '' AND c.n < c.o"),
        ("probability", "c.o <> c.n"),
        ("forecast_category", "c.o <> c.n"),
    ):
        h.all(
            f"SELECT p.id, p.code, p.name, c.o, c.n, {listed} FROM {changes} c JOIN {P} p ON p.id = c.project_id "
            f"WHERE c.rn = 1 AND c.field = %s AND {condition} ORDER BY p.id DESC LIMIT 200",
            [start, end, field],
        )
    return added[0][4] if added else 0


def hand_delivery(h: Hand) -> Any:
    _s, _e, first, last = _period("delivery-health")
    today = timezone.localdate()
    classes = (
        "COUNT(*), COUNT(DISTINCT m.project_id), SUM(CASE WHEN m.status = 'accepted' AND m.actual_end <= "
        "m.planned_end THEN 1 ELSE 0 END), SUM(CASE WHEN m.status = 'accepted' AND m.actual_end > m.planned_end "
        "THEN 1 ELSE 0 END), SUM(CASE WHEN m.status NOT IN ('accepted','cancelled') AND m.planned_end < %s THEN 1 "
        "ELSE 0 END), SUM(CASE WHEN m.status NOT IN ('accepted','cancelled') AND m.planned_end >= %s THEN 1 ELSE 0 "
        "END)"
    )
    scope = (
        "FROM milestones_milestone m JOIN projects_project p ON p.id = m.project_id WHERE m.status <> "
        "'cancelled' AND m.planned_end >= %s AND m.planned_end <= %s"
    )
    rows = h.all(f"SELECT p.department_id, {classes} {scope} GROUP BY p.department_id", [today, today, first, last])
    h.all(
        f"SELECT pm.user_id, {classes} {scope.replace('WHERE', 'JOIN projects_projectmember pm ON pm.project_id = p.id AND pm.role = ' + repr('pm') + ' WHERE')} GROUP BY pm.user_id",  # noqa: E501
        [today, today, first, last],
    )
    start, end = sql_time(_aware(first)), sql_time(_aware(last + timedelta(days=1)))
    accept = (
        f"(SELECT {_days('a.created_at', '(SELECT MAX(r.created_at) FROM projects_projectevent r WHERE r.project_id = a.project_id AND r.target = ' + repr('acceptance_review') + ' AND r.source <> r.target AND r.created_at <= a.created_at)')} AS days "  # noqa: E501
        f"FROM {E} a WHERE a.source = 'acceptance_review' AND a.target = 'accepted' AND a.created_at >= %s "
        "AND a.created_at < %s)"
    )
    h.all(_median_p80("days", accept), [start, end])
    margin = (
        f"SELECT p.id, p.department_id, {AMT} AS revenue, COALESCE(b.t, 0) AS budget, COALESCE(x.t, 0) AS actual "
        f"FROM {P} p LEFT JOIN (SELECT project_id, SUM(planned_amount) t FROM projects_budgetline GROUP BY "
        f"project_id) b ON b.project_id = p.id LEFT JOIN (SELECT project_id, SUM(amount) t FROM projects_expense "
        f"GROUP BY project_id) x ON x.project_id = p.id WHERE p.status IN ('won','implementation','suspended',"
        f"'acceptance_review','accepted','warranty','closed')"
    )
    h.all(
        f"SELECT department_id, COUNT(*), SUM(revenue), SUM(budget), SUM(actual) FROM ({margin}) m "
        "GROUP BY department_id"
    )
    h.all(
        f"SELECT id, revenue, budget, actual FROM ({margin}) m WHERE actual > 0 ORDER BY revenue - actual, id LIMIT 20"
    )
    return sum(row[1] for row in rows)


def hand_receivables(h: Hand) -> Any:
    _s, _e, first, last = _period("receivables")
    today = timezone.localdate()
    rows = h.all(
        f"SELECT {_month('due_date', timestamp=False)}, SUM(amount), COUNT(DISTINCT project_id) FROM "
        "milestones_paymentterm WHERE due_date >= %s AND due_date <= %s GROUP BY 1",
        [first, last],
    )
    h.all(
        f"SELECT {_month('received_on', timestamp=False)}, SUM(amount), COUNT(DISTINCT project_id) FROM "
        "milestones_receipt WHERE received_on >= %s AND received_on <= %s GROUP BY 1",
        [first, last],
    )
    outstanding = (
        "(SELECT t.project_id, t.due_date, t.amount - COALESCE(r.t, 0) - t.written_off AS o FROM "
        "milestones_paymentterm t LEFT JOIN (SELECT payment_term_id, SUM(amount) t FROM milestones_receipt GROUP BY "
        "payment_term_id) r ON r.payment_term_id = t.id WHERE t.due_date <= %s)"
    )
    days = "(%s - due_date)" if _pg() else "(julianday(%s) - julianday(due_date))"
    h.all(
        f"SELECT CASE WHEN {days} <= 30 THEN '0-30' WHEN {days} <= 90 THEN '31-90' WHEN {days} <= 180 THEN '91-180' "
        f"ELSE '>180' END, SUM(o), COUNT(DISTINCT project_id) FROM {outstanding} x WHERE o > 0 GROUP BY 1",
        [today, today, today, today],
    )
    h.all(
        f"SELECT p.customer_id, SUM(o), COUNT(DISTINCT x.project_id) FROM {outstanding} x JOIN {P} p ON p.id = "
        "x.project_id WHERE o > 0 GROUP BY p.customer_id ORDER BY 2 DESC LIMIT 10",
        [today],
    )
    h.all(
        "SELECT SUM(amount) FROM milestones_paymentterm WHERE due_date > %s AND due_date <= %s",
        [today - timedelta(days=90), today],
    )
    return sum(Decimal(row[1] or 0) for row in rows)


def hand_kpis(h: Hand) -> Any:
    start, end, first, last = _period("kpis")
    rows = h.all(
        f"SELECT u.id, COALESCE(won.a, 0), COALESCE(won.n, 0), COALESCE(cl.n, 0), COALESCE(act.n, 0), "
        f"COALESCE(ms.n, 0), COALESCE(ms.ok, 0), COALESCE(dl.n, 0), COALESCE(it.n, 0) FROM accounts_user u "
        f"LEFT JOIN (SELECT p.owner_id, SUM({AMT}) a, COUNT(*) n FROM {P} p "
        f"WHERE p.outcome = 'won' AND p.closed_at >= %s AND p.closed_at < %s GROUP BY p.owner_id) won ON won.owner_id "
        f"= u.id LEFT JOIN (SELECT p.owner_id, COUNT(*) n FROM {P} p WHERE p.outcome <> '' AND "
        f"p.closed_at >= %s AND p.closed_at < %s GROUP BY p.owner_id) cl ON cl.owner_id = u.id LEFT JOIN (SELECT "
        f"owner_id, COUNT(*) n FROM {P} WHERE status NOT IN ('won','lost','abandoned','rejected','closed') GROUP BY "
        f"owner_id) act ON act.owner_id = u.id LEFT JOIN (SELECT owner_id, COUNT(*) n, SUM(CASE WHEN actual_end <= "
        f"planned_end THEN 1 ELSE 0 END) ok FROM milestones_milestone WHERE status = 'accepted' AND actual_end >= %s "
        f"AND actual_end <= %s GROUP BY owner_id) ms ON ms.owner_id = u.id LEFT JOIN (SELECT created_by_id, COUNT(*) "
        f"n FROM milestones_deliverable WHERE status = 'approved' AND reviewed_at >= %s AND reviewed_at < %s GROUP BY "
        f"created_by_id) dl ON dl.created_by_id = u.id LEFT JOIN (SELECT author_id, COUNT(*) n FROM "
        f"customers_interaction WHERE occurred_at >= %s AND occurred_at < %s GROUP BY author_id) it ON it.author_id "
        f"= u.id WHERE u.is_active",
        [start, end, start, end, first, last, start, end, start, end],
    )
    h.all(
        "SELECT user_id, dimension_id, AVG(score) FROM reports_kpiscore s WHERE period_start >= %s AND period_start "
        "<= %s AND NOT EXISTS (SELECT 1 FROM reports_kpiscore n WHERE n.user_id = s.user_id AND n.dimension_id = "
        "s.dimension_id AND n.period_start = s.period_start AND n.scored_at > s.scored_at) GROUP BY 1, 2",
        [quarter_start(first), last],
    )
    return len(rows)


def hand_customers_cold(h: Hand) -> Any:
    now = sql_time(timezone.now())
    last = "(SELECT MAX(occurred_at) FROM customers_interaction i WHERE i.customer_id = c.id)"
    policy = (
        "(SELECT contact_days FROM reports_tierpolicy t WHERE t.tier = CASE WHEN c.tier = '' THEN 'C' ELSE c.tier END)"
    )
    limit = f"{last} < (%s - {policy} * INTERVAL '1 day')" if _pg() else f"julianday({last}) < julianday(%s) - {policy}"
    cold = f"({last} IS NULL OR {limit})"
    rows = h.all(
        f"SELECT c.tier, COUNT(*), SUM(CASE WHEN {cold} THEN 1 ELSE 0 END) FROM customers_customer c GROUP BY c.tier",
        [now],
    )
    h.all(
        f"SELECT c.id, c.name, c.tier, {last} FROM customers_customer c WHERE {cold} ORDER BY 4 NULLS FIRST, "
        "c.name LIMIT 200",
        [now],
    )
    return sum(row[2] for row in rows)


def hand_scorecard(h: Hand) -> Any:
    from reports.scoring import fit

    start, end, _f, _l = _period("scorecard")
    comp = f"(SELECT COUNT(*) FROM {PC} pc WHERE pc.project_id = p.id)"
    features = (
        f"SELECT p.industry AS f_industry, {_bands().replace(AMT, 'p.estimated_amount')} AS f_size_band, p.source AS "
        f"f_source, COALESCE(c.tier, '') AS f_tier, CASE WHEN EXISTS (SELECT 1 FROM {P} q "
        f"WHERE q.customer_id = p.customer_id AND q.outcome = 'won' AND q.closed_at < "
        f"p.created_at) THEN 'yes' ELSE 'no' END AS f_existing, CASE WHEN {comp} = 0 THEN '0' WHEN {comp} = 1 THEN "
        f"'1' WHEN {comp} = 2 THEN '2' ELSE '3+' END AS f_competitors, p.outcome FROM {P} p "
        f"JOIN customers_customer c ON c.id = p.customer_id WHERE p.closed_at IS NOT NULL AND p.outcome <> ''"
    )
    names = ["f_industry", "f_size_band", "f_source", "f_tier", "f_existing", "f_competitors"]
    group = (
        f"SELECT {', '.join(names)}, COUNT(*), SUM(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END) FROM ({features} "
        f"AND p.closed_at {{cond}}) x GROUP BY {', '.join(names)}"
    )
    train = h.all(group.replace("{cond}", "< %s"), [start])
    test = h.all(group.replace("{cond}", ">= %s AND p.closed_at < %s"), [start, end])
    combos = [dict(zip([*names, "n", "won"], row, strict=True)) for row in train]
    model = fit(combos)
    for row in test:
        model.predict(dict(zip([n[2:] for n in names], (str(v) for v in row[:6]), strict=True)))
    return sum(row[6] for row in test)


HAND: dict[str, Callable[[Hand], Any]] = {
    "win-loss": hand_win_loss,
    "competitors": hand_competitors,
    "funnel": hand_funnel,
    "forecast": hand_forecast,
    "pipeline-changes": hand_pipeline_changes,
    "delivery-health": hand_delivery,
    "receivables": hand_receivables,
    "kpis": hand_kpis,
    "customers-cold": hand_customers_cold,
    "scorecard": hand_scorecard,
}

# The report figure each hand-written key figure is compared with: (table or "metrics", key, column).
