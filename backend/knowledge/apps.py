from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The knowledge base: articles, categories, attachments and their text, links between articles and the
    projects, customers and tenders they mention. Reads the apps below; must not import reports."""

    name = "backend.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from backend.knowledge import linking, permissions, visibility  # noqa: F401  (the rules)
        from backend.projects.tabs import project_tab
        from backend.search import registry

        registry.on_indexed(linking.on_indexed)
        project_tab("knowledge", "backend.knowledge.views.project_links_context", "knowledge/_project_links.html")
