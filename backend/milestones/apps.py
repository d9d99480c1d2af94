from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MilestonesConfig(AppConfig):
    """Delivery: milestones and their deliverables, customer acceptance, tasks, and the alarms that chase what
    is late (rules in ``alarm_rules``). Contributes kickoff, the acceptance request, suspension and the sign-off
    to the project's transitions; must not record money (that is ``payments``) nor import the apps above it."""

    name = "backend.milestones"
    label = "milestones"
    verbose_name = _("Delivery")

    def ready(self) -> None:
        from backend.milestones import (  # noqa: F401  (rules and the check)
            alarm_rules,
            history,
            permissions,
            transitions,
            visibility,
        )
        from backend.projects.tabs import project_tab

        transitions.register()
        from backend.milestones.selectors import deliverable_versions_for_timeline
        from backend.projects.timeline import timeline_source

        timeline_source("document", deliverable_versions_for_timeline)
        project_tab(
            "milestones",
            "backend.milestones.views.project_milestones_context",
            "milestones/_project_milestones_tab.html",
        )
