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
        from backend.service import alarms, permissions, visibility  # noqa: F401  (rules)
        from backend.service.choices import Category
        from workflows.routing.services import routing_values

        routing_values("category", Category.choices)
        alarms.register()
