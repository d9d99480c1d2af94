"""A small, hand-built sales history for the report tests: every deal is written out with its dates, amounts,
competitors and reasons, so each expected figure in the tests can be worked out by hand."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from backend.bids.models import Bid, BidOpeningEntry, WinLossReason, WinLossRecord
from backend.projects.models import Competitor, Project, ProjectCompetitor, ProjectEvent
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory, UserFactory

PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-30"}
_codes = itertools.count(1)


def at(day: str, hour: int = 10) -> datetime:
    """A local time on ``day`` (YYYY-MM-DD)."""
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time(hour)))


@dataclass
class World:
    exec: Any
    director: Any
    north_head: Any
    east_head: Any
    alice: Any
    bob: Any
    outsider: Any
    north: Any
    east: Any
    sales: Any
    huawei: Any
    inspur: Any
    reasons: dict[str, Any]
    deals: dict[str, Project]


def make_deal(
    *,
    owner: Any,
    department: Any,
    created: str,
    status: str,
    closed: str | None = None,
    estimated: int | str = 1_000_000,
    contract: int | str | None = None,
    outcome: str | None = None,
    lost_from: str = "bidding",
    industry: str = "finance",
    region: str = "north",
    source: str = "tender",
    competitors: tuple[Any, ...] = (),
    reason: Any = None,
    secondary: tuple[Any, ...] = (),
    winner: Any = None,
    lessons: str = "",
    name: str = "",
    customer: Any = None,
    **extra: Any,
) -> Project:
    """A deal with its created event and, when closed, the event that closed it and its win/loss record."""
    extra.setdefault("code", f"R-{next(_codes):06d}")  # never the P-… codes the services hand out
    project = ProjectFactory(
        owner=owner,
        department=department,
        customer=customer or CustomerFactory(owner=owner),
        estimated_amount=Decimal(str(estimated)),
        contract_amount=Decimal(str(contract)) if contract is not None else None,
        industry=industry,
        region=region,
        source=source,
        **({"name": name} if name else {}),
        **extra,
    )
    Project.objects.filter(pk=project.pk).update(
        status=status,
        created_at=at(created),
        closed_at=at(closed) if closed else None,
        outcome=outcome if closed and outcome else "",
        closed_from=(
            {"won": "contract_review", "lost": "bidding", "abandoned": lost_from}.get(
                outcome or "", "initiation_review"
            )
            if closed
            else ""
        ),
    )
    project.refresh_from_db()
    ProjectEvent.objects.create(project=project, kind="created", target="tender", actor=owner, created_at=at(created))
    for competitor in competitors:
        ProjectCompetitor.objects.create(project=project, competitor=competitor)
    if closed:
        source_state = {
            "won": "contract_review",
            "lost": "bidding",
            "abandoned": lost_from,
            "rejected": "initiation_review",
        }
        target = "won" if outcome == "won" else (outcome or status)
        ProjectEvent.objects.create(
            project=project,
            kind="decision" if target in ("won", "rejected") else "transition",
            transition={"won": "approve_contract", "lost": "lose", "abandoned": "abandon"}.get(
                target, "reject_initiation"
            ),
            source=source_state.get(target, "bidding"),
            target=target,
            actor=owner,
            created_at=at(closed),
        )
    if outcome:
        record = WinLossRecord.objects.create(
            project=project,
            outcome=outcome,
            primary_reason=reason
            or WinLossReason.objects.get_or_create(code="other", defaults={"name": "其他 Other"})[0],
            winning_competitor=winner,
            lessons=lessons,
            recorded_by=owner,
        )
        record.secondary_reasons.set(secondary)
    return project


@pytest.fixture
def world(db) -> World:
    """Five deals closed in the first half of 2026 (two won, two lost, one abandoned), one won before it, one
    still open and one initiation rejected; two departments under a sales centre; two competitors."""
    exec_ = UserFactory(username="exec", roles=["exec"])
    director = UserFactory(username="director", roles=["director"])
    north_head = UserFactory(username="north_head", first_name="伟", last_name="张")
    east_head = UserFactory(username="east_head", first_name="敏", last_name="刘")
    sales = DepartmentFactory(name="销售中心 Sales", head=director)
    north = DepartmentFactory(name="华北 North", parent=sales, head=north_head)
    east = DepartmentFactory(name="华东 East", parent=sales, head=east_head)
    alice = UserFactory(username="alice", first_name="Alice", last_name="Wang", department=north)
    bob = UserFactory(username="bob", first_name="Bob", last_name="Li", department=east)
    outsider = UserFactory(username="outsider", department=east)
    for user in (north_head,):
        user.department = north
        user.save()
    east_head.department = east
    east_head.save()
    huawei = Competitor.objects.create(name="华为 Huawei")
    inspur = Competitor.objects.create(name="浪潮 Inspur")
    reasons = {
        code: WinLossReason.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (
            ("price", "价格 Price"),
            ("technology", "技术 Technology"),
            ("relationship", "关系 Relationship"),
        )
    }
    deals = {
        "D1": make_deal(
            owner=alice,
            department=north,
            created="2025-12-16",
            closed="2026-01-15",
            status="implementation",
            estimated=2_000_000,
            contract=2_100_000,
            outcome="won",
            competitors=(huawei,),
            reason=reasons["technology"],
            name="D1",
        ),
        "D2": make_deal(
            owner=alice,
            department=north,
            created="2026-01-01",
            closed="2026-02-10",
            status="lost",
            estimated=800_000,
            outcome="lost",
            source="referral",
            competitors=(huawei, inspur),
            reason=reasons["price"],
            secondary=(reasons["technology"],),
            winner=huawei,
            lessons="价格太高 Too expensive",
            name="D2",
        ),
        "D3": make_deal(
            owner=bob,
            department=east,
            created="2026-01-20",
            closed="2026-04-20",
            status="won",
            estimated=6_000_000,
            contract=5_500_000,
            outcome="won",
            industry="government",
            region="east",
            competitors=(inspur,),
            reason=reasons["relationship"],
            name="D3",
        ),
        "D4": make_deal(
            owner=bob,
            department=east,
            created="2026-04-05",
            closed="2026-05-05",
            status="abandoned",
            estimated=3_000_000,
            outcome="abandoned",
            lost_from="pursuit",
            industry="government",
            region="east",
            reason=reasons["relationship"],
            name="D4",
        ),
        "D5": make_deal(
            owner=alice,
            department=north,
            created="2026-02-01",
            closed="2026-06-01",
            status="lost",
            estimated=25_000_000,
            outcome="lost",
            industry="energy",
            competitors=(huawei,),
            reason=reasons["price"],
            secondary=(reasons["relationship"], reasons["technology"]),
            winner=huawei,
            lessons="资质不足",
            name="D5",
        ),
        "D6": make_deal(
            owner=alice,
            department=north,
            created="2025-09-01",
            closed="2025-11-01",
            status="won",
            estimated=1_500_000,
            contract=1_500_000,
            outcome="won",
            name="D6",
        ),
        "D7": make_deal(
            owner=alice,
            department=north,
            created="2026-03-01",
            status="bidding",
            estimated=4_000_000,
            competitors=(huawei,),
            name="D7",
        ),
        "D8": make_deal(
            owner=bob,
            department=east,
            created="2026-02-20",
            closed="2026-03-01",
            status="rejected",
            estimated=900_000,
            name="D8",
        ),
    }
    # bid openings: D1 we 2,000,000 against Huawei 2,100,000; D2 we 800,000 against Huawei 700,000 and
    # Inspur 880,000; D5 has no opening record, its win/loss record says 25M against Huawei's winning 20M
    for deal, ours, theirs in (
        ("D1", 2_000_000, {huawei: 2_100_000}),
        ("D2", 800_000, {huawei: 700_000, inspur: 880_000}),
    ):
        bid = Bid.objects.create(project=deals[deal], round=1, our_price=ours)
        BidOpeningEntry.objects.create(bid=bid, is_us=True, price=ours, rank=1)
        for competitor, price in theirs.items():
            BidOpeningEntry.objects.create(bid=bid, competitor=competitor, price=price)
    WinLossRecord.objects.filter(project=deals["D5"]).update(our_price=25_000_000, winning_price=20_000_000)
    return World(
        exec=exec_,
        director=director,
        north_head=north_head,
        east_head=east_head,
        alice=alice,
        bob=bob,
        outsider=outsider,
        north=north,
        east=east,
        sales=sales,
        huawei=huawei,
        inspur=inspur,
        reasons=reasons,
        deals=deals,
    )


def table(body: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """A report table's rows by their first column's text."""
    found = next(t for t in body["tables"] if t["key"] == key)
    first = found["columns"][0]["key"]
    return {row[first]: row for row in found["rows"]}


def metric(body: dict[str, Any], key: str) -> Any:
    return next(m["value"] for m in body["metrics"] if m["key"] == key)


def walk(project: Project, steps: list[tuple[str, str]], kind: str = "transition") -> None:
    """Status events for ``project`` along ``steps`` [(target state, day)], each from the previous state."""
    source = "tender"
    for target, day in steps:
        ProjectEvent.objects.create(
            project=project,
            kind=kind,
            transition="",
            source=source,
            target=target,
            actor=project.owner,
            created_at=at(day),
        )
        source = target
