from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "backend.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from backend.knowledge import linking, visibility  # noqa: F401  (registers the visibility rules)
        from backend.search import queue, registry

        # The search package is not an app: its registry, signals and link listener are wired here.
        registry.autodiscover()
        queue.connect_signals()
        registry.on_indexed(linking.on_indexed)
