"""The customer page's "Projects" section (registered with ``backend.customers.panels``): the customer's
projects the reader may see, with their states and amounts, and the contract value over them."""

from __future__ import annotations

from typing import Any

from backend.accounts.http import AuthenticatedRequest
from backend.customers.models import Customer
from backend.projects import selectors


def customer_projects_context(request: AuthenticatedRequest, customer: Customer) -> dict[str, Any]:
    """Two queries whatever the number of projects: the rows, and the figures summed in SQL."""
    return {
        "projects": list(selectors.customer_projects(user=request.user, customer_id=customer.pk)),
        "figures": selectors.customer_contract_value(user=request.user, customer_id=customer.pk),
    }
