"""SLA scan benchmark (``sicrm bench sla``): writes ``size`` open service requests (default 100,000) whose clocks
started up to ten working days ago — spread over states, priorities and deadlines so that at each escalation
level some are due — then times the alarm scan (``alarms_raise``: the SLA sources' set-based queries, one per
clock and level, and the UPDATE of the breached flags) — the worst case, every alarm of the backlog at once —
then the same scan again (nothing new) and the scan five working minutes later (steady state: only the clocks that
crossed a level since). Goal ≤ 5 s at 100,000 on PostgreSQL.

Writes only rows of its own (codes ``SLAB-…``, a customer and agents named ``sla-bench…``) and removes the
previous run's requests and their alarms first. Never point it at production data.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

PREFIX = "SLAB-"
BATCH = 2000
# working hours to respond and to resolve, per priority
TARGETS = {"p1": (1, 4), "p2": (2, 8), "p3": (4, 24), "p4": (8, 40)}
# states and their weights: most run, some wait for the customer, a few are resolved
STATES = [("new", 20), ("assigned", 25), ("in_progress", 40), ("waiting", 10), ("resolved", 5)]
SPAN = 10 * 480  # clocks started at most ten working days (of 480 minutes) ago
STEP = 5  # in steps of five working minutes


def _people(agents: int) -> tuple[Any, Any, list[Any]]:
    from backend.accounts.models import Department, User
    from backend.customers.models import Customer

    department, _ = Department.objects.get_or_create(name="sla-bench 客服部")
    head, _ = User.objects.get_or_create(username="sla-bench-head", defaults={"department": department})
    if department.head_id is None:
        department.head = head
        department.save(update_fields=["head"])
    users = [
        User.objects.get_or_create(username=f"sla-bench-{i:02d}", defaults={"department": department})[0]
        for i in range(agents)
    ]
    customer = Customer.objects.filter(name="sla-bench 客户有限公司").first() or Customer.objects.create(
        name="sla-bench 客户有限公司", name_key="sla-bench客户", owner=head, industry="finance", region="north"
    )
    return customer, head, users


def reset() -> int:
    """Remove the previous run's requests and their alarms; returns how many requests went."""
    from backend.milestones.models import Alarm
    from backend.service.alarms import OBJECT_TYPES
    from backend.service.models import ServiceRequest

    ours = ServiceRequest.objects.filter(code__startswith=PREFIX)
    with transaction.atomic():
        Alarm.objects.filter(object_type__in=OBJECT_TYPES.values(), object_id__in=ours.values("pk")).delete()
        ids = list(ours.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            ServiceRequest.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    return len(ids)


def generate(*, size: int, seed: int = 42, now: datetime | None = None) -> float:
    """Write ``size`` requests; returns the seconds it took."""
    from backend.service.models import ServiceRequest
    from backend.service.sla import add_working_minutes, sla_calendar

    begin = time.perf_counter()
    now = now or timezone.now()
    rng = random.Random(seed)
    cal = sla_calendar()
    customer, head, agents = _people(20)
    percent = int(settings.SERVICE_SLA_WARN_PERCENT)
    starts: dict[int, datetime] = {}
    deadlines: dict[tuple[int, str], tuple[datetime, datetime, datetime, datetime]] = {}

    def clocks(elapsed: int, priority: str) -> tuple[datetime, datetime, datetime, datetime]:
        """Warn and due instants of both clocks of a request whose clock ran ``elapsed`` working minutes."""
        key = (elapsed, priority)
        if key not in deadlines:
            if elapsed not in starts:
                starts[elapsed] = add_working_minutes(now, -elapsed, calendar=cal)
            start = starts[elapsed]
            instants = []
            for hours in TARGETS[priority]:
                target = hours * 60
                instants.append(add_working_minutes(start, target * percent // 100, calendar=cal))
                instants.append(add_working_minutes(start, target, calendar=cal))
            deadlines[key] = (instants[0], instants[1], instants[2], instants[3])
        return deadlines[key]

    states = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    rows = []
    for i in range(size):
        status = rng.choices(states, weights)[0]
        priority = rng.choice(list(TARGETS))
        responded = status == "resolved" or (status in ("in_progress", "waiting") and rng.random() < 0.6)
        # how long the clock has run: up to twice the response target before a reply, up to 1.6 times the
        # resolution target after one — some early, some at warn, some late at each level
        target = TARGETS[priority][1 if responded else 0] * 60 * (1.6 if responded else 2)
        elapsed = min(int(rng.random() * target) // STEP * STEP, SPAN)
        response_warn, response_due, resolution_warn, resolution_due = clocks(elapsed, priority)
        stood = now - timedelta(minutes=rng.randint(1, 600)) if status in ("waiting", "resolved") else None
        rows.append(
            ServiceRequest(
                code=f"{PREFIX}{i + 1:07d}",
                subject=f"sla-bench 故障 {i + 1}",
                customer=customer,
                created_by=head,
                assignee=None if status == "new" else agents[i % len(agents)],
                priority=priority,
                status=status,
                response_warn_at=response_warn,
                response_due_at=response_due,
                resolution_warn_at=resolution_warn,
                resolution_due_at=resolution_due,
                paused_at=stood,
                first_response_at=now - timedelta(minutes=rng.randint(1, 600)) if responded else None,
                resolved_at=stood if status == "resolved" else None,
            )
        )
        if len(rows) == BATCH or i == size - 1:
            with transaction.atomic():
                ServiceRequest.objects.bulk_create(rows)
            rows = []
    return time.perf_counter() - begin


def run(*, size: int = 100_000, seed: int = 42) -> list[tuple[str, str]]:
    from backend.milestones.alarms import alarms_raise
    from backend.milestones.models import Alarm
    from backend.service.alarms import OBJECT_TYPES
    from backend.service.choices import RUNNING_STATES
    from backend.service.models import ServiceRequest
    from backend.service.sla import add_working_minutes

    removed = reset()
    now = timezone.now()
    generated = generate(size=size, seed=seed, now=now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh bulk-loaded data: let the planner see it, as autovacuum would
            cursor.execute("ANALYZE service_servicerequest; ANALYZE milestones_alarm")
    begin = time.perf_counter()
    counts = alarms_raise(now=now)
    first = time.perf_counter() - begin
    begin = time.perf_counter()
    again = alarms_raise(now=now)
    second = time.perf_counter() - begin
    # the scan as it runs in steady state: five working minutes later, only the clocks that crossed a level since
    begin = time.perf_counter()
    later = alarms_raise(now=add_working_minutes(now, 5))
    third = time.perf_counter() - begin
    ours = ServiceRequest.objects.filter(code__startswith=PREFIX)
    recorded = Alarm.objects.filter(object_type__in=OBJECT_TYPES.values(), object_id__in=ours.values("pk"))
    sla_counts = {k: v for k, v in counts.items() if k.startswith("sr_")}
    rows = [
        ("size (requests)", f"{size:,}"),
        ("database", connection.vendor),
        ("previous run removed", f"{removed:,}"),
        ("generate s", f"{generated:.1f}"),
        ("running clocks", f"{ours.filter(status__in=RUNNING_STATES).count():,}"),
        ("scan s (goal ≤ 5 at 100,000 on PostgreSQL)", f"{first:.2f}"),
        ("alarms recorded", f"{recorded.count():,}"),
    ]
    rows += [(f"  {name}", f"{n:,}") for name, n in sorted(sla_counts.items())]
    rows += [
        (
            "marked breached (response / resolution)",
            f"{ours.filter(response_breached=True).count():,} / {ours.filter(resolution_breached=True).count():,}",
        ),
        ("repeat scan s (nothing new)", f"{second:.2f}"),
        ("raised on repeat", str(sum(v for k, v in again.items() if k.startswith("sr_")))),
        ("scan 5 working minutes later s", f"{third:.2f}"),
        ("raised 5 working minutes later", str(sum(v for k, v in later.items() if k.startswith("sr_")))),
    ]
    return rows
