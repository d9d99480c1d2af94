"""Synthetic data for the benchmarks at the plan's sizes (S, M, L): departments, users with roles,
customers with contacts, projects along the lifecycle with their members, events, checklists, tenders,
competitors, bids with opening records, win/loss records, quotations with lines, contract terms,
milestones, payment terms, invoices and receipts, interactions, pending reviews, and knowledge articles.

Rows are written in bulk (``COPY`` on PostgreSQL, ``executemany`` on SQLite), bypassing the services (no
notifications, no routing, no search indexing): it must never be used for demo or production data.

``generate(size)`` fills the database up to ``size``: one benchmark data set per database, identified by
its names and codes (``BN-0000001``, ``bn_u00001``, ``…BN客户000001…``). Each chunk of rows is one
transaction and each row draws its random numbers from a generator seeded by its index, so a run that was
killed continues where it stopped, writes no duplicates and ends with exactly the rows of an unbroken run;
a larger size tops a smaller one up.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from bench.data.lifecycle import WINDOW_DAYS
from bench.data.projects import Chunk, Context
from bench.data.writer import Table, model, next_ids, reset_sequences

ROOT = "Bench data"
PASSWORD = "bench"
CHUNK = 2000  # projects per transaction
CUSTOMER_CHUNK = 10_000
ARTICLE_CHUNK = 5_000
# What the generated articles are about (the search benchmark's words come from here too). The order is part
# of the seed's result: a new topic goes at the end.
ARTICLE_TOPICS = [
    "数据中心", "网络安全", "云平台", "投标技巧", "合同评审", "验收流程", "SD-WAN", "storage", "HPC", "备份恢复",
]  # fmt: skip
REGIONS = 7


@dataclass(frozen=True)
class Size:
    users: int
    customers: int
    projects: int
    articles: int


# The plan's sizes (DESIGN.md, issue 15): never shrink them.
SIZES = {
    "S": Size(users=60, customers=1_000, projects=5_000, articles=250),
    "M": Size(users=400, customers=20_000, projects=100_000, articles=5_000),
    "L": Size(users=2_000, customers=100_000, projects=1_000_000, articles=50_000),
}


def size_for_projects(projects: int) -> Size:
    """A size in the proportions of the plan's sizes with exactly ``projects`` projects."""
    return Size(
        users=max(30, projects // 250),
        customers=max(8, projects // 5),
        projects=projects,
        articles=max(2, projects // 20),
    )


@dataclass
class Generated:
    size: Size
    seconds: float
    written: dict[str, int] = field(default_factory=dict)  # rows written by this run, by table


def bench_projects():
    """Projects created by the generator."""
    return model("Project").objects.filter(code__startswith="BN-")


def bench_users():
    return model("User").objects.filter(username__startswith="bn_u")


def _role(i: int) -> str:
    special = {0: "director", 1: "director", 2: "exec", 3: "finance", 4: "legal", 5: "kbadmin"}
    if i in special:
        return special[i]
    r = i % 20
    if r < 12 or r == 19:
        return "bid_manager" if r % 2 == 0 else "presales"
    return {12: "pm", 13: "pm", 14: "engineer", 15: "engineer", 16: "engineer", 17: "finance", 18: "quality"}[r]


SALES = {"bid_manager", "presales", "director", "exec", "kbadmin", "legal"}


@transaction.atomic
def _setup(size: Size, now) -> dict[str, int]:
    """Departments, users, competitors and knowledge categories (small; one transaction)."""
    written: dict[str, int] = {}
    from backend.accounts.services import roles_ensure

    Department, User = model("Department"), model("User")
    roles_ensure()
    groups = {g.name: g for g in Group.objects.all()}
    root, _ = Department.objects.get_or_create(name=ROOT, parent=None)
    regions = [c[0] for c in model("Project")._meta.get_field("region").choices[:REGIONS]]
    sales = []
    for n, region in enumerate(regions):
        dept, _ = Department.objects.get_or_create(
            name=f"{ROOT} sales {n + 1}", parent=root, defaults={"region": region}
        )
        sales.append(dept)
    delivery, _ = Department.objects.get_or_create(name=f"{ROOT} delivery", parent=root)
    finance, _ = Department.objects.get_or_create(name=f"{ROOT} finance", parent=root)

    have = bench_users().count()
    if have < size.users:
        password = make_password(PASSWORD)
        new = []
        for i in range(have, size.users):
            role = _role(i)
            dept = (
                root
                if i < 6
                else sales[(i // 20 * 12 + i % 20) % len(sales)]
                if role in SALES
                else finance
                if role == "finance"
                else delivery
            )
            new.append(
                User(
                    username=f"bn_u{i:05d}",
                    first_name=f"用户{i}",
                    last_name="Bench",
                    email=f"bn_u{i:05d}@example.com",
                    password=password,
                    department=dept,
                    date_joined=now - timedelta(days=WINDOW_DAYS + 30),
                )
            )
        created = User.objects.bulk_create(new, batch_size=1000)
        written["User"] = len(created)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=groups[_role(int(u.username[4:]))].pk) for u in created],
            batch_size=1000,
        )
    users = {u.username: u for u in bench_users().select_related("department")}
    for dept in [*sales, delivery, finance]:
        if dept.head_id is None:
            members = sorted(
                (u for u in users.values() if u.department_id == dept.pk and int(u.username[4:]) >= 6),
                key=lambda u: u.username,
            )
            if members:
                dept.head = members[0]
                dept.save(update_fields=["head"])
    if root.head_id is None:
        root.head = users["bn_u00000"]
        root.save(update_fields=["head"])

    if not model("WinLossReason").objects.exists():  # e.g. a test database flushed after its migrations
        from backend.bids.reasons import reasons_ensure

        reasons_ensure()
    Competitor = model("Competitor")
    if not Competitor.objects.filter(name__startswith="BN竞争者").exists():
        Competitor.objects.bulk_create([Competitor(name=f"BN竞争者{n:03d} Rival {n}") for n in range(1, 121)])
    Category = model("Category")
    if not Category.objects.filter(name=f"{ROOT} 知识", parent=None).exists():
        top = Category.objects.create(name=f"{ROOT} 知识")
        Category.objects.bulk_create(
            [
                Category(name=name, parent=top, order=n)
                for n, name in enumerate(["解决方案", "投标经验", "实施手册", "产品资料", "案例", "FAQ"])
            ]
        )
    return written


def _context(now) -> Context:
    Department = model("Department")
    users = list(bench_users().order_by("pk").values_list("pk", "username", "department_id"))
    role = {pk: _role(int(username[4:])) for pk, username, _ in users}
    heads = set(Department.objects.exclude(head=None).values_list("head_id", flat=True))
    by_role: dict[str, list[int]] = {}
    for pk, r in role.items():
        by_role.setdefault(r, []).append(pk)
    sellers = [pk for pk in by_role.get("bid_manager", []) + by_role.get("presales", []) if pk not in heads]
    sellers.sort()
    customers = list(
        model("Customer")
        .objects.filter(name__contains="BN客户")
        .order_by("pk")
        .values_list("pk", "name", "industry", "region", "owner_id")
    )
    template = model("ProcessTemplate").objects.filter(is_default=True).first()
    if template is None:  # an empty database: load the shipped templates (as `sicrm load-templates` does)
        from workflows.loader import templates_load_all

        templates_load_all()
        template = model("ProcessTemplate").objects.filter(is_default=True).first()
    actions = (
        [
            (s.stage, a.text, a.order, a.required)
            for s in template.stages.order_by("pk")
            for a in s.actions.order_by("pk")
        ]
        if template
        else []
    )
    gates = {}
    if template:
        for gate in template.gates.prefetch_related("steps"):
            steps = sorted(gate.steps.all(), key=lambda s: s.order)
            if steps:
                gates[gate.kind] = (gate.pk, steps[0].pk, steps[0].order, steps[0].name, steps[0].mode)
    return Context(
        now=now,
        customers=customers,
        sellers=sellers,
        bid_managers=by_role.get("bid_manager", []),
        presales=by_role.get("presales", []),
        delivery=by_role.get("pm", []) + by_role.get("engineer", []),
        pms=by_role.get("pm", []),
        finance=by_role.get("finance", []),
        directors=by_role.get("director", []),
        department_of={pk: dept for pk, _u, dept in users},
        competitors=list(
            model("Competitor").objects.filter(name__startswith="BN竞争者").order_by("pk").values_list("pk", flat=True)
        ),
        reasons=list(model("WinLossReason").objects.order_by("pk").values_list("pk", flat=True)),
        template_id=template.pk if template else None,
        actions=actions,
        gates=gates,
    )


def _customers_chunk(first: int, count: int, seed: int, now, sellers: list[int]) -> dict[str, int]:
    from backend.customers.identity import normalize_name

    rng = random.Random()
    Customer, Contact = model("Customer"), model("Contact")
    ids = next_ids(Customer)
    next_id = ids[Customer]
    customers, contacts = Table(Customer, with_id=True), Table(Contact)
    industries = [c[0] for c in Customer._meta.get_field("industry").choices]
    regions = [c[0] for c in Customer._meta.get_field("region").choices][:REGIONS]
    cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "西安", "武汉", "天津", "南京", "苏州", "重庆"]
    kinds = ["有限公司", "集团", "医院", "大学", "分行", "管理局", "股份有限公司"]
    for i in range(first, first + count):
        rng.seed(f"{seed}:customer:{i}")
        name = f"{rng.choice(cities)}BN客户{i + 1:06d}{rng.choice(kinds)}"
        moment = now - timedelta(days=rng.uniform(WINDOW_DAYS, WINDOW_DAYS + 365))
        customers.add(
            id=next_id,
            name=name,
            name_key=normalize_name(name),
            industry=rng.choice(industries),
            region=rng.choice(regions),
            owner_id=rng.choice(sellers),
            created_at=moment,
            updated_at=moment,
        )
        for n in range(rng.randint(1, 3)):
            contacts.add(
                customer_id=next_id,
                name=f"联系人{i + 1}-{n + 1}",
                title=rng.choice(["信息中心主任", "采购经理", "CIO", "IT manager", ""]),
                phone=f"138{rng.randint(0, 99_999_999):08d}",
                created_at=moment,
                updated_at=moment,
            )
        next_id += 1
    written = {"Customer": customers.flush(), "Contact": contacts.flush()}
    reset_sequences(Customer)
    return written


def _articles_chunk(first: int, count: int, seed: int, now) -> dict[str, int]:
    rng = random.Random()
    Article, Version = model("Article"), model("ArticleVersion")
    Department = model("Department")
    next_id = next_ids(Article)[Article]
    articles, versions = Table(Article, with_id=True), Table(Version)
    departments = Table(Article.departments.through)
    roles = Table(Article.roles.through)
    authors = list(bench_users().order_by("pk").values_list("pk", flat=True))
    categories = list(model("Category").objects.filter(parent__name=f"{ROOT} 知识").values_list("pk", flat=True))
    depts = list(Department.objects.filter(parent__name=ROOT).values_list("pk", flat=True))
    groups = list(Group.objects.filter(name__in=["presales", "bid_manager", "pm"]).values_list("pk", flat=True))
    for i in range(first, first + count):
        rng.seed(f"{seed}:article:{i}")
        topic = rng.choice(ARTICLE_TOPICS)
        title = f"BN-KB-{i + 1:06d} {topic}经验总结 {rng.choice(['一', '二', '三'])}"
        summary = f"{topic}项目中的常见问题与做法 Lessons on {topic}"
        body = "\n\n".join(
            f"## {n}. {topic}\n\n{summary}。客户需求、方案设计、实施要点与风险。" for n in range(1, rng.randint(3, 8))
        )
        moment = now - timedelta(days=rng.uniform(0, WINDOW_DAYS))
        status = rng.choices(["published", "draft", "in_review", "archived"], weights=[80, 10, 5, 5])[0]
        visibility = rng.choices(["public", "department", "roles"], weights=[70, 20, 10])[0]
        author = rng.choice(authors)
        articles.add(
            id=next_id,
            title=title,
            summary=summary,
            body=body,
            body_html="".join(f"<p>{line}</p>" for line in body.split("\n\n")),
            industry="",
            category_id=rng.choice(categories) if categories else None,
            author_id=author,
            status=status,
            visibility=visibility,
            version=1,
            published_at=moment if status in ("published", "archived") else None,
            search_dirty=False,
            created_at=moment,
            updated_at=moment,
        )
        versions.add(
            article_id=next_id,
            version=1,
            title=title,
            summary=summary,
            body=body,
            edited_by_id=author,
            created_at=moment,
        )
        if visibility == "department" and depts:
            for dept in rng.sample(depts, k=min(len(depts), rng.randint(1, 2))):
                departments.add(article_id=next_id, department_id=dept)
        if visibility == "roles" and groups:
            roles.add(article_id=next_id, group_id=rng.choice(groups))
        next_id += 1
    written = {"Article": articles.flush(), "ArticleVersion": versions.flush()}
    departments.flush()
    roles.flush()
    reset_sequences(Article)
    return written


def generate(
    *,
    size: Size,
    seed: int = 42,
    chunk: int = CHUNK,
    progress: bool = True,
    log: Callable[[str], None] = print,
    on_chunk: Callable[[str, int], None] | None = None,
) -> Generated:
    """Fill the database up to ``size``; returns the rows this run wrote.

    ``on_chunk(phase, first)`` is called inside each chunk's transaction after its rows are written (the
    tests raise there to kill a run half-way).
    """
    from tqdm import tqdm

    started = time.perf_counter()
    result = Generated(size=size, seconds=0.0)

    def count(rows: dict[str, int]) -> None:
        for name, n in rows.items():
            result.written[name] = result.written.get(name, 0) + n

    # One "now" for the whole data set, so a resumed run continues the same timeline.
    anchor = model("User").objects.filter(username="bn_u00000").values_list("date_joined", flat=True).first()
    # Midnight (UTC), so the same seed gives the same rows whatever the time of day.
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    now = anchor + timedelta(days=WINDOW_DAYS + 30) if anchor else today
    count(_setup(size, now))
    ctx = _context(now)

    Customer = model("Customer")
    have = Customer.objects.filter(name__contains="BN客户").count()
    sellers = ctx.sellers
    with tqdm(total=size.customers, initial=min(have, size.customers), unit=" customers", disable=not progress) as bar:
        for first in range(have, size.customers, CUSTOMER_CHUNK):
            n = min(CUSTOMER_CHUNK, size.customers - first)
            with transaction.atomic():
                count(_customers_chunk(first, n, seed, now, sellers))
                if on_chunk:
                    on_chunk("customers", first)
            bar.update(n)
    if have < size.customers:
        ctx = _context(now)

    have = bench_projects().count()
    with tqdm(total=size.projects, initial=min(have, size.projects), unit=" projects", disable=not progress) as bar:
        for first in range(have, size.projects, chunk):
            n = min(chunk, size.projects - first)
            with transaction.atomic():
                count(Chunk(ctx, first, n, seed).write())
                if on_chunk:
                    on_chunk("projects", first)
            bar.update(n)

    have = model("Article").objects.filter(title__startswith="BN-KB-").count()
    with tqdm(total=size.articles, initial=min(have, size.articles), unit=" articles", disable=not progress) as bar:
        for first in range(have, size.articles, ARTICLE_CHUNK):
            n = min(ARTICLE_CHUNK, size.articles - first)
            with transaction.atomic():
                count(_articles_chunk(first, n, seed, now))
                if on_chunk:
                    on_chunk("articles", first)
            bar.update(n)

    if result.written:
        log("analysing the tables …")
        analyse()
    result.seconds = time.perf_counter() - started
    return result


def analyse() -> None:
    """Fresh planner statistics (and, on PostgreSQL, visibility maps) after a bulk load."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def totals() -> dict[str, int]:
    """Rows now in the database for the benchmark data set (and everything else), by table."""
    names = [
        "User", "Customer", "Contact", "Project", "ProjectMember", "ProjectEvent", "StageChecklistItem", "Tender",
        "ProjectCompetitor", "Bid", "BidOpeningEntry", "WinLossRecord", "Quotation", "QuotationLine",
        "ContractTerms", "Milestone", "PaymentTerm", "Invoice", "Receipt", "Interaction", "Review", "Article",
    ]  # fmt: skip
    return {name: model(name).objects.count() for name in names}
