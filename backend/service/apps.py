from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """The warranty service desk: service requests (工单) with SLAs on the working-day calendar, the hotline
    log, knowledge at hand and the satisfaction survey. Reads the apps below; must not import reports or
    the demo."""

    name = "backend.service"
    label = "service"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from backend.core.notifications import MESSAGES
        from backend.knowledge.choices import SourceKind
        from backend.knowledge.services.proposals import proposal_source
        from backend.projects.tabs import project_tab
        from backend.service import permissions, visibility  # noqa: F401  (rules)
        from backend.service.choices import Category
        from backend.service.services import MESSAGES as SERVICE_MESSAGES
        from backend.service.services import request_proposal_source
        from workflows.routing.services import routing_values

        routing_values("category", Category.choices)
        for kind, text in SERVICE_MESSAGES.items():
            MESSAGES.setdefault(kind, text)
        proposal_source(SourceKind.SERVICE_REQUEST, request_proposal_source)
        project_tab("service", "backend.service.views.project_service_context", "service/_project_service_tab.html")
