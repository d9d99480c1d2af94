"""Payments pages: the project page's "Payments" tab (its context and the POST actions posted from it) and the
receivables page.

``project_payments_context(request, project)`` builds what ``payments/_project_payments_tab.html`` needs in a
fixed number of queries (SQL annotations; nothing grows with receipts). Each POST view loads its objects through
``visible_to`` (404 when invisible), lets a service decide, turns a refusal into a message and redirects back to
the tab. No business rule lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core import lists
from backend.core.pagination import DeferredPaginator as Paginator
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.customers.models import Customer
from backend.milestones import charts
from backend.milestones.models import Milestone
from backend.milestones.views import _back, _form_messages, _refused
from backend.payments import services
from backend.payments.forms import InvoiceForm, PaymentTermForm, ReceiptForm, WriteOffForm
from backend.payments.lists import INVOICES, RECEIVABLES, InvoiceFilterSet
from backend.payments.models import Invoice, PaymentTerm
from backend.payments.selectors import (
    customer_receivables,
    invoices_with_received,
    overdue_terms,
    payment_terms_with_amounts,
    payment_terms_with_state,
    payment_totals,
    receivables_aging,
)
from backend.projects.choices import CostCategory
from backend.projects.models import Project
from backend.projects.pages import project_or_404
from backend.projects.selectors import project_financials

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from backend.payments.selectors import TermAmounts

DUE_WINDOW_DAYS = 30  # a payment term is "due" from this many days before its due date
RECEIVABLE_ROWS = 50  # a page of past-due terms; the rest are a page away, or in the export
TERM_STATES = {
    "paid": (gettext_lazy("Paid"), "text-bg-success"),
    "overdue": (gettext_lazy("Overdue"), "text-bg-danger"),
    "due": (gettext_lazy("Due"), "text-bg-warning"),
    "not_due": (gettext_lazy("Not due"), "text-bg-secondary"),
}


# --- reads for the payments tab ----------------------------------------------------------------------------


def _term_choices(terms: Sequence[WithAnnotations[PaymentTerm, TermAmounts]]) -> list[tuple[str, str]]:
    return [(str(t.pk), f"{t.name} ({t.outstanding:,.2f})") for t in terms]


def project_payments_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """Everything ``payments/_project_payments_tab.html`` needs; ``project`` must be visible to the user.

    Keys: ``project``, ``today``, ``terms`` (annotated with received, outstanding, state, ``state_label`` and
    ``state_badge``), ``totals``, ``invoices`` (with ``received``), ``receipts``, ``financials`` (from
    ``project_financials``), ``budget_rows``, ``terms_percent_off`` (the terms do not add up to 100 %),
    ``terms_amount_off`` (they do, but not to the contract amount),
    ``collections_chart`` and ``budget_chart`` (HTML or None),
    ``can_record``, ``can_write_off`` and the forms ``term_form``, ``invoice_form``, ``receipt_form``,
    ``write_off_form`` (None when the user may not use them).
    """
    user = request.user
    today = timezone.localdate()
    terms = list(payment_terms_with_state(project=project, today=today, due_window_days=DUE_WINDOW_DAYS))
    for term in terms:
        term.state_label, term.state_badge = TERM_STATES[term.state]
    totals = payment_totals(project=project)
    invoices = list(invoices_with_received(project=project))
    receipts = list(
        project.receipts.select_related("payment_term", "invoice", "recorded_by").order_by("-received_on", "-pk")
    )
    financials = project_financials(project=project)
    budget_rows = [
        {
            "category": value,
            "label": label,
            "planned": financials["planned"].get(value, 0),
            "actual": financials["actual"].get(value, 0),
            "variance": financials["planned"].get(value, 0) - financials["actual"].get(value, 0),
        }
        for value, label in CostCategory.choices
    ]
    can_record = can(user, "record_payment", project)
    can_write_off = can(user, "write_off", project)
    context: dict[str, Any] = {
        "project": project,
        "today": today,
        "terms": terms,
        "totals": totals,
        "invoices": invoices,
        "receipts": receipts,
        "financials": financials,
        "budget_rows": budget_rows,
        "budget_remaining": financials["planned_total"] - financials["actual_total"],
        # payment terms that do not split the whole contract: a warning on the tab (none before any term exists)
        "terms_percent_off": bool(terms) and totals["percent"] != 100,
        # 100 % of the contract, but not its amount: the contract amount changed after the terms were set
        "terms_amount_off": bool(terms) and totals["percent"] == 100 and totals["amount"] != financials["revenue"],
        "due_window_days": DUE_WINDOW_DAYS,
        "collections_chart": charts.figure_html(charts.collections_figure(terms), div_id="payments-collections")
        if terms
        else None,
        "budget_chart": charts.figure_html(charts.budget_figure(budget_rows), div_id="payments-budget")
        if financials["planned_total"] or financials["actual_total"]
        else None,
        "can_record": can_record,
        "can_write_off": can_write_off,
        "term_form": None,
        "invoice_form": None,
        "receipt_form": None,
        "write_off_form": None,
    }
    term_choices = _term_choices(terms)
    if can_record:
        milestones = [(str(m.pk), m.name) for m in project.milestones.only("pk", "name", "name_en")]
        context["term_form"] = PaymentTermForm(auto_id="id_term_%s", milestones=milestones)
        context["invoice_form"] = InvoiceForm(auto_id="id_invoice_%s", terms=term_choices, initial={"issued_on": today})
        context["receipt_form"] = ReceiptForm(
            auto_id="id_receipt_%s",
            terms=term_choices,
            invoices=[(str(i.pk), f"{i.number} ({i.outstanding:,.2f})") for i in invoices],
            initial={"received_on": today},
        )
    if can_write_off:
        context["write_off_form"] = WriteOffForm(auto_id="id_writeoff_%s", terms=term_choices)
    return context


# --- pages ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def project_payments(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The payments tab on a page of its own; its forms come back here."""
    project = project_or_404(request, pk)
    context = {**project_payments_context(request, project), "delivery_next": request.path}
    return render(request, "payments/project_payments.html", context)


def customer_receivables_context(request: AuthenticatedRequest, customer: Customer) -> dict[str, Any]:
    """The customer page's "Receivables" section: outstanding and overdue over the visible projects (one query)."""
    return {"receivables": customer_receivables(user=request.user, customer_id=customer.pk, today=timezone.localdate())}


@login_required
@require_GET
def receivables(request: AuthenticatedRequest) -> HttpResponse:
    """Receivables aging over the projects the user sees, and the terms past due."""
    today = timezone.localdate()
    aging = receivables_aging(user=request.user, today=today)
    search = request.GET.get("q", "").strip()[:100]
    late = overdue_terms(user=request.user, today=today, search=search)
    listing, late = lists.listing(request, RECEIVABLES, late)
    if lists.wants_export(request):
        return lists.export_xlsx(RECEIVABLES, late)
    page = Paginator(late, RECEIVABLE_ROWS).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for term in rows:
        term.days_late = (today - term.due_date).days if term.due_date is not None else None  # overdue: has one
    context = {
        "aging": aging,
        "today": today,
        "late_terms": rows,
        "page": page,
        "query": listing.query,
        "listing": listing,
        "search": search,
        "aging_chart": charts.figure_html(charts.aging_figure(aging["buckets"]), div_id="receivables-aging"),
    }
    return render(request, "payments/receivables.html", context)


# --- payments ----------------------------------------------------------------------------------------------


def _project_terms(
    request: AuthenticatedRequest, project: Project
) -> dict[str, WithAnnotations[PaymentTerm, TermAmounts]]:
    qs = payment_terms_with_amounts(visible_to(request.user, PaymentTerm.objects.filter(project=project)))
    return {str(t.pk): t for t in qs}


@login_required
@require_POST
def payment_term_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    milestones = {str(m.pk): m for m in visible_to(request.user, Milestone.objects.filter(project=project))}
    form = PaymentTermForm(request.POST, milestones=[(k, m.name) for k, m in milestones.items()])
    heading = _("The payment term was not added.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    with refused(request, heading=heading):
        term = services.payment_term_add(
            actor=request.user,
            project=project,
            name=data["name"],
            percent=data["percent"],
            milestone=milestones.get(data["milestone"]),
            due_date=data["due_date"],
            days_after_acceptance=data["days_after_acceptance"],
        )
        messages.success(
            request,
            _("Payment term '%(name)s' added: %(amount)s.") % {"name": term.name, "amount": f"{term.amount:,.2f}"},
        )
    return _back(request, project, "payments")


@login_required
@require_POST
def invoice_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    terms = _project_terms(request, project)
    form = InvoiceForm(request.POST, terms=_term_choices(list(terms.values())))
    heading = _("The invoice was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    with refused(request, heading=heading):
        invoice = services.invoice_create(
            actor=request.user,
            project=project,
            number=data["number"].strip(),
            amount=data["amount"],
            issued_on=data["issued_on"],
            due_on=data["due_on"],
            payment_term=terms.get(data["payment_term"]),
        )
        messages.success(request, _("Invoice %(number)s recorded.") % {"number": invoice.number})
    return _back(request, project, "payments")


@login_required
@require_POST
def receipt_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    terms = _project_terms(request, project)
    invoices = {str(i.pk): i for i in visible_to(request.user, Invoice.objects.filter(project=project))}
    form = ReceiptForm(
        request.POST, terms=_term_choices(list(terms.values())), invoices=[(k, i.number) for k, i in invoices.items()]
    )
    heading = _("The receipt was not recorded.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    with refused(request, heading=heading):
        receipt = services.receipt_record(
            actor=request.user,
            payment_term=terms[data["payment_term"]],
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
            invoice=invoices.get(data["invoice"]),
        )
        messages.success(
            request,
            _("Receipt of %(amount)s recorded against %(term)s.")
            % {"amount": f"{receipt.amount:,.2f}", "term": receipt.payment_term.name},
        )
    return _back(request, project, "payments")


@login_required
@require_POST
def write_off(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    terms = _project_terms(request, project)
    form = WriteOffForm(request.POST, terms=_term_choices(list(terms.values())))
    heading = _("Nothing was written off.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project, "payments")
    data = form.cleaned_data
    with refused(request, heading=heading):
        term = services.payment_write_off(
            actor=request.user, payment_term=terms[data["payment_term"]], amount=data["amount"], reason=data["reason"]
        )
        messages.success(
            request, _("%(amount)s written off on %(term)s.") % {"amount": f"{data['amount']:,.2f}", "term": term.name}
        )
    return _back(request, project, "payments")


@login_required
@require_GET
def invoice_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every invoice on the projects the user sees: filters, sortable columns, the amount total, saved filters
    and the Excel export (``backend.core.lists``)."""
    visible = visible_to(request.user, Invoice.objects.select_related("project__customer", "payment_term"))
    filterset = InvoiceFilterSet(request.GET or None, queryset=visible)
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    context = {"search_hint": _("Invoice number, project or customer")}
    return lists.render_list(request, INVOICES, queryset, filterset=filterset, context=context)
