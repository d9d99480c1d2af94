from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsTemplatesConfig(AppConfig):
    name = "backend.docs_templates"
    label = "docs_templates"
    verbose_name = _("Document templates")

    def ready(self) -> None:
        from backend.docs_templates import visibility  # noqa: F401  (registers the visibility rules)
