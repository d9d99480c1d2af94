"""The tabs of the project page. ``projects`` draws its own (overview, team, competitors, checklist,
history); the apps above contribute theirs in their ``AppConfig.ready()`` with ``project_tab``, naming the
context function as a dotted path (imported when the tab is shown), so this app imports none of them."""

from __future__ import annotations

# Tabs other apps contribute: name → (context function "module.function", fragment template), registered by
# those apps in their ready() (``project_tab``); a tab nobody registered is not shown.
PLUGIN_TABS: dict[str, tuple[str, str]] = {}
# A number shown on a tab's label whichever tab is open (unread posts…): name → "module.function"
TAB_BADGES: dict[str, str] = {}


def project_tab(name: str, context_function: str, template: str, *, badge: str = "") -> None:
    """Add tab ``name`` (one of ``TABS``) to the project page: ``context_function(request, project)`` returns
    what ``template`` needs; ``badge(request, project) -> int`` (a dotted path too, optional) gives the number
    its label shows on every tab of the page, in a fixed number of queries."""
    if name not in TABS:
        raise ValueError(f"unknown project tab {name!r}; the page knows {TABS}")
    PLUGIN_TABS[name] = (context_function, template)
    if badge:
        TAB_BADGES[name] = badge


TABS = (
    "overview",
    "team",
    "competitors",
    "bids",
    "milestones",
    "payments",
    "documents",
    "knowledge",
    "discussions",
    "activities",
    "service",
    "checklist",
    "timeline",
    "history",
)

# The tabs this app draws itself; every other tab shows only once an app has registered it.
OWN_TABS = ("overview", "team", "competitors", "checklist", "timeline", "history")
