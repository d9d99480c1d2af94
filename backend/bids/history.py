"""Registers the bids' audited records with the project's history (backend/projects/history.py)."""

from backend.bids.models import ContractTerms, Quotation, QuotationLine
from backend.projects.history import register_history_source

register_history_source(lambda project_id: Quotation.history.filter(project_id=project_id))
register_history_source(lambda project_id: QuotationLine.history.filter(quotation__project_id=project_id))
register_history_source(lambda project_id: ContractTerms.history.filter(project_id=project_id))
