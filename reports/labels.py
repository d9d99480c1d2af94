"""Words for a drill-down: what one ``key:value`` of a report cell means, in the reader's language (shown above
the project list the link opens)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from backend.accounts.models import Department, User
from backend.core.choices import Industry, Region
from backend.projects.choices import ForecastCategory, Source, Status
from backend.projects.models import Competitor
from workflows.models import ProcessTemplate


def _name(model: type, value: str) -> str:
    try:
        found = model.objects.filter(pk=int(value)).first()  # type: ignore[attr-defined]
    except ValueError:
        found = None
    return str(found) if found is not None else value


def _choice(choices: type, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value  # type: ignore[attr-defined]


OUTCOMES = {
    "won": lambda: _("won"),
    "lost": lambda: pgettext("outcome", "lost"),
    "abandoned": lambda: _("abandoned"),
    "not_won": lambda: _("lost or abandoned"),
    "closed": lambda: _("all closed deals"),
}


def cell_text(key: str, value: str) -> str:
    """``competitor:5`` → "竞争对手：华为"."""
    labels = {
        "competitor": (_("Competitor"), lambda v: _name(Competitor, v)),
        "beaten_by": (_("Lost to"), lambda v: _name(Competitor, v)),
        "owner": (_("Owner"), lambda v: _name(User, v)),
        "won_by": (_("Won by"), lambda v: _name(User, v)),
        "closed_by": (_("Closed by"), lambda v: _name(User, v)),
        "active_of": (_("Active projects of"), lambda v: _name(User, v)),
        "milestones_of": (_("Milestones accepted by"), lambda v: _name(User, v)),
        "deliverables_of": (_("Deliverables approved of"), lambda v: _name(User, v)),
        "pm": (_("Project manager"), lambda v: _name(User, v) if v != "none" else _("none")),
        "department": (_("Department"), lambda v: _name(Department, v) if v != "none" else _("none")),
        "industry": (_("Industry"), lambda v: _choice(Industry, v)),
        "region": (_("Region"), lambda v: _choice(Region, v)),
        "source": (_("Source"), lambda v: _choice(Source, v)),
        "state": (_("State"), lambda v: _choice(Status, v)),
        "lost_at": (_("Lost in"), lambda v: _choice(Status, v)),
        "entered": (_("Entered"), lambda v: _choice(Status, v)),
        "reached": (_("Went on from"), lambda v: _choice(Status, v)),
        "won": (_("Won after entering"), lambda v: _choice(Status, v)),
        "stay": (_("Stayed in"), lambda v: _choice(Status, v)),
        "over": (_("Over the standard in"), lambda v: _choice(Status, v)),
        "category": (_("Forecast category"), lambda v: _choice(ForecastCategory, v)),
        "outcome": (_("Outcome"), lambda v: str(OUTCOMES[v]()) if v in OUTCOMES else v),
        "size_band": (_("Deal size"), None),
        "template": (_("Process template"), lambda v: _name(ProcessTemplate, v)),
        "quarter": (_("Quarter"), None),
        "month": (_("Expected close month"), None),
        "won_in": (_("Won in"), None),
        "due_month": (_("Payments due in"), None),
        "received_month": (_("Paid in"), None),
        "aging": (_("Overdue"), None),
        "overdue_customer": (_("Overdue, customer"), None),
        "change": (_("Change"), None),
        "milestones": (_("Milestones"), None),
        "bin": (_("Predicted probability tenth"), None),
        "gap": (_("Price gap"), None),
        "open": (_("Open deals"), lambda v: ""),
        "in_delivery": (_("In delivery"), lambda v: ""),
        "no_close_date": (_("Without a close date"), lambda v: ""),
        "accepted": (_("Acceptances approved"), lambda v: ""),
        "committed_in": (_("Committed at the start of"), None),
        "adjusted": (_("Forecast adjusted"), lambda v: ""),
    }
    if key not in labels:
        return _("%(label)s: %(value)s") % {"label": key, "value": value}
    label, describe = labels[key]
    if key == "size_band":
        from reports.filters import size_bands

        value = next((band.label for band in size_bands() if band.code == value), value)
    text = describe(value) if describe else value
    return _("%(label)s: %(value)s") % {"label": label, "value": text} if text else str(label)
