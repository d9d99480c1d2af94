from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsTemplatesConfig(AppConfig):
    """Document templates (.docx with docxtpl), their versions, and the documents generated from them for a
    project (with their review). Contributes "the gate's required documents are approved" to the project's
    transitions; must not import knowledge or reports."""

    name = "backend.docs_templates"
    label = "docs_templates"
    verbose_name = _("Document templates")

    def ready(self) -> None:
        from backend.core.recovery import register_resumer
        from backend.docs_templates import permissions, transitions, visibility  # noqa: F401  (the rules)
        from backend.docs_templates.services import batches_resume
        from backend.projects.tabs import project_tab

        register_resumer("document_batches", batches_resume)

        transitions.register()
        from backend.docs_templates.selectors import documents_for_timeline
        from backend.projects.timeline import timeline_source

        timeline_source("document", documents_for_timeline)
        project_tab(
            "documents",
            "backend.docs_templates.views.project_documents_context",
            "docs_templates/_project_documents_tab.html",
        )
