"""The project page's "Bids & quotations" tab: its context and the POST actions posted from it.

``project_bids_context(request, project)`` builds everything ``bids/_project_bids_tab.html`` needs in a fixed
number of queries (prefetches and SQL annotations; nothing grows with bids, quotations or lines). Each POST
view loads the project through ``visible_to`` (404 when invisible), lets a service decide, shows a refusal
as a message (``backend.core.refusals``) and redirects back to the tab. No business rule lives here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.bids import selectors, services
from backend.bids.choices import QuotationStatus
from backend.bids.forms import (
    US,
    BidCreateForm,
    BidUpdateForm,
    ContractTermsForm,
    OpeningFormSet,
    QuotationForm,
    QuotationLineEditFormSet,
    QuotationLineFormSet,
    QuotationSubmitForm,
    bidder_choices,
)
from backend.bids.lists import QUOTATIONS, QuotationFilterSet
from backend.bids.models import Bid, Quotation
from backend.bids.selectors import quotation_totals
from backend.core import lists
from backend.core.permissions import can
from backend.core.refusals import refused
from backend.customers.models import Customer
from backend.projects.models import Competitor, Project
from backend.projects.pages import project_or_404

# --- reads for the tab -------------------------------------------------------------------------------------


def _opening_initial(bid: Bid, competitors: list[Competitor]) -> list[dict[str, Any]]:
    entries = list(bid.opening.all())
    if entries:
        return [{"bidder": US if e.is_us else str(e.competitor_id), "price": e.price, "rank": e.rank} for e in entries]
    return [{"bidder": US}, *({"bidder": str(c.pk)} for c in competitors)]


def customer_quotations_context(request: AuthenticatedRequest, customer: Customer) -> dict[str, Any]:
    """The customer page's "Quotations" section: the latest version per visible project (one query)."""
    return {"quotations": list(selectors.customer_latest_quotations(user=request.user, customer_id=customer.pk))}


def project_bids_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """Everything ``bids/_project_bids_tab.html`` needs; ``project`` must already be visible to the user.

    Keys: ``project``, ``can_edit``, ``margin_threshold``, ``bid_rows`` (dicts of ``bid`` with ``bond_status``
    and its ``opening`` ranked, plus ``update_form`` and ``opening_formset`` when editable), ``bids``,
    ``quotations`` (annotated with net, cost, tax, gross, margin_pct, margin_ok, review_id, review_status),
    ``latest_quotation``, ``latest_lines`` (annotated with net, cost, tax), ``contract_terms``, ``win_loss``,
    and the forms ``bid_form``, ``quotation_form``, ``line_formset``, ``edit_line_formset``, ``terms_form``.
    """
    editable = can(request.user, "change", project)
    threshold = selectors.margin_threshold_for(project=project)
    bids = list(selectors.project_bids(project=project))
    quotations = list(selectors.project_quotations(project=project, threshold=threshold))
    latest = quotations[0] if quotations else None
    latest_lines = list(selectors.quotation_lines_with_amounts(quotation=latest)) if latest else []
    terms = selectors.project_contract_terms(project=project)
    win_loss = selectors.project_win_loss(project=project)
    context: dict[str, Any] = {
        "project": project,
        "can_edit": editable,
        "margin_threshold": threshold,
        "bids": bids,
        "bid_rows": [{"bid": bid} for bid in bids],
        "quotations": quotations,
        "latest_quotation": latest,
        "latest_lines": latest_lines,
        "contract_terms": terms,
        "win_loss": win_loss,
    }
    if not editable:
        return context
    competitors = selectors.project_bidders(project=project)
    bidders = bidder_choices(competitors)
    for row in context["bid_rows"]:
        bid = row["bid"]
        row["update_form"] = BidUpdateForm(instance=bid, prefix=f"bid-{bid.pk}")
        row["opening_formset"] = OpeningFormSet(
            prefix=f"opening-{bid.pk}", initial=_opening_initial(bid, competitors), form_kwargs={"bidders": bidders}
        )
    context.update(
        bid_form=BidCreateForm(prefix="bid"),
        quotation_form=QuotationForm(prefix="quotation"),
        line_formset=QuotationLineFormSet(prefix="lines"),
        edit_line_formset=(
            QuotationLineEditFormSet(
                prefix="edit-lines",
                initial=[{f: getattr(line, f) for f in services.LINE_FIELDS} for line in latest_lines],
            )
            if latest is not None and latest.status == QuotationStatus.DRAFT
            else None
        ),
        terms_form=ContractTermsForm(instance=terms, prefix="terms"),
    )
    return context


@login_required
@require_GET
def project_bids(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The tab on a page of its own (``/bids/project/<pk>/``); its forms come back here."""
    project = project_or_404(request, pk)
    context = {**project_bids_context(request, project), "bids_next": request.path}
    return render(request, "bids/project_bids.html", context)


# --- reporting ---------------------------------------------------------------------------------------------


def _back(request: AuthenticatedRequest, project: Project) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("projects:detail", args=[project.pk]) + "?tab=bids")


def _form_messages(form: forms.BaseForm, *, line: int | None = None) -> list[str]:
    texts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields and field != NON_FIELD_ERRORS else ""
        for error in errors:
            text = f"{label}: {error}" if label else str(error)
            texts.append(_("Line %(n)d: %(error)s") % {"n": line, "error": text} if line else text)
    return texts


def _formset_messages(formset: forms.BaseFormSet) -> list[str]:
    texts = [str(e) for e in formset.non_form_errors()]
    for index, form in enumerate(formset.forms, start=1):
        texts += _form_messages(form, line=index)
    return texts


def _refused(request: AuthenticatedRequest, heading: str, texts: list[str]) -> None:
    messages.error(request, f"{heading} {' '.join(texts)}".strip())


# --- bids --------------------------------------------------------------------------------------------------


@login_required
@require_POST
def bid_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = BidCreateForm(request.POST, prefix="bid")
    heading = _("The bid round was not added.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project)
    with refused(request, heading=heading, form=form, message=True):
        bid = services.bid_create(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("Bid round %(round)d added.") % {"round": bid.round})
    return _back(request, project)


@login_required
@require_POST
def bid_update(request: AuthenticatedRequest, pk: int, bid_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    bid = get_object_or_404(Bid.objects.select_related("project"), project=project, pk=bid_pk)
    # Bound to a copy: the form must not change the instance the service compares against.
    form = BidUpdateForm(request.POST, instance=Bid.objects.get(pk=bid.pk), prefix=f"bid-{bid.pk}")
    heading = _("Bid round %(round)d was not saved.") % {"round": bid.round}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project)
    with refused(request, heading=heading, form=form, message=True):
        services.bid_update(actor=request.user, bid=bid, data=form.cleaned_data)
        messages.success(request, _("Bid round %(round)d saved.") % {"round": bid.round})
    return _back(request, project)


@login_required
@require_POST
def opening_record(request: AuthenticatedRequest, pk: int, bid_pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    bid = get_object_or_404(Bid.objects.select_related("project"), project=project, pk=bid_pk)
    competitors = {str(c.pk): c for c in selectors.project_bidders(project=project)}
    formset = OpeningFormSet(
        request.POST,
        prefix=f"opening-{bid.pk}",
        form_kwargs={"bidders": bidder_choices(list(competitors.values()))},
    )
    heading = _("The opening record of round %(round)d was not saved.") % {"round": bid.round}
    if not formset.is_valid():
        _refused(request, heading, _formset_messages(formset))
        return _back(request, project)
    entries = [
        {
            "is_us": row["bidder"] == US,
            "competitor": competitors.get(row["bidder"]),
            "price": row["price"],
            "rank": row["rank"],
        }
        for row in formset.entries()
    ]
    with refused(request, heading=heading):
        created = services.bid_opening_record(actor=request.user, bid=bid, entries=entries)
        ours = next((e for e in created if e.is_us), None)
        if ours is not None:
            text = _("Opening record of round %(round)d saved: %(count)d bidders, we ranked %(rank)d.") % {
                "round": bid.round,
                "count": len(created),
                "rank": ours.rank,
            }
        else:
            text = _("Opening record of round %(round)d saved: %(count)d bidders.") % {
                "round": bid.round,
                "count": len(created),
            }
        messages.success(request, text)
    return _back(request, project)


# --- quotations --------------------------------------------------------------------------------------------


@login_required
@require_POST
def quotation_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    form = QuotationForm(request.POST, prefix="quotation")
    formset = QuotationLineFormSet(request.POST, prefix="lines")
    heading = _("The quotation was not created.")
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if not (form_ok and formset_ok):
        _refused(request, heading, _form_messages(form) + _formset_messages(formset))
        return _back(request, project)
    with refused(request, heading=heading):
        quotation = services.quotation_create(
            actor=request.user, project=project, lines=formset.lines(), currency=project.currency, **form.cleaned_data
        )
        messages.success(request, _("Quotation v%(v)d created as a draft.") % {"v": quotation.version})
    return _back(request, project)


@login_required
@require_POST
def quotation_copy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A new draft version with the latest version's header and lines."""
    project = project_or_404(request, pk)
    latest = selectors.project_latest_quotation(project=project)
    if latest is None:
        messages.error(request, _("There is no quotation to copy yet."))
        return _back(request, project)
    lines = list(latest.lines.order_by("position", "pk").values(*services.LINE_FIELDS))
    with refused(request, heading=_("The quotation was not copied.")):
        quotation = services.quotation_create(
            actor=request.user,
            project=project,
            lines=lines,
            title=latest.title,
            currency=latest.currency,
            valid_until=latest.valid_until,
            notes=latest.notes,
            partner=latest.partner,
        )
        messages.success(
            request,
            _("Quotation v%(new)d created as a draft copy of v%(old)d.")
            % {"new": quotation.version, "old": latest.version},
        )
    return _back(request, project)


@login_required
@require_POST
def quotation_lines(request: AuthenticatedRequest, pk: int, quotation_pk: int) -> HttpResponse:
    """Replace the lines of a draft version."""
    project = project_or_404(request, pk)
    quotation = get_object_or_404(Quotation.objects.select_related("project"), project=project, pk=quotation_pk)
    formset = QuotationLineEditFormSet(request.POST, prefix="edit-lines")
    heading = _("The lines of quotation v%(v)d were not saved.") % {"v": quotation.version}
    if not formset.is_valid():
        _refused(request, heading, _formset_messages(formset))
        return _back(request, project)
    with refused(request, heading=heading):
        services.quotation_replace_lines(actor=request.user, quotation=quotation, lines=formset.lines())
        messages.success(request, _("The lines of quotation v%(v)d were saved.") % {"v": quotation.version})
    return _back(request, project)


@login_required
@require_POST
def quotation_submit(request: AuthenticatedRequest, pk: int, quotation_pk: int) -> HttpResponse:
    """Submit a draft: approved at once when the margin meets the threshold, else sent to the margin gate."""
    project = project_or_404(request, pk)
    quotation = get_object_or_404(Quotation.objects.select_related("project"), project=project, pk=quotation_pk)
    form = QuotationSubmitForm(request.POST)
    heading = _("Quotation v%(v)d was not submitted.") % {"v": quotation.version}
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project)
    with refused(request, heading=heading) as refusal:
        quotation = services.quotation_submit(
            actor=request.user, quotation=quotation, comment=form.cleaned_data["comment"]
        )
    if refusal:
        return _back(request, project)
    margin = quotation_totals(quotation_id=quotation.pk)["margin_pct"]
    params = {
        "v": quotation.version,
        "margin": number_format(margin, 2) if margin is not None else "–",
        "threshold": number_format(selectors.margin_threshold_for(project=project), 2),
    }
    if quotation.status == QuotationStatus.APPROVED:
        messages.success(
            request,
            _("Quotation v%(v)d approved at once: its margin of %(margin)s%% meets the %(threshold)s%% threshold.")
            % params,
        )
    else:
        messages.warning(
            request,
            _(
                "Quotation v%(v)d has a margin of %(margin)s%%, under the %(threshold)s%% threshold: "
                "it was sent to the quotation margin gate for approval."
            )
            % params,
        )
    return _back(request, project)


# --- contract terms ----------------------------------------------------------------------------------------


@login_required
@require_POST
def contract_terms(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = project_or_404(request, pk)
    current = selectors.project_contract_terms(project=project)  # a copy the form may change freely
    form = ContractTermsForm(request.POST, instance=current, prefix="terms")
    heading = _("The contract terms were not saved.")
    if not form.is_valid():
        _refused(request, heading, _form_messages(form))
        return _back(request, project)
    with refused(request, heading=heading, form=form, message=True):
        services.contract_terms_save(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("Contract terms saved."))
    return _back(request, project)


@login_required
@require_GET
def quotation_list(request: AuthenticatedRequest) -> HttpResponse:
    """Every quotation the user may see, across projects: filters, sortable columns, totals, saved filters
    and the Excel export (``backend.core.lists``)."""
    filterset = QuotationFilterSet(request.GET or None, queryset=selectors.quotation_list_visible(user=request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    context = {"search_hint": _("Project, customer or title")}
    return lists.render_list(request, QUOTATIONS, queryset, filterset=filterset, context=context)
