from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MilestonesConfig(AppConfig):
    name = "backend.milestones"
    label = "milestones"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from backend.milestones import visibility  # noqa: F401  (registers the visibility rules)
