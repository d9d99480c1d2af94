"""Drill-downs into the project list: a higher app (the reports) registers a function per name that turns
the query parameters of a link into the exact set of projects one of its figures counts. The project list
and the project API apply it with ``?report=<name>&cell=<cell>``; this module knows nothing of any report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend.core.errors import ValidationFailed

if TYPE_CHECKING:
    from backend.accounts.models import User
    from backend.projects.models import Project


@dataclass(frozen=True)
class Drill:
    """The projects behind one figure, what the figure is (shown above the list) and the way back to it."""

    projects: QuerySet[Project]
    label: str
    back_url: str


DrillFunction = Callable[["User", Mapping[str, Any]], Drill]
_drills: dict[str, DrillFunction] = {}


def register_drill(name: str) -> Callable[[DrillFunction], DrillFunction]:
    def register(function: DrillFunction) -> DrillFunction:
        _drills[name] = function
        return function

    return register


def drill_resolve(*, user: User, params: Mapping[str, Any]) -> Drill:
    """The drill-down ``params`` name (``report``), or a 400 naming what is wrong."""
    name = str(params.get("report", ""))
    function = _drills.get(name)
    if function is None:
        raise ValidationFailed(
            _("There is no report called '%(name)s' to drill into.") % {"name": name},
            fields={"report": [_("unknown report")]},
            code="unknown_report",
        )
    return function(user, params)
