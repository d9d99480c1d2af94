"""Writes for customers, contacts and interactions. Each function is one transaction; the duplicate
guard lives here (and, for races, in the unique constraints on ``name_key`` and ``credit_code``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import PermissionDenied, ValidationFailed
from backend.core.permissions import can
from backend.core.services import model_update
from backend.customers.choices import Tier
from backend.customers.identity import credit_code_problem, normalize_credit_code, normalize_name
from backend.customers.models import Contact, Customer, Interaction

CUSTOMER_FIELDS = ("name", "credit_code", "industry", "region", "owner", "address", "website", "notes")
CONTACT_FIELDS = ("name", "title", "phone", "email", "decision_role", "notes")
INTERACTION_FIELDS = ("kind", "occurred_at", "summary", "notes")


def _hidden_duplicate(*, field: str) -> ValidationFailed:
    message = _(
        "A customer with this %(field)s is already registered, but it is not visible to you. "
        "Ask your department head or a sales director to add you to it."
    ) % {"field": _("name") if field == "name" else _("credit code")}
    return ValidationFailed(message, fields={field: [message]}, code="duplicate_customer")


def customer_identity_check(
    *, name: str, credit_code: str | None, exclude_pk: int | None = None, actor: User | None = None
) -> tuple[str, str | None]:
    """Return (name_key, credit_code) after refusing a duplicate. The existing customer is named only to
    an ``actor`` who may see it (or when no actor is given: the admin); others learn only that it exists."""
    from backend.core.permissions import visible_to

    def hidden(clash: Customer) -> bool:
        return actor is not None and not visible_to(actor, Customer.objects.filter(pk=clash.pk)).exists()

    name_key = normalize_name(name)
    if not name_key:
        raise ValidationFailed(_("A customer needs a name."), fields={"name": [_("This field is required.")]})
    code = normalize_credit_code(credit_code)
    if code:
        problem = credit_code_problem(code)
        if problem:
            message = _("Unified social credit code %(code)s is not valid: %(problem)s.") % {
                "code": code,
                "problem": problem,
            }
            raise ValidationFailed(message, fields={"credit_code": [message]}, code="invalid_credit_code")
    others = Customer.objects.exclude(pk=exclude_pk) if exclude_pk else Customer.objects.all()
    clash = others.filter(name_key=name_key).first()
    if clash and hidden(clash):
        raise _hidden_duplicate(field="name")
    if clash:
        message = _("A customer with this name already exists: %(name)s (owner %(owner)s).") % {
            "name": clash.name,
            "owner": clash.owner,
        }
        raise ValidationFailed(
            message, fields={"name": [message]}, code="duplicate_customer", extra={"existing_customer": clash.pk}
        )
    if code:
        clash = others.filter(credit_code=code).first()
        if clash and hidden(clash):
            raise _hidden_duplicate(field="credit_code")
        if clash:
            message = _("Credit code %(code)s already belongs to customer %(name)s (owner %(owner)s).") % {
                "code": code,
                "name": clash.name,
                "owner": clash.owner,
            }
            raise ValidationFailed(
                message,
                fields={"credit_code": [message]},
                code="duplicate_customer",
                extra={"existing_customer": clash.pk},
            )
    return name_key, code


def _save_guarded(customer: Customer, *, actor: User | None = None, **save_kwargs: Any) -> None:
    """Save; a concurrent duplicate that slipped past the guard hits the unique constraint."""
    try:
        with transaction.atomic():
            customer.save(**save_kwargs)
    except IntegrityError:
        customer_identity_check(
            name=customer.name, credit_code=customer.credit_code, exclude_pk=customer.pk, actor=actor
        )
        raise


@transaction.atomic
def customer_create(
    *,
    actor: User,
    name: str,
    owner: User | None = None,
    credit_code: str | None = None,
    industry: str = "",
    region: str = "",
    address: str = "",
    website: str = "",
    notes: str = "",
) -> Customer:
    name = name.strip()
    name_key, code = customer_identity_check(name=name, credit_code=credit_code, actor=actor)
    customer = Customer(
        name=name,
        name_key=name_key,
        credit_code=code,
        region=region,
        owner=owner or actor,
        address=address,
        website=website,
        notes=notes,
    )
    if industry:
        customer.industry = industry
    customer.full_clean(exclude=["name_key"], validate_unique=False)
    _save_guarded(customer, actor=actor)
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, data: dict[str, Any]) -> Customer:
    _require_change(actor, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    data = {k: v for k, v in data.items() if k in CUSTOMER_FIELDS}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    data["name_key"], data["credit_code"] = customer_identity_check(
        name=data.get("name", customer.name),
        credit_code=data.get("credit_code", customer.credit_code),
        exclude_pk=customer.pk,
        actor=actor,
    )
    customer, _changed = model_update(instance=customer, data=data, fields=(*CUSTOMER_FIELDS, "name_key"))
    return customer


@transaction.atomic
def customer_grade_set(*, actor: User, customer: Customer, tier: str) -> Customer:
    """Set the customer's grade (ABC tier) by hand, which the nightly ranking then leaves alone; an empty
    ``tier`` hands the grade back to the ranking (the tier stays until the next ranking moves it)."""
    _require_change(actor, customer)
    if tier not in ("", *Tier.values):
        message = _("%(tier)s is not a grade; choose one of %(grades)s.") % {
            "tier": tier,
            "grades": ", ".join(Tier.values),
        }
        raise ValidationFailed(message, fields={"tier": [message]}, code="invalid_tier")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    data: dict[str, Any] = {"tier_manual": bool(tier)}
    if tier:
        data["tier"] = tier
    customer, _changed = model_update(instance=customer, data=data, fields=("tier", "tier_manual"))
    return customer


def _require_change(actor: User, customer: Customer) -> None:
    if not can(actor, "change", customer):
        raise PermissionDenied(_("You may not change customer %(name)s.") % {"name": customer.name})


@transaction.atomic
def contact_create(
    *,
    actor: User,
    customer: Customer,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    decision_role: str = "",
    notes: str = "",
) -> Contact:
    _require_change(actor, customer)
    contact = Contact(customer=customer, name=name.strip(), title=title, phone=phone, email=email, notes=notes)
    if decision_role:
        contact.decision_role = decision_role
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, data: dict[str, Any]) -> Contact:
    _require_change(actor, contact.customer)
    contact, _changed = model_update(instance=contact, data=data, fields=CONTACT_FIELDS)
    return contact


@transaction.atomic
def interaction_create(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    occurred_at: datetime,
    summary: str,
    notes: str = "",
    contacts: Sequence[Contact] = (),
) -> Interaction:
    strangers = [c.name for c in contacts if c.customer_id != customer.pk]
    if strangers:
        message = _("These contacts do not work at %(customer)s: %(names)s.") % {
            "customer": customer.name,
            "names": ", ".join(strangers),
        }
        raise ValidationFailed(message, fields={"contacts": [message]})
    interaction = Interaction(
        customer=customer, kind=kind, occurred_at=occurred_at, summary=summary.strip(), notes=notes, author=actor
    )
    interaction.full_clean()
    interaction.save()
    interaction.contacts.set(contacts)
    return interaction
