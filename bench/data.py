"""Synthetic data for the benchmarks: departments, users with roles, customers and projects in a realistic
state mix with their members, events, checklist items, win/loss records and pending reviews.

Written with ``bulk_create`` for speed, so it deliberately bypasses the services (no notifications, no
routing); it must never be used for demo or production data. Every run adds a new batch with its own
names and codes (``BN<batch>-000001``), so it can run against a database that already holds data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.accounts.services import roles_ensure
from backend.bids.models import WinLossReason, WinLossRecord
from backend.core.choices import Industry, Region
from backend.customers.identity import normalize_name
from backend.customers.models import Customer
from backend.projects.choices import MemberRole, Source, Status
from backend.projects.models import Project, ProjectEvent, ProjectMember, StageChecklistItem
from workflows.choices import ReviewStatus, StepStatus
from workflows.models import Gate, ProcessTemplate, Review, ReviewStep

BATCH = 2000  # rows per INSERT
CHUNK = 5000  # projects built in memory at a time
BENCH_PREFIX = "Bench batch"
PASSWORD = "bench"


@dataclass(frozen=True)
class Size:
    users: int
    customers: int
    projects: int


SIZES = {
    "S": Size(users=60, customers=120, projects=500),
    "M": Size(users=300, customers=1_000, projects=5_000),
    "L": Size(users=2_000, customers=8_000, projects=50_000),
}


def size_for_projects(projects: int) -> Size:
    """A size scaled to ``projects`` (the hidden ``--projects`` option)."""
    return Size(users=max(12, projects // 16), customers=max(6, projects // 5), projects=projects)


# Where the projects stand, in per cent: an open pipeline plus two years of closed deals.
STATE_MIX = [
    (Status.TENDER, 12),
    (Status.INITIATION_REVIEW, 4),
    (Status.REJECTED, 5),
    (Status.PURSUIT, 16),
    (Status.BIDDING, 11),
    (Status.NEGOTIATION, 5),
    (Status.CONTRACT_REVIEW, 3),
    (Status.WON, 17),
    (Status.LOST, 19),
    (Status.ABANDONED, 8),
]
PATHS = {
    Status.TENDER: ["tender"],
    Status.INITIATION_REVIEW: ["tender", "initiation_review"],
    Status.REJECTED: ["tender", "initiation_review", "rejected"],
    Status.PURSUIT: ["tender", "initiation_review", "pursuit"],
    Status.BIDDING: ["tender", "initiation_review", "pursuit", "bidding"],
    Status.NEGOTIATION: ["tender", "initiation_review", "pursuit", "bidding", "negotiation"],
    Status.CONTRACT_REVIEW: ["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review"],
    Status.WON: ["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review", "won"],
    Status.LOST: ["tender", "initiation_review", "pursuit", "bidding", "lost"],
    Status.ABANDONED: ["tender", "initiation_review", "pursuit", "abandoned"],
}
GATED = {"rejected", "pursuit", "won"}  # entered by a gate decision
TRANSITION_INTO = {
    "initiation_review": "submit_initiation",
    "rejected": "reject_initiation",
    "pursuit": "approve_initiation",
    "bidding": "start_bidding",
    "negotiation": "award",
    "contract_review": "submit_contract_review",
    "won": "approve_contract",
    "lost": "lose",
    "abandoned": "abandon",
}
WORDS = [
    "数据中心扩容",
    "核心网络改造",
    "云平台建设",
    "安全等保整改",
    "视频会议系统",
    "桌面云",
    "灾备中心",
    "Wi-Fi refresh",
    "SD-WAN rollout",
    "HPC cluster",
    "IoT platform",
    "storage replacement",
]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "西安", "武汉", "天津", "南京", "Hong Kong", "Suzhou"]
KINDS = ["有限公司", "集团", "医院", "大学", "分行", "Co., Ltd.", "管理局"]


@dataclass
class Generated:
    batch: int
    users: int
    customers: int
    projects: int
    members: int
    events: int
    checklist: int
    seconds: float


def _weighted_states(rng: random.Random, count: int) -> list[str]:
    states, weights = zip(*STATE_MIX, strict=True)
    return [str(s) for s in rng.choices(states, weights=weights, k=count)]


@transaction.atomic
def generate(*, size: Size, seed: int = 42, log: Callable[[str], None] = print) -> Generated:
    """Add one batch of synthetic data of ``size``; returns what was created."""
    started = time.perf_counter()
    rng = random.Random(seed)
    roles_ensure()
    groups = {g.name: g for g in Group.objects.all()}
    batch = Department.objects.filter(name__startswith=BENCH_PREFIX, parent=None).count() + 1
    tag = f"bn{batch}"
    now = timezone.now()

    # departments: a root and one sales department per region
    root = Department.objects.create(name=f"{BENCH_PREFIX} {batch}")
    regions = [str(r) for r in Region.values[:7]]
    departments = Department.objects.bulk_create(
        [Department(name=f"{BENCH_PREFIX} {batch} sales {region}", parent=root, region=region) for region in regions]
    )

    # users: a few directors and executives, the rest sales staff spread over the departments
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{tag}_user{i:05d}",
                first_name=f"User{i}",
                last_name="Bench",
                email=f"{tag}_user{i}@example.com",
                password=password,
                department=departments[i % len(departments)],
            )
            for i in range(size.users)
        ],
        batch_size=BATCH,
    )
    role_of = {}
    for i, user in enumerate(users):
        role_of[user.pk] = "director" if i < 2 else "exec" if i == 2 else rng.choice(["bid_manager", "presales"])
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=pk, group_id=groups[role].pk) for pk, role in role_of.items()],
        batch_size=BATCH,
    )
    staff = [u for u in users if role_of[u.pk] in ("bid_manager", "presales")]
    for department, head in zip(departments, staff, strict=False):
        department.head = head
    Department.objects.bulk_update(departments, ["head"])
    root.head = users[0]
    root.save(update_fields=["head"])
    heads = {d.head_id for d in departments}
    sellers = [u for u in staff if u.pk not in heads] or staff

    # customers
    industries = [str(i) for i in Industry.values]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=(name := f"{rng.choice(CITIES)}{tag.upper()}客户{i:05d}{rng.choice(KINDS)}"),
                name_key=normalize_name(name),
                industry=rng.choice(industries),
                region=rng.choice(regions),
                owner=rng.choice(sellers),
            )
            for i in range(size.customers)
        ],
        batch_size=BATCH,
    )

    # projects
    template = ProcessTemplate.objects.filter(is_default=True).first()
    if template is None:  # an empty database: load the shipped templates (as `sicrm load-templates` does)
        from workflows.loader import templates_load_all

        templates_load_all()
        template = ProcessTemplate.objects.filter(is_default=True).first()
    actions = (
        [(stage.stage, a.text, a.order, a.required) for stage in template.stages.all() for a in stage.actions.all()]
        if template
        else []
    )
    states = _weighted_states(rng, size.projects)
    directors = [u for u in users if role_of[u.pk] == "director"]
    reasons = list(WinLossReason.objects.all())
    counts = {"projects": 0, "members": 0, "events": 0, "checklist": 0}
    for first in range(0, len(states), CHUNK):
        chunk = _projects_chunk(
            rng=rng,
            states=states[first : first + CHUNK],
            first=first,
            tag=tag,
            now=now,
            customers=customers,
            sellers=sellers,
            role_of=role_of,
            template=template,
            actions=actions,
            reasons=reasons,
            directors=directors,
        )
        for key, value in chunk.items():
            counts[key] += value
        if len(states) > CHUNK:
            log(f"  {first + len(states[first : first + CHUNK])} / {len(states)} projects")

    result = Generated(
        batch=batch,
        users=len(users),
        customers=len(customers),
        projects=counts["projects"],
        members=counts["members"],
        events=counts["events"],
        checklist=counts["checklist"],
        seconds=time.perf_counter() - started,
    )
    log(
        f"batch {batch}: {result.users} users, {result.customers} customers, {result.projects} projects, "
        f"{result.members} members, {result.events} events, {result.checklist} checklist items "
        f"in {result.seconds:.1f} s"
    )
    return result


def _projects_chunk(
    *,
    rng: random.Random,
    states: list[str],
    first: int,
    tag: str,
    now: datetime,
    customers: list[Customer],
    sellers: list[User],
    role_of: dict[int, str],
    template: ProcessTemplate | None,
    actions: list[tuple[str, str, int, bool]],
    reasons: list[WinLossReason],
    directors: list[User],
) -> dict[str, int]:
    """Write ``len(states)`` projects with their members, events, checklist, win/loss records and reviews."""
    projects: list[Project] = []
    timelines: list[list[tuple[str, str, datetime]]] = []
    for i, state in enumerate(states, start=first):
        customer = rng.choice(customers)
        owner = customer.owner if rng.random() < 0.7 else rng.choice(sellers)
        amount = Decimal(rng.randrange(300_000, 20_000_000, 10_000))
        moment = now - timedelta(days=rng.uniform(1, 540))
        path = PATHS[Status(state)]
        timeline = [("", "tender", moment)]
        for source, target in zip(path, path[1:], strict=False):
            moment = min(moment + timedelta(days=rng.uniform(2, 30)), now)
            timeline.append((source, target, moment))
        timelines.append(timeline)
        projects.append(
            Project(
                code=f"{tag.upper()}-{i + 1:06d}",
                name=f"{customer.name[:40]} {rng.choice(WORDS)} {i}",
                customer=customer,
                source=rng.choice(Source.values),
                industry=customer.industry,
                region=customer.region,
                department=owner.department,
                owner=owner,
                estimated_amount=amount,
                probability={"won": 100, "lost": 0, "abandoned": 0, "rejected": 0}.get(state, rng.randint(10, 90)),
                expected_close_date=(timeline[0][2] + timedelta(days=rng.randint(30, 300))).date(),
                process_template=template,
                contract_amount=amount * Decimal("0.95") if state == "won" else None,
                status=state,
                status_changed_at=timeline[-1][2],
            )
        )
    projects = Project.objects.bulk_create(projects, batch_size=BATCH)
    # auto_now_add ignores the value given to bulk_create: spread the creation times afterwards.
    for project, timeline in zip(projects, timelines, strict=True):
        project.created_at = timeline[0][2]
    Project.objects.bulk_update(projects, ["created_at"], batch_size=BATCH)

    members: list[ProjectMember] = []
    events: list[ProjectEvent] = []
    checklist: list[StageChecklistItem] = []
    records: list[WinLossRecord] = []
    for project, timeline in zip(projects, timelines, strict=True):
        members.append(ProjectMember(project=project, user_id=project.owner_id, role=MemberRole.OWNER))
        for extra in rng.sample(sellers, k=min(len(sellers), rng.randint(1, 3))):
            if extra.pk != project.owner_id:
                role = MemberRole.PRESALES if role_of[extra.pk] == "presales" else MemberRole.BID_MANAGER
                members.append(ProjectMember(project=project, user=extra, role=role))
        for source, target, moment in timeline:
            events.append(
                ProjectEvent(
                    project=project,
                    kind="created" if not source else "decision" if target in GATED else "transition",
                    transition=TRANSITION_INTO.get(target, "") if source else "",
                    source=source,
                    target=target,
                    actor_id=project.owner_id,
                    created_at=moment,
                )
            )
        passed = {target for _source, target, _moment in timeline[:-1]}
        for stage, text, order, required in actions:
            done = stage in passed or (stage == project.status and rng.random() < 0.5)
            checklist.append(
                StageChecklistItem(
                    project=project,
                    stage=stage,
                    text=text,
                    order=order,
                    required=required,
                    done=done,
                    done_by_id=project.owner_id if done else None,
                    done_at=timeline[-1][2] if done else None,
                )
            )
        if project.status in ("won", "lost", "abandoned") and reasons:
            records.append(
                WinLossRecord(
                    project=project,
                    outcome=project.status,
                    primary_reason=rng.choice(reasons),
                    our_price=project.estimated_amount,
                    recorded_by_id=project.owner_id,
                )
            )
    ProjectMember.objects.bulk_create(members, batch_size=BATCH)
    ProjectEvent.objects.bulk_create(events, batch_size=BATCH)
    StageChecklistItem.objects.bulk_create(checklist, batch_size=BATCH)
    WinLossRecord.objects.bulk_create(records, batch_size=BATCH)
    _pending_reviews(projects=projects, directors=directors)
    return {"projects": len(projects), "members": len(members), "events": len(events), "checklist": len(checklist)}


def _pending_reviews(*, projects: list[Project], directors: list[User]) -> None:
    """An open review (one active step decided by the directors) for each project waiting at a gate."""
    gates = {g.kind: g for g in Gate.objects.filter(template__is_default=True).prefetch_related("steps")}
    waiting = [
        (p, gates[kind])
        for p in projects
        for state, kind in (("initiation_review", "initiation"), ("contract_review", "contract"))
        if p.status == state and kind in gates and gates[kind].steps.all()
    ]
    reviews = Review.objects.bulk_create(
        [
            Review(gate=gate, project=project, submitted_by_id=project.owner_id, amount=project.estimated_amount)
            for project, gate in waiting
        ],
        batch_size=BATCH,
    )
    steps = ReviewStep.objects.bulk_create(
        [
            ReviewStep(
                review=review,
                gate_step=gate.steps.all()[0],
                order=gate.steps.all()[0].order,
                name=gate.steps.all()[0].name,
                mode=gate.steps.all()[0].mode,
                status=StepStatus.ACTIVE,
                groups={"role:director": [d.pk for d in directors]},
            )
            for review, (_project, gate) in zip(reviews, waiting, strict=True)
        ],
        batch_size=BATCH,
    )
    ReviewStep.approvers.through.objects.bulk_create(
        [ReviewStep.approvers.through(reviewstep_id=step.pk, user_id=d.pk) for step in steps for d in directors],
        batch_size=BATCH,
    )
    assert all(r.status == ReviewStatus.PENDING for r in reviews)


def bench_projects():
    """Projects created by the generator (any batch)."""
    return Project.objects.filter(code__startswith="BN")
