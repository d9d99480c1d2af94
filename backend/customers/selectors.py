"""Reads for customers, contacts and interactions, always through the visibility filter."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.customers.filtersets import CustomerFilterSet
from backend.customers.models import Contact, Customer, Interaction


def contact_count() -> Coalesce:
    """Each customer's number of contacts, as a subquery: a join with ``COUNT`` would group every visible
    customer before a page of 25 could be cut (issue 15)."""
    per_customer = (
        Contact.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_customer, output_field=IntegerField()), Value(0))


def customer_list_visible(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Customer]:
    qs = visible_to(user, Customer.objects.all()).select_related("owner").annotate(contact_count=contact_count())
    return CustomerFilterSet(filters, qs).qs if filters else qs


def customer_get_visible(*, user: User, pk: int) -> Customer:
    """The customer if ``user`` may see it (Customer.DoesNotExist otherwise, → 404)."""
    return visible_to(user, Customer.objects.select_related("owner", "owner__department")).get(pk=pk)


def customer_detail_related(*, customer: Customer) -> dict[str, Any]:
    contacts = list(customer.contacts.all())
    interactions = list(
        customer.interactions.select_related("author").prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.only("id", "name", "customer_id"))
        )[:50]
    )
    return {"contacts": contacts, "interactions": interactions}


def contact_list_visible(*, user: User) -> QuerySet[Contact]:
    return visible_to(user, Contact.objects.select_related("customer"))


def interaction_list_visible(*, user: User) -> QuerySet[Interaction]:
    return visible_to(user, Interaction.objects.select_related("customer", "author")).prefetch_related("contacts")
