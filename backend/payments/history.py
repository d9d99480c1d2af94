"""Registers the payments' audited records with the project's history (backend/projects/history.py)."""

from backend.payments.models import Invoice, PaymentTerm, Receipt
from backend.projects.history import register_history_source

register_history_source(lambda project_id: PaymentTerm.history.filter(project_id=project_id))
register_history_source(lambda project_id: Invoice.history.filter(project_id=project_id))
register_history_source(lambda project_id: Receipt.history.filter(project_id=project_id))
