"""Customer pages: list (search, filter, pagination), detail with contacts and interactions, and the
create/edit forms. Thin: selectors read, services write, errors land on the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.accounts.http import AuthenticatedRequest
from backend.core import lists
from backend.core.pagination import DeferredPaginator as Paginator
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.customers import selectors, services
from backend.customers.filtersets import CustomerFilterSet
from backend.customers.forms import ContactForm, CustomerForm, GradeForm, InteractionForm
from backend.customers.lists import CUSTOMERS
from backend.customers.models import Contact, Customer
from backend.customers.panels import panels_for

PAGE_SIZE = 25


@login_required
def customer_list(request: AuthenticatedRequest) -> HttpResponse:
    filterset = CustomerFilterSet(request.GET or None, queryset=selectors.customer_list_visible(user=request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    listing, queryset = lists.listing(request, CUSTOMERS, queryset)
    if lists.wants_export(request):
        return lists.export_xlsx(CUSTOMERS, queryset)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filterset": filterset, "page": page, "query": listing.query, "listing": listing}
    template = "customers/_customer_table.html" if request.headers.get("HX-Request") else "customers/list.html"
    return render(request, template, context)


def _customer_or_404(request: AuthenticatedRequest, pk: int) -> Customer:
    try:
        return selectors.customer_get_visible(user=request.user, pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


@login_required
def customer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _customer_or_404(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthenticatedRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form) as refusal:
            customer = services.customer_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
        existing = _existing_customer(refusal.refusal.extra if refusal.refusal else {})
    context = {"form": form, "customer": None, "existing_customer": existing}
    return render(request, "customers/form.html", context)


def _existing_customer(extra: dict) -> int | None:
    """The customer a duplicate refusal names: the guard names it only to who may see it."""
    pk = extra.get("existing_customer")
    return pk if isinstance(pk, int) else None


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    if not can(request.user, "change", customer):  # the page offers no edit then; a typed URL is told why
        messages.error(request, _("You may not change customer %(name)s.") % {"name": customer.name})
        return redirect("customers:detail", pk=customer.pk)
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))
    existing = None
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form) as refusal:
            services.customer_update(actor=request.user, customer=customer, data=form.cleaned_data)
            messages.success(request, _("Customer %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("customers:detail", pk=customer.pk)
        existing = _existing_customer(refusal.refusal.extra if refusal.refusal else {})
    status = 400 if form.errors else 200
    context = {"form": form, "customer": customer, "existing_customer": existing}
    return render(request, "customers/form.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def customer_grade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Set the grade by hand (whoever may change the customer); a refusal is told on the page."""
    customer = _customer_or_404(request, pk)
    form = GradeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose a grade: %(errors)s") % {"errors": " ".join(str(e) for e in form.errors.get("tier", []))}
        )
        return redirect("customers:detail", pk=customer.pk)
    with refused(request):
        services.customer_grade_set(actor=request.user, customer=customer, tier=form.cleaned_data["tier"])
        messages.success(request, _("Grade of %(name)s saved.") % {"name": customer.name})
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_http_methods(["POST"])
def contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        with refused(request, form=form):
            services.contact_create(actor=request.user, customer=customer, **form.cleaned_data)
            messages.success(request, _("Contact %(name)s added.") % {"name": form.cleaned_data["name"]})
            return redirect("customers:detail", pk=customer.pk)
    return _render_detail(request, customer, status=400, contact_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(visible_to(request.user, Contact.objects.select_related("customer")), pk=pk)
    form = ContactForm(request.POST or None, instance=Contact.objects.get(pk=contact.pk))
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.contact_update(actor=request.user, contact=contact, data=form.cleaned_data)
            messages.success(request, _("Contact %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("customers:detail", pk=contact.customer_id)
    return render(request, "customers/contact_form.html", {"form": form, "contact": contact})


@login_required
@require_http_methods(["POST"])
def interaction_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _customer_or_404(request, pk)
    form = InteractionForm(request.POST, customer=customer, prefix="interaction")
    if form.is_valid():
        with refused(request, form=form):
            services.interaction_create(actor=request.user, customer=customer, **form.cleaned_data)
            messages.success(request, _("Interaction logged."))
            return redirect("customers:detail", pk=customer.pk)
    return _render_detail(request, customer, status=400, interaction_form=form)


def _render_detail(request: AuthenticatedRequest, customer: Customer, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        "customer": customer,
        "can_change": can(request.user, "change", customer),
        "contact_form": ContactForm(prefix="contact"),
        "interaction_form": InteractionForm(customer=customer, prefix="interaction"),
        "grade_form": GradeForm(initial={"tier": customer.tier if customer.tier_manual else ""}),
        "panels": panels_for(request, customer),
        **selectors.customer_detail_related(customer=customer),
        **forms,
    }
    return render(request, "customers/detail.html", context, status=status)
