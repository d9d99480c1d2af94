from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    """The discussion board of a project or tender: threads, posts with attachments and edit history,
    unread markers, quoting and @mentions. Reads the apps below (a post can be proposed to the knowledge
    base); must not import reports or the demo."""

    name = "backend.discussions"
    label = "discussions"
    verbose_name = _("Discussions")

    def ready(self) -> None:
        from backend.discussions import permissions, visibility  # noqa: F401  (the rules)
        from backend.discussions.services import post_proposal_source
        from backend.knowledge.choices import SourceKind
        from backend.knowledge.services.proposals import proposal_source
        from backend.projects.tabs import project_tab
        from backend.tenders.sections import tender_section

        project_tab(
            "discussions",
            "backend.discussions.views.project_threads_context",
            "discussions/_board.html",
            badge="backend.discussions.views.project_unread_badge",
        )
        tender_section("discussions", "backend.discussions.views.tender_threads_context", "discussions/_board.html")
        proposal_source(SourceKind.POST, post_proposal_source)
        from backend.discussions.selectors import post_stream_entries
        from backend.projects.timeline import timeline_source

        timeline_source("post", post_stream_entries)
