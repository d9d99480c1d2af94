from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers, their contacts and interactions, with duplicate detection on the legal name. Who sees a
    customer is decided here; apps above may widen it through ``visibility.customer_reach`` (projects adds
    the members of a customer's projects). Must not import projects or anything above it."""

    name = "backend.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from backend.customers import permissions, visibility  # noqa: F401  (register the visibility and action rules)
