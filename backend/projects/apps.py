from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "backend.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from backend.projects import visibility  # noqa: F401  (registers the visibility rules)
