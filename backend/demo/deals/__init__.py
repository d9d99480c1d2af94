"""Demo projects: 45 deals on the demo customers, spread over every presales state, each played through the
real services (transitions, gate decisions by the demo approvers, quotations, bids and opening records,
contract terms, win/loss records) so that events, reviews and reports are genuine.

History is backdated by playing each deal on a simulated clock: while a deal plays, ``timezone.now`` returns
the moment of the story (up to 18 months back), so codes, events, reviews, approvals and quotations carry
plausible dates; the few columns whose default captured the real clock are corrected with ``update()``.
Idempotent: a deal whose project name already exists is skipped, so a second run writes nothing.
Demo-only: application code must not import this module.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from backend.accounts.models import Department, User
from backend.accounts.services import user_set_roles
from backend.bids.choices import QuotationStatus
from backend.bids.models import Quotation
from backend.customers.identity import normalize_name
from backend.customers.models import Customer
from backend.demo.clock import _announce_pending_reviews, _Clock, _simulated
from backend.demo.deals.catalogue import ACCOUNT_MANAGERS, COMPETITORS, CUSTOMERS, DEALS, PARTNERS, PROBABILITY, Deal
from backend.demo.deals.plan import _Context, _plan
from backend.demo.deals.story import _Story
from backend.projects.models import Competitor, Partner, Project, ProjectEvent
from workflows.models import ProcessTemplate, StageTemplate

__all__ = [
    "COMPETITORS",
    "CUSTOMERS",
    "PROBABILITY",
    "Deal",
    "_Clock",
    "_Context",
    "_Story",
    "_catalogues",
    "_plan",
    "_simulated",
    "load",
]

# --- load ------------------------------------------------------------------------------------------------


def _account_managers(password: str) -> None:
    departments = {d.name: d for d in Department.objects.all()}
    managers = {u.username: u for u in User.objects.filter(username__in=["bidmgr", "director"])}
    for username, first, last, title, department, manager in ACCOUNT_MANAGERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            title=title,
            department=departments.get(department),
            manager=managers.get(manager),
            email=f"{username}@example.com",
        )
        user.set_password(password)
        user.save()
        user_set_roles(user=user, roles=["bid_manager"])


def _catalogues() -> tuple[dict[str, Competitor], dict[str, Partner]]:
    competitors = {}
    for alias, (name, website, strengths, weaknesses, solution) in COMPETITORS.items():
        competitors[alias], _ = Competitor.objects.get_or_create(
            name=name,
            defaults={
                "website": website,
                "strengths": strengths,
                "weaknesses": weaknesses,
                "notes": f"典型方案 Typical offer: {solution}",
            },
        )
    partners = {}
    for alias, (name, kind, contact, notes) in PARTNERS.items():
        partners[alias], _ = Partner.objects.get_or_create(
            name=name, defaults={"kind": kind, "contact": contact, "notes": notes}
        )
    return competitors, partners


def load(*, password: str, log: Callable[[str], None]) -> None:
    _account_managers(password)
    competitors, partners = _catalogues()
    todo = [deal for deal in DEALS if not Project.objects.filter(name=deal.name).exists()]
    if todo:
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        ctx = _Context(
            now=timezone.now(),
            users=users,
            customers={alias: Customer.objects.get(name_key=normalize_name(name)) for alias, name in CUSTOMERS.items()},
            competitors=competitors,
            partners=partners,
            templates={t.code: t for t in ProcessTemplate.objects.all()},
            standard_days={
                (s.template.code, s.stage): s.standard_days for s in StageTemplate.objects.select_related("template")
            },
            clock=_Clock(),
        )
        plans = sorted((_plan(deal, ctx) for deal in todo), key=lambda plan: plan.created)
        with _simulated(ctx.clock):
            played = [_Story(plan, ctx).play() for plan in plans]
        _announce_pending_reviews(played)
    log(
        f"projects: {Project.objects.count()} projects ({len(todo)} new), {len(competitors)} competitors, "
        f"{len(partners)} partners, {ProjectEvent.objects.count()} events, "
        f"{Quotation.objects.filter(status=QuotationStatus.APPROVED).count()} approved quotations"
    )
