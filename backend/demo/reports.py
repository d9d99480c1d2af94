"""Demo history for the reports: two years of closed deals, played through the same services and simulated
clock as the project demo (so events, reviews, bid openings and win/loss records are genuine), then the
analytics' own data: weekly forecast snapshots rebuilt from the event log, sales targets, KPI scores, customer
tiers and the initiation scorecards of the reviews still open. Idempotent: deals are found by name, snapshots
by day, targets by period, scores by quarter. Demo-only: application code must not import this module.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.customers.identity import normalize_name
from backend.customers.models import Customer
from backend.demo import deals as project_demo
from backend.projects.choices import PRESALES_OPEN, STATUS_EVENT_KINDS, default_forecast_category
from backend.projects.models import Project, ProjectEvent
from reports import services
from reports.base import add_months, quarter_start, sql_time
from reports.models import ForecastSnapshot, KpiDimension, KpiScore, SalesTarget, Scorecard
from workflows.models import ProcessTemplate, Review, StageTemplate

HISTORY_DEALS = 84
DAYS_BACK = 730
SEED = "sicrm-demo-history"

# How likely we are to win, by customer industry and by the main competitor (the patterns the reports find).
INDUSTRY_ODDS = {
    "finance": 0.6, "energy": 0.55, "manufacturing": 0.5, "education": 0.45, "transport": 0.45, "telecom": 0.4,
    "government": 0.35, "healthcare": 0.25, "retail": 0.4, "internet": 0.4, "other": 0.4,
}  # fmt: skip
RIVAL_ODDS = {
    "huawei": 0.6, "h3c": 0.9, "inspur": 1.0, "dcits": 1.3, "taiji": 0.8, "neusoft": 0.9, "sugon": 1.1, "ibm": 1.2,
}  # fmt: skip
KIND_NAMES = {
    "datacenter": "数据中心建设",
    "network": "网络升级改造",
    "security": "网络安全加固",
    "cloud": "私有云平台",
    "software": "业务系统集成",
    "video": "视频会议与大屏",
    "iot": "物联网平台",
    "wifi": "无线网络覆盖",
    "facility": "机房动环改造",
}
OWNERS = ["bidmgr", "bidmgr", "presales", "director", "sales_north", "sales_north", "sales_east", "sales_east"]
LOSS_REASONS = ["price", "price", "price", "relationship", "technology", "qualification", "timing", "brand"]
WIN_REASONS = ["technology", "relationship", "service", "price", "brand"]
LESSONS = {
    "price": "对手报价低于我方 {gap}%，需提前获取厂商项目报备价。",
    "relationship": "客户关系覆盖不足，决策层未建立信任。",
    "technology": "技术方案不如对手贴合需求，应更早做需求引导。",
    "qualification": "缺少同类业绩，资格分落后；考虑联合体投标。",
    "timing": "客户预算调整，项目延期，投入过早。",
    "brand": "客户偏好原厂品牌，集成商优势不明显。",
    "service": "本地化服务响应快，客户满意。",
    "scope": "需求以定制开发为主，超出我司能力范围。",
}


def history_deals() -> list[project_demo.Deal]:
    """The closed deals of the last two years (deterministic: the same list every run)."""
    rng = random.Random(SEED)
    customers = list(project_demo.CUSTOMERS)
    kinds = list(KIND_NAMES)
    rivals_all = list(project_demo.COMPETITORS)
    industries = {alias: _industry(alias) for alias in customers}
    deals = []
    for _index in range(HISTORY_DEALS):
        customer = rng.choice(customers)
        kind = rng.choice(kinds)
        days_ago = rng.randint(50, DAYS_BACK)
        rivals = tuple(rng.sample(rivals_all, rng.randint(1, 3)))
        amount = int(round(10 ** rng.uniform(5.6, 7.3), -4))
        # later quarters go better: the team learned from its losses
        trend = 0.75 + 0.5 * (DAYS_BACK - days_ago) / DAYS_BACK
        odds = INDUSTRY_ODDS.get(industries[customer], 0.4) * RIVAL_ODDS[rivals[0]] * trend
        roll = rng.random()
        outcome: tuple[str, tuple[str, ...], str, str] | None
        name = f"{project_demo.CUSTOMERS[customer]}{KIND_NAMES[kind]}"
        template = "hardware-supply" if kind in ("facility",) and rng.random() < 0.5 else "standard-si"
        if roll < min(odds, 0.85):
            reason = rng.choice(WIN_REASONS)
            state, outcome, abandon_from = "won", (reason, (), "", LESSONS[reason]), ""
        elif roll < 0.9:
            reason = rng.choice(LOSS_REASONS)
            lessons = LESSONS[reason].format(gap=rng.randint(4, 15))
            secondary = tuple(r for r in rng.sample(LOSS_REASONS, 2) if r != reason)[:1]
            state, outcome, abandon_from = "lost", (reason, secondary, rivals[0], lessons), ""
        elif roll < 0.96:
            reason = rng.choice(["scope", "timing", "price"])
            abandon_from = rng.choice(["tender", "pursuit", "bidding"])
            state, outcome = "abandoned", (reason, (), "", LESSONS[reason].format(gap=10))
        else:
            state, outcome, abandon_from = "rejected", None, ""
        deals.append(
            project_demo.Deal(
                name=name,
                customer=customer,
                owner=rng.choice(OWNERS),
                source=rng.choice(["tender", "tender", "tender", "referral", "existing_customer", "partner"]),
                amount=amount,
                state=state,
                days_ago=days_ago,
                kind=kind,
                rivals=rivals,
                template=template,
                margin=round(rng.uniform(9, 28), 1),
                outcome=outcome,
                abandon_from=abandon_from,
            )
        )
    # names must be unique (idempotency is by name): a repeated customer and kind becomes a later phase
    phases = ["", "（二期）", "（三期）", "（四期）", "（扩容）", "（运维）", "（升级）", "（续签）"]
    seen: dict[str, int] = {}
    for index, deal in enumerate(deals):
        count = seen.get(deal.name, 0)
        seen[deal.name] = count + 1
        if count:
            suffix = phases[count] if count < len(phases) else f"（{count + 1}）"
            deals[index] = dataclasses.replace(deal, name=f"{deal.name}{suffix}")
    return deals


def _industry(alias: str) -> str:
    from backend.demo.customers import CUSTOMERS as CUSTOMER_ROWS

    name = project_demo.CUSTOMERS[alias]
    for row in CUSTOMER_ROWS:
        if row[0] == name:
            return str(row[2])
    return "other"


def _play(deals: list[project_demo.Deal]) -> list[Project]:
    competitors, partners = project_demo._catalogues()
    ctx = project_demo._Context(
        now=timezone.now(),
        users={u.username: u for u in User.objects.filter(is_active=True)},
        customers={
            alias: Customer.objects.get(name_key=normalize_name(name)) for alias, name in project_demo.CUSTOMERS.items()
        },
        competitors=competitors,
        partners=partners,
        templates={t.code: t for t in ProcessTemplate.objects.all()},
        standard_days={
            (s.template.code, s.stage): s.standard_days for s in StageTemplate.objects.select_related("template")
        },
        clock=project_demo._Clock(),
    )
    plans = sorted((project_demo._plan(deal, ctx) for deal in deals), key=lambda plan: plan.created)
    with project_demo._simulated(ctx.clock):
        return [project_demo._Story(plan, ctx).play() for plan in plans]


# --- analytics data ---------------------------------------------------------------------------------------


def snapshots_rebuild(*, weeks: int = 104) -> int:
    """Weekly forecast snapshots of the past (Mondays), each open deal as the event log says it stood then:
    its status at that moment, the category of that stage (deals in negotiation committed, as their owners
    would have), its amount and expected close date. Days that already have a snapshot are left alone."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    written = 0
    # the owners committed the deals they were negotiating; everything else kept its stage's category
    categories = " ".join(
        f"WHEN s.status = '{state}' THEN '{'commit' if state == 'negotiation' else default_forecast_category(state)}'"
        for state in PRESALES_OPEN
    )
    probabilities = " ".join(
        f"WHEN s.status = '{state}' THEN {project_demo.PROBABILITY[state]}" for state in PRESALES_OPEN
    )
    states = ", ".join(f"'{state}'" for state in PRESALES_OPEN)
    kinds = ", ".join(f"'{kind}'" for kind in STATUS_EVENT_KINDS)
    snapshot, project, event = ForecastSnapshot._meta.db_table, Project._meta.db_table, ProjectEvent._meta.db_table
    existing = set(ForecastSnapshot.objects.values_list("taken_on", flat=True).distinct())
    with connection.cursor() as cursor:
        for week in range(1, weeks + 1):
            day = monday - timedelta(weeks=week)
            if day in existing:
                continue
            moment = timezone.make_aware(datetime.combine(day, time(6)))
            cursor.execute(
                f"""
                INSERT INTO {snapshot}
                    (taken_on, project_id, status, category, amount, probability, expected_close_date,
                     owner_id, department_id)
                SELECT %s, s.id, s.status, CASE {categories} END, s.estimated_amount, CASE {probabilities} END,
                       s.expected_close_date, s.owner_id, s.department_id
                FROM (
                    SELECT p.id, p.estimated_amount, p.expected_close_date, p.owner_id, p.department_id,
                           (SELECT e.target FROM {event} e
                            WHERE e.project_id = p.id AND e.kind IN ({kinds}) AND e.source <> e.target
                              AND e.created_at < %s
                            ORDER BY e.created_at DESC, e.id DESC LIMIT 1) AS status
                    FROM {project} p WHERE p.created_at < %s
                ) s
                WHERE s.status IN ({states})
                """,
                [day, sql_time(moment), sql_time(moment)],
            )
            written += cursor.rowcount
    return written


def targets_ensure(*, director: User) -> int:
    """Quarterly targets for the sales centre and its two sales departments, two years back and two ahead."""
    departments = {d.name: d for d in Department.objects.all()}
    plan = [("销售中心 Sales Center", 24_000_000), ("华北销售部 North China Sales", 11_000_000),
            ("华东销售部 East China Sales", 9_000_000)]  # fmt: skip
    start = quarter_start(timezone.localdate())
    created = 0
    for offset in range(-8, 3):
        quarter = add_months(start, 3 * offset)
        growth = Decimal(1) + Decimal("0.03") * (offset + 8)
        for name, amount in plan:
            department = departments.get(name)
            if department is None:
                continue
            _target, made = SalesTarget.objects.get_or_create(
                department=department,
                period="quarter",
                period_start=quarter,
                defaults={"amount": (Decimal(amount) * growth).quantize(Decimal("1")), "set_by": director},
            )
            created += made
    for username, amount in (("sales_north", 4_000_000), ("sales_east", 3_500_000), ("bidmgr", 5_000_000)):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        for offset in range(-4, 2):
            _target, made = SalesTarget.objects.get_or_create(
                user=user,
                period="quarter",
                period_start=add_months(start, 3 * offset),
                defaults={"amount": Decimal(amount), "set_by": director},
            )
            created += made
    return created


def _product_defaults_ensure() -> None:
    """The default KPI dimensions and tier policies, as their migration loads them (again after a flush)."""
    from importlib import import_module

    from django.apps import apps

    import_module("reports.migrations.0002_default_dimensions_and_tiers").load(apps, None)


def scores_ensure() -> int:
    """Soft scores of the last two quarters, given by each person's department head (or the director)."""
    rng = random.Random(f"{SEED}:scores")
    soft = list(KpiDimension.objects.filter(metric="", is_active=True))
    start = quarter_start(timezone.localdate())
    quarters = [add_months(start, -3), start]
    created = 0
    for person in User.objects.filter(is_active=True, is_superuser=False).select_related("department__head"):
        head = person.department.head if person.department and person.department.head_id else None
        scorer = head if head is not None and head != person else User.objects.filter(username="director").first()
        if scorer is None or scorer == person:
            continue
        for quarter in quarters:
            for dimension in soft:
                if KpiScore.objects.filter(user=person, dimension=dimension, period_start=quarter).exists():
                    continue
                KpiScore.objects.create(
                    user=person,
                    dimension=dimension,
                    period_start=quarter,
                    scored_by=scorer,
                    score=Decimal(rng.randint(55, 95)),
                    comment="季度评估 Quarterly review",
                )
                created += 1
    return created


def load(*, password: str, log: Callable[[str], None]) -> None:
    deals = [deal for deal in history_deals() if not Project.objects.filter(name=deal.name).exists()]
    played = _play(deals) if deals else []
    director = User.objects.get(username="director")
    snapshots = snapshots_rebuild()
    if not ForecastSnapshot.objects.filter(taken_on=timezone.localdate()).exists():
        snapshots += services.forecast_snapshot_take()
    targets = targets_ensure(director=director)
    _product_defaults_ensure()
    scores = scores_ensure()
    tiers = services.customer_tiers_recompute()
    scorecards = 0
    for review in Review.objects.filter(gate__kind="initiation", status="pending", scorecard__isnull=True):
        services.scorecard_compute(project=review.project, review=review)
        scorecards += 1
    log(
        f"reports: {len(played)} closed deals of the last two years added, {snapshots} forecast snapshot rows, "
        f"{targets} targets, {scores} KPI scores, customer tiers {tiers}, {scorecards} scorecards, "
        f"{Scorecard.objects.count()} in all"
    )
