from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Money owed and received: payment terms (instalments of the contract price), invoices, receipts,
    write-offs and receivables aging. Contributes the payment terms of kickoff and the "nothing outstanding"
    check of closing; reads milestones but must not change them nor the project's state itself."""

    name = "backend.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from backend.customers.panels import customer_panel
        from backend.payments import (  # noqa: F401  (audit sources, action and visibility rules)
            history,
            permissions,
            transitions,
            visibility,
        )
        from backend.projects.tabs import project_tab

        transitions.register()
        project_tab(
            "payments", "backend.payments.views.project_payments_context", "payments/_project_payments_tab.html"
        )
        customer_panel(
            "receivables",
            "backend.payments.views.customer_receivables_context",
            "payments/_customer_receivables.html",
            order=30,
        )
