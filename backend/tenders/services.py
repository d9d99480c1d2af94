"""Writes for tenders: register (routing may assign the owner), update, attach files, delete, and open a
project from a tender."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.core.permissions import can
from backend.core.services import model_update
from backend.core.uploads import check_upload
from backend.projects.models import Project
from backend.tenders.models import Tender, TenderAttachment

# --- tenders -------------------------------------------------------------------------------------------

TENDER_FIELDS = (
    "number",
    "title",
    "buyer",
    "customer",
    "budget",
    "currency",
    "industry",
    "region",
    "publish_date",
    "registration_deadline",
    "bid_deadline",
    "opening_date",
    "qualification_requirements",
    "source_url",
    "notes",
)


def _customer_visible(actor: User, customer: Any) -> bool:
    from backend.core.permissions import visible_to
    from backend.customers.models import Customer

    return visible_to(actor, Customer.objects.filter(pk=customer.pk)).exists()


def _require_visible_customer(actor: User, customer: Any) -> None:
    """A tender may name only a customer its author can see; any other id is answered as if it did not exist."""
    if customer is not None and not _customer_visible(actor, customer):
        from rest_framework.relations import PrimaryKeyRelatedField

        # DRF's own words for a missing id, so a hidden customer reads exactly like one that does not exist
        message = str(PrimaryKeyRelatedField.default_error_messages["does_not_exist"]).format(pk_value=customer.pk)
        raise ValidationFailed(message, fields={"customer": [message]}, code="invalid")


@transaction.atomic
def tender_create(*, actor: User, owner: User | None = None, **fields: Any) -> Tender:
    """Register a tender; a routing rule may assign its owner. Duplicate numbers are refused."""
    from workflows.routing.services import routing_assign, routing_preview

    _require_visible_customer(actor, fields.get("customer"))

    number = (fields.get("number") or "").strip()
    fields["number"] = number
    existing = Tender.objects.filter(number=number).first() if number else None
    if existing:
        raise ValidationFailed(
            _("Tender number %(number)s is already registered: %(title)s.")
            % {"number": number, "title": existing.title},
            fields={"number": [_("duplicate")]},
            code="duplicate_tender",
            extra={"existing_tender": existing.pk},
        )
    values = {
        "industry": fields.get("industry"),
        "region": fields.get("region"),
        "source": "tender",
        "amount": fields.get("budget"),
    }
    # an owner given by hand takes no turn of a round-robin rule
    decision = (
        routing_assign(target="tender", values=values)
        if owner is None
        else routing_preview(target="tender", values=values, every=False)
    )
    rule = decision.rule
    if owner is None:
        owner = decision.user or actor
    tender = Tender(owner=owner, routing_rule=rule, **{k: v for k, v in fields.items() if k in TENDER_FIELDS})
    tender.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            tender.save()
    except IntegrityError:
        raise ValidationFailed(
            _("Tender number %(number)s is already registered.") % {"number": number},
            fields={"number": [_("duplicate")]},
            code="duplicate_tender",
        ) from None
    if owner != actor:
        from backend.core.notifications import notify

        notify(recipients=[owner], kind="tender_assigned", params={"tender": tender}, url=f"/tenders/{tender.pk}/")
    return tender


@transaction.atomic
def tender_update(*, actor: User, tender: Tender, data: dict[str, Any]) -> Tender:
    if data.get("customer") is not None and data["customer"].pk != tender.customer_id:
        _require_visible_customer(actor, data["customer"])
    if "number" in data and data["number"] != tender.number and Tender.objects.filter(number=data["number"]).exists():
        raise ValidationFailed(
            _("Tender number %(number)s is already registered.") % {"number": data["number"]},
            fields={"number": [_("duplicate")]},
            code="duplicate_tender",
        )
    tender, _changed = model_update(instance=tender, data=data, fields=TENDER_FIELDS)
    return tender


@transaction.atomic
def tender_create_project(*, actor: User, tender: Tender, customer: Any = None, name: str = "") -> Project:
    """Open a project from a tender: buyer, budget, deadlines and attachments carry over."""
    from django.core.files.base import ContentFile

    from backend.customers.models import Customer
    from backend.customers.services import customer_create
    from backend.projects.services import project_create

    if customer is None:
        customer = tender.customer
    if customer is not None and not _customer_visible(actor, customer):
        # opening the project would make its creator a member, and so let them see the customer
        raise PermissionDenied(
            _(
                "The customer of tender %(number)s is not visible to you. Ask the tender's owner %(owner)s "
                "or a sales director to open the project."
            )
            % {"number": tender.number, "owner": tender.owner}
        )
    if customer is None:
        from backend.customers.identity import normalize_name

        match = Customer.objects.filter(name_key=normalize_name(tender.buyer)).first()
        if match is not None and not _customer_visible(actor, match):
            raise PermissionDenied(
                _(
                    "A customer named like the buyer %(buyer)s is already registered, but it is not visible to "
                    "you. Ask your department head or a sales director to add you to it, or to open the project."
                )
                % {"buyer": tender.buyer}
            )
        customer = match or customer_create(
            actor=actor, name=tender.buyer, industry=tender.industry, region=tender.region
        )
    if tender.customer_id is None:
        tender.customer = customer
        tender.save(update_fields=["customer", "updated_at"])
    deadlines = [
        (_("Registration deadline"), tender.registration_deadline),
        (_("Bid deadline"), tender.bid_deadline),
        (_("Opening"), tender.opening_date),
    ]
    description = "\n".join(
        [tender.title, *(f"{label}: {timezone.localtime(value):%Y-%m-%d %H:%M}" for label, value in deadlines if value)]
        + ([tender.qualification_requirements] if tender.qualification_requirements else [])
    )
    project = project_create(
        actor=actor,
        name=name or tender.title,
        customer=customer,
        owner=tender.owner,
        source="tender",
        industry=tender.industry,
        region=tender.region,
        estimated_amount=tender.budget or Decimal(0),
        expected_close_date=timezone.localdate(tender.opening_date) if tender.opening_date else None,
        description=description,
        tender=tender,
    )
    from backend.projects.models import ProjectAttachment

    for attachment in tender.attachments.all():
        with attachment.file.open("rb") as handle:
            copy = ProjectAttachment(project=project, name=attachment.name, uploaded_by=actor)
            copy.file.save(attachment.name, ContentFile(handle.read()), save=True)
    return project


def attachment_max_bytes() -> int:
    """The one upload limit of the installation (``UPLOAD_MAX_BYTES``), for tender attachments too."""
    return settings.UPLOAD_MAX_BYTES


# --- tender permission, attachments, deletion ----------------------------------------------------------------


def tender_can_edit(*, user: User, tender: Tender) -> bool:
    """The permission layer's ``change`` of a tender (``permissions.py``)."""
    return can(user, "change", tender)


def tender_require_edit(*, user: User, tender: Tender | None = None) -> None:
    """Refuse unless ``user`` may change ``tender`` (or, with no tender, register one)."""
    if not (can(user, "add", Tender) if tender is None else can(user, "change", tender)):
        raise PermissionDenied(_("Only bid managers, directors and the tender's owner may change tenders."))


def _safe_filename(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "attachment"
    stem, ext = os.path.splitext(base)
    return f"{stem[:60]}{ext[:10]}"


@transaction.atomic
def tender_attachment_add(*, actor: User, tender: Tender, file: UploadedFile, name: str = "") -> TenderAttachment:
    """Attach a file (the notice, the tender documents) to a tender. The same checks as every upload
    (``backend.core.uploads``): not empty, within ``UPLOAD_MAX_BYTES``, and a known type by its content."""
    tender_require_edit(user=actor, tender=tender)
    limit = attachment_max_bytes()
    if file.size is not None and file.size > limit:  # refused before the file is read
        raise ValidationFailed(
            _("The file is %(size)s MB; attachments may be at most %(max)d MB.")
            % {"size": f"{file.size / 1024 / 1024:.1f}", "max": limit // 1024 // 1024},
            fields={"file": [_("too large")]},
            code="file_too_large",
        )
    filename = _safe_filename(file.name or "")
    data = file.read()
    check_upload(name=filename, data=data, max_bytes=limit)
    attachment = TenderAttachment(tender=tender, name=(name or filename).strip()[:200])
    attachment.file.save(filename, ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def tender_delete(*, actor: User, tender: Tender) -> None:
    """Delete a tender that no project was opened from (its attachments' files go after commit)."""
    tender_require_edit(user=actor, tender=tender)
    if tender.projects.exists():
        raise Conflict(
            _("Projects were opened from tender %(number)s; it cannot be deleted.") % {"number": tender.number}
        )
    files = [a.file for a in tender.attachments.all() if a.file]
    tender.delete()

    def remove_files() -> None:
        for stored in files:
            stored.storage.delete(stored.name or "")

    transaction.on_commit(remove_files)
