"""What bids contribute to the project's transitions (registered in ``BidsConfig.ready()``):

- entering won (by the contract review), lost or abandoned needs a win/loss record with that outcome: sent with
  the transition (``win_loss``) it is saved first, otherwise one must already exist;
- the contract review needs the contract terms, and reviews their amount;
- the approved contract fixes the project's contract amount from the terms;
- the expected margin of a project (its economics) is that of its latest quotation.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from backend.bids.selectors import with_totals
from backend.bids.services import win_loss_save
from backend.projects import transitions
from backend.projects.choices import Status
from backend.projects.selectors import expected_margin_from
from backend.projects.services import OUTCOME_OF, refusal
from backend.projects.transitions import TransitionCall


def win_loss_recorded(call: TransitionCall) -> None:
    project, outcome = call.project, OUTCOME_OF[call.name]
    win_loss = call.data.get("win_loss")
    if win_loss is not None:
        win_loss_save(project=project, actor=call.actor, outcome=outcome, data=win_loss)
    elif not hasattr(project, "win_loss") or project.win_loss.outcome != outcome:
        raise refusal(
            project,
            _("entering %(outcome)s needs a win/loss record: send win_loss with the transition.")
            % {"outcome": str(Status(outcome).label)},
            missing=["win_loss"],
        )


def contract_terms_recorded(call: TransitionCall) -> None:
    if not hasattr(call.project, "contract_terms"):
        raise refusal(
            call.project,
            _("the contract terms are missing: record them before the contract review."),
            missing=["contract_terms"],
        )
    call.context["review_amount"] = call.project.contract_terms.amount


def contract_amount_from_terms(call: TransitionCall) -> None:
    call.project.contract_amount = call.project.contract_terms.amount


def latest_quotation_margin(project: Any) -> Decimal | None:
    """The expected margin of a project is the margin of its latest quotation, when it has one."""
    latest = with_totals(project.quotations.order_by("-version")).values_list("margin_pct", flat=True).first()
    return Decimal(latest) if latest is not None else None


def register() -> None:
    expected_margin_from(latest_quotation_margin)
    transitions.precondition(*OUTCOME_OF, order=30)(win_loss_recorded)
    transitions.precondition("submit_contract_review", order=50)(contract_terms_recorded)
    transitions.before_save("approve_contract")(contract_amount_from_terms)
