"""What the project pages share: constants, labels and small helpers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from backend.projects.choices import (  # noqa: F401  (the labels are re-exported to the pages)
    ENDING_TRANSITIONS,
    TRANSITION_LABELS,
    Status,
    status_label,
    transition_label,
)
from backend.projects.filtersets import ProjectFilterSet
from backend.projects.models import (
    Project,
    fired_by_gate_only,
)
from backend.projects.tabs import OWN_TABS, PLUGIN_TABS, TAB_BADGES, TABS  # noqa: F401  (re-exported to the page)

PAGE_SIZE = 25
# cards shown per board column, the newest first; the header counts them all and "n more…" opens the list
# (16 columns of 50 cards made a 940 KB page that took 1.6-2.3 s to render at 100,000 projects)
BOARD_LIMIT = 10


def _graph() -> list[Any]:
    """Every transition of the status field (one per source state)."""
    return list(Project._meta.get_field("status").get_all_transitions(Project))


def _user_transition_names() -> set[str]:
    """Names of the transitions users call (the gated ones are fired by the review gates only)."""
    return {t.name for t in _graph() if t.permission is not fired_by_gate_only}


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def _label_empty_choices(filterset: ProjectFilterSet) -> None:
    """Say "Any industry" rather than "---------" in the filter selects."""
    for name, label in (("industry", _("Any industry")), ("region", _("Any region"))):
        field = filterset.form.fields[name]
        choices = [choice for choice in field.choices if choice[0] != ""]
        field.empty_label = label
        field.choices = choices
