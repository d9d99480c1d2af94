from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Analytics over every other app (read-only: selectors, figures, exports, targets and scorecards); registers
    its drill-downs into the project list and its panel on the review page (the scorecard) here, so the apps
    below never import it. Must not write to another app's tables."""

    name = "reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from backend.core.recovery import register_resumer
        from reports import (  # noqa: F401  (registers the reports, drill-downs, hooks and action rules)
            permissions,
            registry,
            signals,
            visibility,  # noqa: F401  (registers the visibility rules)
        )
        from reports.digest import digests_resume

        register_resumer("weekly_digests", digests_resume)
