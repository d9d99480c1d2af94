"""Start-up check: every kind of review gate has an outcome handler.

The apps that own what a gate decides register the handlers in their ``AppConfig.ready()``
(``workflows.services.gate_outcome``); a gate whose outcome nobody handles would end reviews that change
nothing, so it is an error at start-up (``manage.py check``, ``runserver``, ``migrate``), not a silent skip."""

from __future__ import annotations

from typing import Any

from django.core import checks

from workflows.choices import GateKind


@checks.register()
def check_gate_outcome_handlers(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from workflows.services import outcome_handler_kinds

    missing = [kind for kind in GateKind.values if kind not in outcome_handler_kinds()]
    return [
        checks.Error(
            f"Gate kind {kind!r} has no outcome handler.",
            hint="Register one with workflows.services.gate_outcome() in the owning app's AppConfig.ready().",
            id="workflows.E001",
        )
        for kind in missing
    ]
