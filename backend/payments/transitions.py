"""What payments contribute to the project's transitions and to delivery (registered in
``PaymentsConfig.ready()``):

- kickoff creates the payment terms of the process template (the advance and one per paid milestone), after
  the milestones they point at;
- closing needs nothing left to collect (everything received or written off);
- an accepted milestone starts the clock of its payment terms (due N days after acceptance).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from backend.core.errors import TransitionRefused
from backend.milestones.signals import milestone_accepted
from backend.payments.selectors import project_outstanding
from backend.payments.services import payment_terms_from_template
from backend.projects import transitions
from backend.projects.transitions import TransitionCall


def nothing_outstanding(call: TransitionCall) -> None:
    project = call.project
    outstanding = project_outstanding(project=project)
    if outstanding > 0:
        raise TransitionRefused(
            _("Project %(code)s is in %(state)s: %(amount)s is still to be collected or written off.")
            % {"code": project.code, "state": project.get_status_display(), "amount": f"{outstanding:,.2f}"},
            extra={"status": project.status, "missing": ["payments"], "outstanding": str(outstanding)},
        )


def terms_from_template(call: TransitionCall) -> None:
    payment_terms_from_template(
        project=call.project,
        start=call.data.get("kickoff_date") or timezone.localdate(),
        milestones_by_template=call.context["milestones_by_template"],
    )


def due_dates_from_acceptance(sender: Any, milestone: Any, accepted_on: date, **kwargs: Any) -> None:
    for term in milestone.payment_terms.filter(due_date__isnull=True):
        term.due_date = accepted_on + timedelta(days=term.days_after_acceptance)
        term.save(update_fields=["due_date", "updated_at"])


def register() -> None:
    transitions.precondition("close", order=10)(nothing_outstanding)
    transitions.effect("kickoff", order=20)(terms_from_template)
    milestone_accepted.connect(due_dates_from_acceptance, dispatch_uid="payments-due-dates-on-acceptance")
