from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    name = "backend.bids"
    label = "bids"
    verbose_name = _("Bids")

    def ready(self) -> None:
        from backend.bids import visibility  # noqa: F401  (registers the visibility rules)
