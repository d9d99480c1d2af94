"""Writes for payments: payment terms (by hand, or from the process template at kickoff), invoices, receipts
and write-offs. A receipt or write-off larger than what is outstanding is refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from backend.accounts.models import User
from backend.core import bounds
from backend.core.errors import PermissionDenied, ValidationFailed
from backend.core.localized import both, render_both, text_pair
from backend.core.permissions import can
from backend.milestones.models import Milestone
from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.projects.models import Project
from workflows.models import MilestoneTemplate

CENT = Decimal("0.01")


# --- payments ----------------------------------------------------------------------------------------------


def _require_finance(project: Project, actor: User) -> None:
    if not can(actor, "record_payment", project):
        raise PermissionDenied(_("Only the project team and finance may record payments."))


@transaction.atomic
def payment_term_add(
    *,
    actor: User,
    project: Project,
    name: str,
    percent: Decimal,
    milestone: Milestone | None = None,
    due_date: date | None = None,
    days_after_acceptance: int = 30,
) -> PaymentTerm:
    _require_finance(project, actor)
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationFailed(_("That milestone belongs to another project."), fields={"milestone": ["foreign"]})
    planned = project.payment_terms.aggregate(p=Sum("percent"))["p"] or Decimal(0)
    if planned + Decimal(percent) > 100:
        raise ValidationFailed(
            _("Payment terms would add up to %(total)s%%; at most 100%% of the contract.")
            % {"total": planned + Decimal(percent)},
            fields={"percent": [_("over 100%")]},
        )
    contract = project.contract_amount if project.contract_amount is not None else project.estimated_amount
    order = (project.payment_terms.aggregate(m=Max("order"))["m"] or 0) + 1
    term = PaymentTerm(
        project=project,
        milestone=milestone,
        name=name,
        order=order,
        percent=percent,
        amount=(Decimal(contract) * Decimal(percent) / 100).quantize(CENT),
        due_date=due_date,
        days_after_acceptance=days_after_acceptance,
    )
    term.full_clean()
    term.save()
    return term


@transaction.atomic
def invoice_create(
    *,
    actor: User,
    project: Project,
    number: str,
    amount: Decimal,
    issued_on: date,
    payment_term: PaymentTerm | None = None,
    due_on: date | None = None,
) -> Invoice:
    _require_finance(project, actor)
    if payment_term is not None and payment_term.project_id != project.pk:
        raise ValidationFailed(_("That payment term belongs to another project."), fields={"payment_term": ["x"]})
    if Invoice.objects.filter(number=number).exists():
        raise ValidationFailed(_("Invoice number %(n)s already exists.") % {"n": number}, fields={"number": ["dup"]})
    invoice = Invoice(
        project=project,
        payment_term=payment_term,
        number=number.strip(),
        amount=amount,
        issued_on=issued_on,
        due_on=due_on,
    )
    invoice.full_clean()
    invoice.save()
    return invoice


@transaction.atomic
def receipt_record(
    *,
    actor: User,
    payment_term: PaymentTerm,
    amount: Decimal,
    received_on: date,
    reference: str = "",
    invoice: Invoice | None = None,
) -> Receipt:
    """Money received against a payment term; more than is outstanding is refused."""
    from backend.payments.selectors import term_outstanding

    term = PaymentTerm.objects.select_for_update().select_related("project").get(pk=payment_term.pk)
    _require_finance(term.project, actor)
    amount = Decimal(amount)
    outstanding = term_outstanding(term_id=term.pk)
    if amount <= 0:
        raise ValidationFailed(_("A receipt must be a positive amount."), fields={"amount": [_("not positive")]})
    if amount > outstanding:
        raise ValidationFailed(
            _("%(amount)s is more than the %(outstanding)s still outstanding on %(term)s.")
            % {"amount": f"{amount:,.2f}", "outstanding": f"{outstanding:,.2f}", "term": term.name},
            fields={"amount": [_("more than outstanding")]},
        )
    if invoice is not None:
        _check_invoice_collection(invoice=invoice, term=term, amount=amount)
    receipt = Receipt(
        project=term.project,
        payment_term=term,
        invoice=invoice,
        amount=amount,
        received_on=received_on,
        reference=reference,
        recorded_by=actor,
    )
    receipt.full_clean()
    receipt.save()
    return receipt


def _check_invoice_collection(*, invoice: Invoice, term: PaymentTerm, amount: Decimal) -> None:
    """A receipt matched to ``invoice``: of the same project and term, and no more than is still to collect on
    the invoice (over-collecting an invoice is refused)."""
    from backend.payments.selectors import invoice_outstanding

    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.project_id != term.project_id:
        raise ValidationFailed(_("That invoice belongs to another project."), fields={"invoice": ["foreign"]})
    if invoice.payment_term_id is not None and invoice.payment_term_id != term.pk:
        raise ValidationFailed(
            _("Invoice %(number)s was issued for another payment term; record the receipt against that term.")
            % {"number": invoice.number},
            fields={"invoice": [_("another payment term")]},
        )
    outstanding = invoice_outstanding(invoice_id=invoice.pk)
    if amount > outstanding:
        raise ValidationFailed(
            _(
                "%(amount)s is more than the %(outstanding)s still to collect on invoice %(number)s "
                "(%(total)s invoiced); an invoice cannot be over-collected."
            )
            % {
                "amount": f"{amount:,.2f}",
                "outstanding": f"{outstanding:,.2f}",
                "number": invoice.number,
                "total": f"{invoice.amount:,.2f}",
            },
            fields={"invoice": [_("more than the invoice's balance")]},
            code="invoice_over_collected",
        )


@transaction.atomic
def payment_write_off(*, actor: User, payment_term: PaymentTerm, amount: Decimal, reason: str) -> PaymentTerm:
    from backend.payments.selectors import term_outstanding

    term = PaymentTerm.objects.select_for_update().select_related("project").get(pk=payment_term.pk)
    if not can(actor, "write_off", term.project):
        raise PermissionDenied(_("Only finance or a director may write off receivables."))
    if not reason.strip():
        raise ValidationFailed(_("Say why: a reason is required to write off."), fields={"reason": [_("required")]})
    amount = Decimal(amount)
    if amount <= 0 or amount > term_outstanding(term_id=term.pk):
        raise ValidationFailed(
            _("The write-off must be positive and at most what is outstanding."), fields={"amount": [_("out of range")]}
        )
    term.written_off += amount
    term.write_off_reason = "\n".join(filter(None, [term.write_off_reason, reason.strip()]))
    term.save(update_fields=["written_off", "write_off_reason", "updated_at"])
    return term


# --- kickoff -----------------------------------------------------------------------------------------------


def _advance_name(name: object) -> dict[str, str]:
    """The advance's name from the template file ({zh, en} or one string), else the product's own words."""
    if name:
        zh, en = text_pair(name)
        return {"name": zh, "name_en": en}
    words = render_both(lambda: _("Advance payment"))
    return {"name": words["zh"], "name_en": words["en"]}


def _term_name(spec: MilestoneTemplate) -> dict[str, str]:
    """ "Payment on <milestone>" in both languages, each naming the milestone in its own language."""
    milestone = both(spec, "name")
    words = render_both(lambda: _("Payment on %(milestone)s"))
    return {
        "name": words["zh"] % {"milestone": milestone["name"]},
        "name_en": words["en"] % {"milestone": milestone["name_en"] or milestone["name"]},
    }


def payment_terms_from_template(
    *, project: Project, start: date, milestones_by_template: dict[int, Milestone]
) -> list[PaymentTerm]:
    """The payment terms of the project's process template (the advance, due some days after ``start``, and one
    per paid milestone), their amounts split from the contract amount (else the estimate)."""
    template = project.process_template
    assert template is not None  # called at kickoff, which needs the process template
    contract = project.contract_amount if project.contract_amount is not None else project.estimated_amount
    advance = (template.definition or {}).get("advance_payment") or {}
    terms: list[PaymentTerm] = []
    if advance.get("percent"):
        terms.append(
            PaymentTerm(
                project=project,
                **_advance_name(advance.get("name")),
                order=0,
                percent=Decimal(str(advance["percent"])),
                amount=Decimal(0),
                due_date=start + timedelta(days=int(advance.get("days", 15))),
            )
        )
    for spec in template.milestones.order_by("order"):
        if spec.payment_percent:
            terms.append(
                PaymentTerm(
                    project=project,
                    milestone=milestones_by_template[spec.pk],
                    **_term_name(spec),
                    order=spec.order + 1,
                    percent=spec.payment_percent,
                    amount=Decimal(0),
                )
            )
    _split_amounts(terms, Decimal(contract))
    bounds.check_many(terms)  # bulk_create sends no pre_save: the range guard is called here
    return bulk_create_with_history(terms, PaymentTerm)  # the request's user, else the system


def _split_amounts(terms: list[PaymentTerm], contract: Decimal) -> None:
    """Amounts by percent, rounded to the cent; the last term takes the rounding remainder."""
    if not terms:
        return
    total_percent = sum((t.percent for t in terms), Decimal(0))
    allotted = Decimal(0)
    for term in terms:
        term.amount = (contract * term.percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        allotted += term.amount
    if total_percent == 100:
        terms[-1].amount += contract - allotted
