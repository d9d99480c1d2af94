"""Who may see and change channel partners. The catalogue is shared: every signed-in user sees every partner,
its grade, terms and reasons (the volume figure is an aggregate; the project list on the profile page is
limited to the projects the user may see). Sales directors, bid managers and administrators (and superusers)
change profiles, add trainings and certifications, set a grade by hand and edit the grades."""

from __future__ import annotations

from typing import Any

from backend.accounts.choices import Role
from backend.core.permissions import action_rule, visibility_rule
from backend.partners.models import PartnerGrade, PartnerProfile
from backend.projects.models import Partner

MANAGERS = (Role.DIRECTOR, Role.BID_MANAGER, Role.ADMIN)


@visibility_rule(Partner)
def _partners(user: Any) -> None:
    return None


@visibility_rule(PartnerGrade)
def _grades(user: Any) -> None:
    return None


@visibility_rule(PartnerProfile)
def _profiles(user: Any) -> None:
    return None


@action_rule(PartnerProfile, "change", rows=lambda user: None if user.has_role(*MANAGERS) else _nothing())
def _change(user: Any, profile: Any) -> bool:
    return bool(user.has_role(*MANAGERS))


def _nothing() -> Any:
    from django.db.models import Q

    return Q(pk__in=[])
