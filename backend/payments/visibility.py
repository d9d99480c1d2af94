"""Payment terms, invoices and receipts follow their project's visibility."""

from __future__ import annotations

from backend.core.permissions import visibility_rule
from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.projects.visibility import project_q


def _follow(prefix: str):
    def rule(user):
        return project_q(user, prefix)

    return rule


for _model in (PaymentTerm, Invoice, Receipt):
    visibility_rule(_model)(_follow("project__"))
