from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    """Bids, bid openings, quotations (margin computed in SQL, the margin gate), contract terms and win/loss
    records. Contributes the win/loss record and the contract terms to the project's transitions; must not
    know about delivery, payments or documents."""

    name = "backend.bids"
    label = "bids"
    verbose_name = _("Bids")

    def ready(self) -> None:
        from backend.bids import forms, history, services, transitions, visibility  # noqa: F401  (registers the visibility rules)
        from backend.customers.panels import customer_panel
        from backend.projects.forms import transition_form_extra
        from backend.projects.tabs import project_tab
        from workflows.services import gate_outcome

        transitions.register()
        project_tab("bids", "backend.bids.views.project_bids_context", "bids/_project_bids_tab.html")
        customer_panel(
            "quotations", "backend.bids.views.customer_quotations_context", "bids/_customer_quotations.html", order=20
        )
        transition_form_extra(forms.WinLossFields())
        gate_outcome("quotation_margin")(services._quotation_decided)
