"""Writes for bids, quotations, contract terms and win/loss records.

Quotation totals and margin are computed in SQL (``selectors.quotation_totals``); submitting a quotation
whose margin is under the template's threshold opens the quotation-margin gate, whose outcome handler
here sets the quotation's status.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from backend.accounts.models import User
from backend.bids.choices import Outcome, QuotationStatus
from backend.bids.models import (
    Bid,
    BidOpeningEntry,
    ContractTerms,
    Quotation,
    QuotationLine,
    WinLossReason,
    WinLossRecord,
)
from backend.core import bounds
from backend.core.errors import Conflict, ValidationFailed
from backend.core.services import model_update
from backend.partners.selectors import partner_grade
from backend.projects.models import Competitor, Partner, Project
from backend.projects.services import require_edit
from workflows.choices import Decision
from workflows.services import gate_for, review_open

WIN_LOSS_FIELDS = ("primary_reason", "secondary_reasons", "winning_competitor", "winning_price", "our_price", "lessons")


# --- win/loss ------------------------------------------------------------------------------------------


def _reason(code: Any, field: str) -> WinLossReason:
    if isinstance(code, WinLossReason):
        return code
    reason = WinLossReason.objects.filter(code=code, is_active=True).first()
    if reason is None:
        choices = ", ".join(WinLossReason.objects.filter(is_active=True).values_list("code", flat=True))
        raise ValidationFailed(
            _("Unknown win/loss reason '%(code)s'; choose one of: %(choices)s.") % {"code": code, "choices": choices},
            fields={field: [_("unknown reason")]},
        )
    return reason


def win_loss_save(*, project: Project, actor: User, outcome: str, data: dict[str, Any]) -> WinLossRecord:
    """Create or replace the project's win/loss record (validated; nothing written on bad input)."""
    if outcome not in Outcome.values:
        raise ValidationFailed(_("Outcome must be won, lost or abandoned."), fields={"outcome": [outcome]})
    if not data.get("primary_reason"):
        raise ValidationFailed(
            _("A win/loss record needs a primary reason."), fields={"win_loss.primary_reason": [_("required")]}
        )
    primary = _reason(data["primary_reason"], "win_loss.primary_reason")
    secondary = [_reason(code, "win_loss.secondary_reasons") for code in data.get("secondary_reasons") or []]
    competitor = data.get("winning_competitor")
    if competitor is not None and not isinstance(competitor, Competitor):
        found = Competitor.objects.filter(pk=competitor).first() if str(competitor).isdigit() else None
        found = found or Competitor.objects.filter(name=str(competitor)).first()
        if found is None:
            raise ValidationFailed(
                _("Unknown competitor '%(name)s'.") % {"name": competitor},
                fields={"win_loss.winning_competitor": [_("unknown competitor")]},
            )
        competitor = found
    record = WinLossRecord.objects.filter(project=project).first() or WinLossRecord(project=project)
    record.outcome = outcome
    record.primary_reason = primary
    record.winning_competitor = competitor
    record.winning_price = data.get("winning_price")
    record.our_price = data.get("our_price")
    record.lessons = data.get("lessons", "") or ""
    record.recorded_by = actor
    record.full_clean(exclude=["project"])
    record.save()
    record.secondary_reasons.set(secondary)
    return record


@transaction.atomic
def win_loss_create(*, actor: User, project: Project, outcome: str, **data: Any) -> WinLossRecord:
    """Record a win/loss analysis ahead of the transition (``/api/v1/win-loss/``)."""
    require_edit(project, actor)
    return win_loss_save(project=project, actor=actor, outcome=outcome, data=data)


# --- bids ----------------------------------------------------------------------------------------------

BID_FIELDS = ("submitted_on", "bond_amount", "bond_paid_on", "bond_refunded_on", "our_price", "result", "notes")


def _check_bond_dates(data: dict[str, Any]) -> None:
    paid, refunded = data.get("bond_paid_on"), data.get("bond_refunded_on")
    if refunded and not paid:
        raise ValidationFailed(
            _("A bond cannot be refunded before it is paid."), fields={"bond_refunded_on": ["order"]}
        )
    if paid and refunded and refunded < paid:
        raise ValidationFailed(
            _("The bond refund date is before the payment date."), fields={"bond_refunded_on": ["order"]}
        )


@transaction.atomic
def bid_create(*, actor: User, project: Project, **data: Any) -> Bid:
    require_edit(project, actor)
    _check_bond_dates(data)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    round_ = (project.bids.aggregate(m=Max("round"))["m"] or 0) + 1
    bid = Bid(project=project, round=round_, **{k: v for k, v in data.items() if k in BID_FIELDS})
    bid.full_clean()
    bid.save()
    return bid


@transaction.atomic
def bid_update(*, actor: User, bid: Bid, data: dict[str, Any]) -> Bid:
    require_edit(bid.project, actor)
    merged = {f: data.get(f, getattr(bid, f)) for f in ("bond_paid_on", "bond_refunded_on")}
    _check_bond_dates(merged)
    bid, _changed = model_update(instance=bid, data=data, fields=BID_FIELDS)
    return bid


@transaction.atomic
def bid_opening_record(*, actor: User, bid: Bid, entries: list[dict[str, Any]]) -> list[BidOpeningEntry]:
    """Replace the bid's opening record: each bidder's price; ranks by price unless given."""
    require_edit(bid.project, actor)
    if not entries:
        raise ValidationFailed(_("The opening record needs at least one bidder."), fields={"entries": ["empty"]})
    if sum(1 for e in entries if e.get("is_us")) > 1:
        raise ValidationFailed(_("Only one line can be our own bid."), fields={"entries": ["is_us"]})
    rows = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        competitor = entry.get("competitor")
        if not entry.get("is_us"):
            if competitor is None:
                raise ValidationFailed(
                    _("Line %(n)d: name the competitor or mark it as our bid.") % {"n": index + 1},
                    fields={"entries": [f"{index}: competitor"]},
                )
            if competitor.pk in seen:
                raise ValidationFailed(
                    _("%(name)s appears twice.") % {"name": competitor.name},
                    fields={"entries": [f"{index}: duplicate"]},
                )
            seen.add(competitor.pk)
        price = entry.get("price")
        if price is None or Decimal(price) < 0:
            raise ValidationFailed(
                _("Line %(n)d: a price of zero or more is required.") % {"n": index + 1},
                fields={"entries": [f"{index}: price"]},
            )
        rows.append(
            BidOpeningEntry(
                bid=bid,
                competitor=None if entry.get("is_us") else competitor,
                is_us=bool(entry.get("is_us")),
                price=Decimal(price),
                rank=entry.get("rank"),
                technical_score=entry.get("technical_score"),
            )
        )
    if any(r.rank is None for r in rows):
        for rank, row in enumerate(sorted(rows, key=lambda r: r.price), start=1):
            row.rank = row.rank or rank
    bounds.check_many(rows)
    bid.opening.all().delete()
    created = BidOpeningEntry.objects.bulk_create(rows)
    ours = next((r for r in rows if r.is_us), None)
    fields = ["updated_at"]  # saved even without a price: bulk_create sends no signal, the bid's does (search)
    if ours is not None and bid.our_price is None:
        bid.our_price = ours.price
        fields.append("our_price")
    bid.save(update_fields=fields)
    return created


# --- quotations ----------------------------------------------------------------------------------------

LINE_FIELDS = ("description", "unit", "quantity", "unit_price", "unit_cost", "discount", "tax_rate")


def _lines(quotation: Quotation, lines: list[dict[str, Any]]) -> list[QuotationLine]:
    rows = []
    for position, data in enumerate(lines, start=1):
        row = QuotationLine(
            quotation=quotation, position=position, **{k: v for k, v in data.items() if k in LINE_FIELDS}
        )
        try:
            row.full_clean(exclude=["quotation"])
        except Exception as exc:  # Django ValidationError: say which line
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                raise ValidationFailed(
                    _("Line %(n)d: %(problem)s")
                    % {"n": position, "problem": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())},
                    fields={f"lines[{position - 1}].{k}": v for k, v in exc.message_dict.items()},
                ) from exc
            raise
        bounds.check(row)
        gross = row.quantity * row.unit_price * (100 + row.tax_rate) / 100
        if max(gross, row.quantity * row.unit_cost) > bounds.MAX_AMOUNT:
            raise ValidationFailed(
                _("Line %(n)d: quantity × price comes to more than %(max)s.")
                % {"n": position, "max": bounds.MAX_AMOUNT},
                fields={f"lines[{position - 1}].quantity": [_("total too large")]},
                code="out_of_range",
            )
        rows.append(row)
    if len(rows) > bounds.MAX_ITEMS:
        raise ValidationFailed(
            _("A quotation may have at most %(max)d lines.") % {"max": bounds.MAX_ITEMS},
            fields={"lines": [_("too many")]},
        )
    total = sum((r.quantity * max(r.unit_price, r.unit_cost) * (100 + r.tax_rate) / 100 for r in rows), Decimal(0))
    if total > bounds.MAX_AMOUNT:
        raise ValidationFailed(
            _("The quotation comes to more than %(max)s.") % {"max": bounds.MAX_AMOUNT},
            fields={"lines": [_("total too large")]},
            code="out_of_range",
        )
    return rows


@transaction.atomic
def quotation_create(
    *,
    actor: User,
    project: Project,
    lines: list[dict[str, Any]],
    title: str = "",
    currency: str = "CNY",
    valid_until: date | None = None,
    notes: str = "",
    partner: Partner | None = None,
) -> Quotation:
    """A new version of the project's quotation, with its lines; ``partner``: a quotation for a channel
    partner, whose grade's discount ceiling ``quotation_submit`` checks."""
    require_edit(project, actor)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    version = (project.quotations.aggregate(m=Max("version"))["m"] or 0) + 1
    quotation = Quotation(
        project=project,
        version=version,
        title=title,
        currency=currency,
        valid_until=valid_until,
        notes=notes,
        partner=partner,
        created_by=actor,
    )
    rows = _lines(quotation, lines)
    if not rows:
        raise ValidationFailed(_("A quotation needs at least one line."), fields={"lines": [_("required")]})
    quotation.save()
    for row in rows:
        row.quotation = quotation
    bulk_create_with_history(rows, QuotationLine, default_user=actor)
    return quotation


@transaction.atomic
def quotation_replace_lines(*, actor: User, quotation: Quotation, lines: list[dict[str, Any]]) -> Quotation:
    require_edit(quotation.project, actor)
    quotation = Quotation.objects.select_for_update().get(pk=quotation.pk)
    if quotation.status != QuotationStatus.DRAFT:
        raise Conflict(
            _("Quotation v%(v)d is %(status)s; only a draft can be changed. Create a new version.")
            % {"v": quotation.version, "status": quotation.get_status_display()}
        )
    rows = _lines(quotation, lines)
    if not rows:
        raise ValidationFailed(_("A quotation needs at least one line."), fields={"lines": [_("required")]})
    quotation.lines.all().delete()
    bulk_create_with_history(rows, QuotationLine, default_user=actor)
    return quotation


def discount_breaches(*, quotation: Quotation) -> list[str]:
    """For a quotation to a channel partner: one sentence per line whose discount exceeds the ceiling of the
    partner's grade (e.g. "第 2 行折扣 18% 超过金牌合作伙伴上限 15%"); empty without partner, grade or ceiling."""
    grade = partner_grade(partner_id=quotation.partner_id)
    if grade is None or grade.discount_ceiling is None:
        return []
    ceiling = grade.discount_ceiling
    return [
        _("Line %(n)d discount %(discount)s%% exceeds the %(grade)s partner ceiling of %(ceiling)s%%")
        % {"n": position, "discount": _percent(discount), "grade": grade.name, "ceiling": _percent(ceiling)}
        for position, discount in quotation.lines.filter(discount__gt=ceiling)
        .order_by("position", "pk")
        .values_list("position", "discount")
    ]


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def quotation_submit(*, actor: User, quotation: Quotation, comment: str = "") -> Quotation:
    """Approve at once when the margin meets the threshold and, for a channel partner, no line's discount
    exceeds its grade's ceiling; otherwise open the margin gate (the review's comment names the lines)."""
    from backend.bids.selectors import margin_threshold, quotation_totals

    require_edit(quotation.project, actor)
    quotation = Quotation.objects.select_for_update().select_related("project").get(pk=quotation.pk)
    if quotation.status != QuotationStatus.DRAFT:
        raise Conflict(
            _("Quotation v%(v)d is already %(status)s.")
            % {"v": quotation.version, "status": quotation.get_status_display()}
        )
    totals = quotation_totals(quotation_id=quotation.pk)
    gate = gate_for(template=quotation.project.process_template, kind="quotation_margin")
    threshold = margin_threshold(gate)
    breaches = discount_breaches(quotation=quotation)
    if totals["margin_pct"] is not None and totals["margin_pct"] >= threshold and not breaches:
        quotation.status = QuotationStatus.APPROVED
    else:
        quotation.status = QuotationStatus.PENDING_APPROVAL
        review_open(
            project=quotation.project,
            kind="quotation_margin",
            actor=actor,
            quotation=quotation,
            amount=totals["net"],
            comment="\n".join([*([comment] if comment else []), *breaches]),
        )
    quotation.save(update_fields=["status", "updated_at"])
    return quotation


def _quotation_decided(*, review: Any, decision: str, final: bool, **_: Any) -> None:
    if not final:
        return
    statuses: dict[str, QuotationStatus] = {
        Decision.APPROVE: QuotationStatus.APPROVED,
        Decision.REJECT: QuotationStatus.REJECTED,
        Decision.RETURN: QuotationStatus.DRAFT,
    }
    status = statuses[decision]
    quotation = Quotation.objects.get(pk=review.quotation_id)
    quotation.status = status
    quotation.save(update_fields=["status", "updated_at"])


# --- contract terms ------------------------------------------------------------------------------------


@transaction.atomic
def contract_terms_save(*, actor: User, project: Project, **data: Any) -> ContractTerms:
    require_edit(project, actor)
    terms = ContractTerms.objects.filter(project=project).first() or ContractTerms(project=project)
    for field in ("amount", "payment_terms", "delivery_date", "penalties", "warranty_months"):
        if field in data:
            setattr(terms, field, data[field])
    terms.full_clean(exclude=["project"])
    terms.save()
    return terms
