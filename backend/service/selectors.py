"""Reads on the service desk, always through the permission layer: the request list and page, what the
hotline agent sees about a caller (customer, contacts, projects with their warranty, open requests), the
knowledge articles that may answer a request, and the warranty that decides whether work is covered."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.customers.models import Contact, Customer
from backend.projects.models import Project, ProjectEvent
from backend.service.choices import OPEN_STATES, Coverage
from backend.service.models import ServiceRequest

# a project in delivery is covered by the contract itself; from 验收 on, by its warranty
DELIVERY_STATES = ("implementation", "acceptance_review")
WARRANTY_STATES = ("accepted", "warranty", "closed")
DEFAULT_WARRANTY_MONTHS = 12
HOTLINE_LIMIT = 8


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_ends_on(project: Project | None) -> date | None:
    """The last day of ``project``'s warranty: the day it was accepted (or its warranty started) plus the
    contract's warranty months (12 when the contract names none). None before acceptance."""
    if project is None or project.status not in WARRANTY_STATES:
        return None
    started = (
        ProjectEvent.objects.filter(project=project, target__in=("accepted", "warranty"))
        .aggregate(first=Min("created_at"))
        .get("first")
    )
    if started is None:
        return None
    terms = getattr(project, "contract_terms", None) if hasattr(project, "contract_terms") else None
    months = getattr(terms, "warranty_months", None) or DEFAULT_WARRANTY_MONTHS
    return add_months(started.date(), months)


def coverage_of(project: Project | None, on: date) -> tuple[str, date | None]:
    """Whether work on ``on`` for ``project`` is owed (under warranty, or still in delivery) or billable, and
    the warranty's last day when known. A request without a project is billable."""
    if project is None:
        return Coverage.BILLABLE, None
    if project.status in DELIVERY_STATES:
        return Coverage.WARRANTY, None
    ends = warranty_ends_on(project)
    if ends is not None and on <= ends:
        return Coverage.WARRANTY, ends
    return Coverage.BILLABLE, ends


def request_list_visible(*, user: User) -> QuerySet[ServiceRequest]:
    return visible_to(user, ServiceRequest.objects.all()).select_related(
        "customer", "contact", "project", "assignee", "sla_policy"
    )


def request_detail(*, user: User, pk: int) -> ServiceRequest:
    """One request the user may see (404 otherwise), with what its page shows."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        request_list_visible(user=user)
        .select_related("created_by", "routing_rule", "article")
        .prefetch_related("notes__author", "attachments", "events__actor"),
        pk=pk,
    )


def project_requests(*, user: User, project: Project) -> QuerySet[ServiceRequest]:
    return request_list_visible(user=user).filter(project=project)


# --- the hotline log ---------------------------------------------------------------------------------------


PHONE_MARKS = (" ", "-", "(", ")", "+", ".", "/")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass
class CallerMatch:
    """One customer the caller may belong to, with what the agent needs on screen at once."""

    customer: Customer
    contacts: list[Contact] = field(default_factory=list)
    matched_contact: Contact | None = None
    projects: list[Project] = field(default_factory=list)
    open_requests: list[ServiceRequest] = field(default_factory=list)


def hotline_lookup(*, user: User, query: str) -> list[CallerMatch]:
    """Customers whose contact's phone holds the digits typed (at least 4), or whose name or contact's name
    holds the text; each with its contacts, its projects in delivery or after 验收 (with the warranty's end
    and coverage), and its open requests. A fixed number of queries, whatever the matches."""
    text = (query or "").strip()
    if not text:
        return []
    digits = _digits(text)
    contacts = visible_to(user, Contact.objects.all())
    by_contact = Q(name__icontains=text)
    if len(digits) >= 4:
        # phones are typed as people write them (021-6888 1234, +86 21 …): compare the digits only
        phone_digits: Any = F("phone")
        for mark in PHONE_MARKS:
            phone_digits = Replace(phone_digits, Value(mark), Value(""))
        contacts = contacts.annotate(phone_digits=phone_digits)
        by_contact |= Q(phone_digits__contains=digits)
    hits = list(contacts.filter(by_contact).values_list("pk", "customer_id")[:50])
    matched = {customer_id: contact_id for contact_id, customer_id in reversed(hits)}
    customer_ids = list(matched)
    named = visible_to(user, Customer.objects.filter(name__icontains=text)).values_list("pk", flat=True)[:HOTLINE_LIMIT]
    customer_ids += [pk for pk in named if pk not in matched]
    customer_ids = customer_ids[:HOTLINE_LIMIT]
    if not customer_ids:
        return []
    delivery = Project.objects.filter(status__in=(*DELIVERY_STATES, *WARRANTY_STATES)).select_related("contract_terms")
    open_requests = ServiceRequest.objects.filter(status__in=OPEN_STATES).select_related("assignee")
    customers = (
        Customer.objects.filter(pk__in=customer_ids)
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("name"), to_attr="all_contacts"),
            Prefetch("projects", queryset=delivery.order_by("-pk"), to_attr="delivery_projects"),
            Prefetch("service_requests", queryset=open_requests.order_by("-created_at"), to_attr="open_list"),
        )
        .in_bulk()
    )
    starts = _warranty_starts([p.pk for c in customers.values() for p in c.delivery_projects])
    today = timezone.localdate()
    matches = []
    for pk in customer_ids:
        customer = customers.get(pk)
        if customer is None:
            continue
        for project in customer.delivery_projects:
            _annotate_warranty(project, starts.get(project.pk), today)
        contact = next((c for c in customer.all_contacts if c.pk == matched.get(pk)), None)
        matches.append(
            CallerMatch(
                customer=customer,
                contacts=customer.all_contacts,
                matched_contact=contact,
                projects=customer.delivery_projects,
                open_requests=customer.open_list,
            )
        )
    return matches


def _warranty_starts(project_ids: list[int]) -> dict[int, date]:
    rows = (
        ProjectEvent.objects.filter(project_id__in=project_ids, target__in=("accepted", "warranty"))
        .values("project_id")
        .annotate(first=Min("created_at"))
    )
    return {row["project_id"]: row["first"].date() for row in rows}


def _annotate_warranty(project: Project, started: date | None, today: date) -> None:
    """Set ``warranty_ends`` and ``covered`` on ``project`` for the page (no query)."""
    project.warranty_ends = None  # type: ignore[attr-defined]
    if project.status in DELIVERY_STATES:
        project.covered = True  # type: ignore[attr-defined]
        return
    if started is not None:
        terms = getattr(project, "contract_terms", None) if hasattr(project, "contract_terms") else None
        months = getattr(terms, "warranty_months", None) or DEFAULT_WARRANTY_MONTHS
        project.warranty_ends = add_months(started, months)  # type: ignore[attr-defined]
    project.covered = project.warranty_ends is not None and today <= project.warranty_ends  # type: ignore[attr-defined]


# --- knowledge at hand -------------------------------------------------------------------------------------


def knowledge_suggestions(*, user: User, request: ServiceRequest, limit: int = 5) -> list[Any]:
    """Knowledge articles that may answer ``request``: the same search (and the same permissions, inside the
    index query) as the search page, asked with the request's subject and product line, which name the problem;
    only when they find nothing, with its description too (a caller's words match much that is beside the point)."""
    from backend.search.selectors import search_for_user

    hits: list[Any] = []
    for text in (
        " ".join(part for part in (request.subject, request.product) if part),
        " ".join(part for part in (request.subject, request.product, request.description[:300]) if part),
    ):
        if text.strip():
            page = search_for_user(user=user, text=text, types=["article"], page_size=limit, facets=False)
            hits = list(page.result.hits)
        if hits or not request.description:
            break
    return hits


# --- the desk's queue figures -------------------------------------------------------------------------------


def queue_counts(*, user: User) -> dict[str, int]:
    """Open requests the user sees: unassigned, assigned to the user, and in all (one query)."""
    return visible_to(user, ServiceRequest.objects.filter(status__in=OPEN_STATES)).aggregate(
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        mine=Count("pk", filter=Q(assignee_id=user.pk)),
        total=Count("pk"),
    )


def my_open_requests(*, user: User, limit: int = 8) -> list[ServiceRequest]:
    """The open requests assigned to ``user``, the nearest resolution deadline first (the dashboard's card)."""
    mine = ServiceRequest.objects.filter(assignee_id=user.pk, status__in=OPEN_STATES).select_related("customer")
    return list(mine.order_by(F("resolution_due_at").asc(nulls_last=True), "pk")[:limit])
