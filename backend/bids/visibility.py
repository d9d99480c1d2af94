"""Visibility of bid records: bids, quotations, contract terms and win/loss records follow their
project."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.bids.models import Bid, BidOpeningEntry, ContractTerms, Quotation, QuotationLine, WinLossRecord
from backend.core.permissions import visibility_rule
from backend.projects.visibility import project_q


def _follow(prefix: str):
    def rule(user: User) -> Q | None:
        return project_q(user, prefix)

    return rule


for _model in (Bid, Quotation, ContractTerms, WinLossRecord):
    visibility_rule(_model)(_follow("project__"))
visibility_rule(BidOpeningEntry)(_follow("bid__project__"))
visibility_rule(QuotationLine)(_follow("quotation__project__"))
