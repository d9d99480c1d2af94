"""What bids add to the project's search document (``backend.projects.search.contribute``): the title and
lines of each quotation and the bid opening records (bidders and their prices), so a project is found by
what was quoted or who bid against it, with the project's visibility. Re-indexes the project when a
quotation, a line, a bid or an opening entry changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from backend.bids.models import Bid, BidOpeningEntry, Quotation, QuotationLine
from backend.projects.models import Project
from backend.projects.search import Contribution, contribute
from backend.search.registry import Watch


def _project_text(project: Project) -> Iterator[str]:
    for quotation in project.quotations.all():  # type: ignore[attr-defined]  # reverse relation of bids
        if quotation.title:
            yield quotation.title
        for line in quotation.lines.all():
            yield line.description
    for bid in project.bids.all():  # type: ignore[attr-defined]
        for entry in bid.opening.all():
            bidder = entry.competitor.name if entry.competitor is not None else _("our bid")
            yield _("%(bidder)s bid %(price)s") % {"bidder": bidder, "price": f"{entry.price.normalize():f}"}


def _quotation_project(line: Any) -> list[int]:
    return list(Quotation.objects.filter(pk=line.quotation_id).values_list("project_id", flat=True))


def _bid_project(entry: Any) -> list[int]:
    return list(Bid.objects.filter(pk=entry.bid_id).values_list("project_id", flat=True))


contribute(
    Contribution(prefetch=("quotations__lines", "bids__opening__competitor"), text=_project_text),
    watches=(
        Watch(Quotation, lambda q: [q.project_id]),
        Watch(QuotationLine, _quotation_project),
        Watch(Bid, lambda b: [b.project_id]),
        Watch(BidOpeningEntry, _bid_project),
    ),
)
