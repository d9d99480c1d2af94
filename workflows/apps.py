from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The gate engine (reviews, steps, approvals), process templates and routing rules. It never learns what a
    project state is: the apps that own a gate register its outcome handler in their ``ready()`` (checked at
    start-up). Must not import projects or any app above it."""

    name = "workflows"
    label = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from workflows import checks, permissions  # noqa: F401  (the start-up check; the review action rules)
        from workflows.routing import permissions as routing_permissions  # noqa: F401  (who manages routing rules)
