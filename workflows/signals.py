"""Signals of the gate engine for apps above it: ``review_opened`` is sent (inside the opening transaction)
when a review starts, with ``review``. Receivers must not write outside ``transaction.on_commit``."""

from django.dispatch import Signal

review_opened = Signal()
