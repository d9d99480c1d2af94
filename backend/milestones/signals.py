"""Signals delivery sends for the apps above it.

``milestone_accepted(sender=Milestone, milestone=, accepted_on=)`` is sent inside the transaction that accepted
the milestone (``payments`` starts the clock of the payment terms that wait for it)."""

from django.dispatch import Signal

milestone_accepted = Signal()
