from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """Activities and follow-ups (to-dos, calls, visits, meetings, demos), the team calendar and its
    iCalendar feed. Reads the apps below; must not import reports or the demo."""

    name = "backend.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from backend.activities import alarms, permissions, visibility  # noqa: F401  (rules)
        from backend.projects.tabs import project_tab

        alarms.register()
        from backend.activities.choices import ActivityKind
        from workflows.routing.services import routing_values

        routing_values("category", ActivityKind.choices)
        from backend.activities.selectors import activity_stream_entries
        from backend.projects.timeline import timeline_source

        timeline_source("activity", activity_stream_entries)
        project_tab(
            "activities",
            "backend.activities.views.project_activities_context",
            "activities/_project_activities_tab.html",
        )
