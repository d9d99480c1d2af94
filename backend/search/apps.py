from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search: one interface over the embedded (tantivy) and Elasticsearch backends, the index queue
    and its reconcile, and ``sicrm reindex``. It knows no domain model: each app contributes its documents in
    its own ``search.py`` (found by the registry), so it must not import any app but ``core``."""

    name = "backend.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from backend.search import queue, registry

        registry.autodiscover()
        queue.connect_signals()
