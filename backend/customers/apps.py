from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "backend.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from backend.customers import visibility  # noqa: F401  (registers the visibility rules)
