"""What tenders contribute to search: number, title, buyer, qualification requirements and notes. Tender
notices are public documents (``backend.tenders.visibility``): every member of staff sees every tender."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.search.documents import SearchDocument
from backend.search.registry import SearchIndex, register
from backend.tenders.models import Tender


@register
class TenderIndex(SearchIndex):
    type = "tender"
    model = Tender
    label = _("Tenders")
    dirty_field = "search_dirty"

    def document(self, obj: Tender, context: Any) -> SearchDocument:
        return SearchDocument(
            type=self.type,
            pk=obj.pk,
            title=f"{obj.number} {obj.title}",
            body="\n".join(p for p in [obj.qualification_requirements, obj.notes] if p),
            keywords_text=obj.buyer,
            url=reverse("tenders:detail", args=[obj.pk]),
            subtitle=obj.buyer,
            industry=obj.industry,
            acl=[],
            date=obj.updated_at,
        )

    def principals(self, user) -> set[str] | None:
        return None
