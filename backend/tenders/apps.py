from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    """Tender notices (招标公告): registering, importing, attaching files, routing to an owner, and opening a
    project from a tender. Must not know about bids, quotations or delivery: a tender ends where its
    project begins."""

    name = "backend.tenders"
    label = "tenders"
    verbose_name = _("Tenders")

    def ready(self) -> None:
        from backend.tenders import permissions, visibility  # noqa: F401  (register the visibility and action rules)
        from backend.tenders.selectors import tender_routing_record
        from workflows.routing.services import routing_record

        routing_record("tender")(tender_routing_record)
