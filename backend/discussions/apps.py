from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscussionsConfig(AppConfig):
    """The discussion board of a project or tender: threads, posts with attachments and edit history,
    unread markers, quoting and @mentions. Reads the apps below (a post can be proposed to the knowledge
    base); must not import reports or the demo."""

    name = "backend.discussions"
    label = "discussions"
    verbose_name = _("Discussions")
