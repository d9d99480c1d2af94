"""What delivery contributes to the project's transitions (registered in ``MilestonesConfig.ready()``):

- kickoff creates the milestones and key tasks from the project's process template (``milestones_by_template``
  is left in the call's context for the payment terms that point at them);
- requesting acceptance needs every milestone accepted or cancelled;
- suspending delivery needs a reason;
- the acceptance gate's final approval needs the customer's sign-off recorded.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from backend.core.errors import TransitionRefused, ValidationFailed
from backend.milestones.choices import MilestoneStatus
from backend.milestones.services import acceptance_signoff_check, milestones_from_template
from backend.projects import transitions
from backend.projects.transitions import TransitionCall


def milestones_closed(call: TransitionCall) -> None:
    project = call.project
    open_ones = [
        milestone.name  # in the reader's language
        for milestone in project.milestones.exclude(
            status__in=[MilestoneStatus.ACCEPTED, MilestoneStatus.CANCELLED]
        ).only("name", "name_en")
    ]
    if open_ones or not project.milestones.exists():
        raise TransitionRefused(
            _(
                "Project %(code)s is in %(state)s: every milestone must be accepted or cancelled first; still "
                "open: %(open)s."
            )
            % {
                "code": project.code,
                "state": project.get_status_display(),
                "open": "; ".join(open_ones) or _("no milestones at all"),
            },
            extra={"status": project.status, "missing": open_ones},
        )


def suspension_explained(call: TransitionCall) -> None:
    if not call.comment.strip():
        raise ValidationFailed(
            _("Say why delivery is suspended: a comment is required."), fields={"comment": [_("required")]}
        )


def kickoff(call: TransitionCall) -> None:
    call.context["milestones_by_template"] = milestones_from_template(
        project=call.project, actor=call.actor, kickoff_date=call.data.get("kickoff_date")
    )


def signoff_recorded(call: TransitionCall) -> None:
    acceptance_signoff_check(project=call.project, review=call.data["review"])


def register() -> None:
    transitions.precondition("request_acceptance", order=10)(milestones_closed)
    transitions.precondition("suspend", order=10)(suspension_explained)
    transitions.precondition("approve_acceptance", order=10)(signoff_recorded)
    transitions.effect("kickoff", order=10)(kickoff)
