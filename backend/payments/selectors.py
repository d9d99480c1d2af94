"""Reads for payments: payment terms with collected and outstanding amounts, and receivables aging. Sums are
computed in SQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, CharField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.accounts.models import User
from backend.core.counts import cached
from backend.core.permissions import visible_to
from backend.milestones.selectors import MONEY, ZERO
from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.projects.models import Project

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class TermAmounts(TypedDict):
    """What ``payment_terms_with_amounts`` annotates."""

    received: Decimal
    outstanding: Decimal


class TermState(TermAmounts):
    """What ``payment_terms_with_state`` annotates."""

    state: str


def _received_subquery() -> Coalesce:
    received = (
        Receipt.objects.filter(payment_term=OuterRef("pk"))
        .order_by()
        .values("payment_term")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(received, output_field=MONEY), ZERO)


def payment_terms_with_amounts(
    qs: QuerySet[PaymentTerm] | None = None,
) -> QuerySet[WithAnnotations[PaymentTerm, TermAmounts]]:
    """Terms annotated with ``received`` and ``outstanding`` (amount − received − written off)."""
    qs = PaymentTerm.objects.all() if qs is None else qs
    return qs.annotate(received=_received_subquery()).annotate(
        outstanding=ExpressionWrapper(F("amount") - F("received") - F("written_off"), output_field=MONEY)
    )


def term_outstanding(*, term_id: int) -> Decimal:
    return payment_terms_with_amounts(PaymentTerm.objects.filter(pk=term_id)).values_list("outstanding", flat=True)[0]


def project_outstanding(*, project: Project) -> Decimal:
    total = payment_terms_with_amounts(project.payment_terms.all()).aggregate(t=Sum("outstanding"))["t"]
    return Decimal(total or 0)


AGING_BUCKETS = [("0-30", 0, 30), ("31-90", 31, 90), ("91-180", 91, 180), (">180", 181, None)]


def receivables_aging(*, user: User, today: date | None = None) -> dict[str, Any]:
    """Outstanding amounts of due terms, by days past due, over the projects ``user`` sees (one query)."""
    today = today or timezone.localdate()
    qs = payment_terms_with_amounts(visible_to(user, PaymentTerm.objects.filter(due_date__isnull=False)))
    qs = qs.filter(outstanding__gt=Decimal(0), due_date__lte=today)
    aggregates = {}  # buckets by due-date ranges (portable: no date arithmetic in SQL)
    for label, low, high in AGING_BUCKETS:
        condition = {"due_date__lte": today - timedelta(days=low)}
        if high is not None:
            condition["due_date__gt"] = today - timedelta(days=high + 1)
        aggregates[label] = Coalesce(
            Sum(Case(When(then=F("outstanding"), **condition), default=ZERO, output_field=MONEY)), ZERO
        )
    # kept until a term, a receipt or a table the visibility reads is written (``backend.core.counts``)
    row = cached(qs, "aging", lambda terms: terms.aggregate(**aggregates, total=Coalesce(Sum("outstanding"), ZERO)))
    return {
        "buckets": [{"label": label, "amount": row[label]} for label, _l, _h in AGING_BUCKETS],
        "total": row["total"],
    }


def customer_receivables(*, user: User, customer_id: int, today: date) -> dict[str, Decimal]:
    """Over the customer's projects ``user`` may see (one query): what is outstanding, and the part of it past
    its due date (``overdue``: due before ``today``, as the payments tab counts it)."""
    qs = payment_terms_with_amounts(visible_to(user, PaymentTerm.objects.filter(project__customer_id=customer_id)))
    overdue = Case(When(due_date__lt=today, then=F("outstanding")), default=ZERO, output_field=MONEY)
    return qs.filter(outstanding__gt=Decimal(0)).aggregate(
        outstanding_total=Coalesce(Sum("outstanding"), ZERO), overdue_total=Coalesce(Sum(overdue), ZERO)
    )


def payment_terms_with_state(
    *, project: Project, today: date, due_window_days: int
) -> QuerySet[WithAnnotations[PaymentTerm, TermState]]:
    """The project's terms with ``received``, ``outstanding`` and ``state`` (paid / overdue / due — within
    ``due_window_days`` of its due date — / not_due), from SQL."""
    return payment_terms_with_amounts(project.payment_terms.select_related("milestone")).annotate(
        state=Case(
            When(outstanding__lte=0, then=Value("paid")),
            When(due_date__lt=today, then=Value("overdue")),
            When(due_date__lte=today + timedelta(days=due_window_days), then=Value("due")),
            default=Value("not_due"),
            output_field=CharField(),
        )
    )


def payment_totals(*, project: Project) -> dict[str, Decimal]:
    """Sums over the project's terms: amount, received, written_off, outstanding, percent (one query)."""
    # aliases differ from the annotations they sum: an aggregate named like an annotation would replace it
    sums = payment_terms_with_amounts(project.payment_terms.all()).aggregate(
        total_amount=Coalesce(Sum("amount"), ZERO),
        total_received=Coalesce(Sum("received"), ZERO),
        total_written_off=Coalesce(Sum("written_off"), ZERO),
        total_outstanding=Coalesce(Sum("outstanding"), ZERO),
        total_percent=Coalesce(Sum("percent"), ZERO),
    )
    return {key.removeprefix("total_"): value for key, value in sums.items()}


class InvoiceAmounts(TypedDict):
    """What ``invoices_with_amounts`` annotates."""

    received: Decimal
    outstanding: Decimal


def invoices_with_amounts(qs: QuerySet[Invoice] | None = None) -> QuerySet[WithAnnotations[Invoice, InvoiceAmounts]]:
    """Invoices annotated with what was collected against each (``received``, the receipts naming it) and what
    is still to collect on it (``outstanding`` = amount − received), from SQL."""
    qs = Invoice.objects.all() if qs is None else qs
    invoice_received = (
        Receipt.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(t=Sum("amount"))
        .values("t")
    )
    return qs.annotate(received=Coalesce(Subquery(invoice_received, output_field=MONEY), ZERO)).annotate(
        outstanding=ExpressionWrapper(F("amount") - F("received"), output_field=MONEY)
    )


def invoice_outstanding(*, invoice_id: int) -> Decimal:
    return invoices_with_amounts(Invoice.objects.filter(pk=invoice_id)).values_list("outstanding", flat=True)[0]


def invoices_with_received(*, project: Project) -> QuerySet[WithAnnotations[Invoice, InvoiceAmounts]]:
    """The project's invoices with ``received`` and ``outstanding``, from SQL."""
    return invoices_with_amounts(project.invoices.select_related("payment_term"))


def overdue_terms(*, user: User, today: date, search: str = "") -> QuerySet[WithAnnotations[PaymentTerm, TermAmounts]]:
    """Terms past due with something outstanding, over the projects ``user`` sees, the oldest first;
    ``search`` keeps those whose project code or name, customer or term name contains it."""
    qs = (
        payment_terms_with_amounts(
            visible_to(user, PaymentTerm.objects.filter(due_date__isnull=False, due_date__lte=today))
        )
        .filter(outstanding__gt=Decimal(0))
        .select_related("project__customer", "milestone")
        .order_by("due_date", "pk")
    )
    if search:
        qs = qs.filter(
            Q(project__code__icontains=search)
            | Q(project__name__icontains=search)
            | Q(project__customer__name__icontains=search)
            | Q(name__icontains=search)
        )
    return qs
