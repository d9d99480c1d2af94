"""Visibility of tenders: tender notices are public documents, so every member of staff sees every tender."""

from __future__ import annotations

from django.db.models import Q

from backend.accounts.models import User
from backend.core.permissions import visibility_rule
from backend.tenders.models import Tender


@visibility_rule(Tender)
def _tender(user: User) -> Q | None:
    return None
