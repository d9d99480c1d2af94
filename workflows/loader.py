"""Loads process templates from ``workflows/templates/*.yaml`` into the database (``sicrm load-templates``).

Idempotent: a template, its stages, actions, gates and steps are updated in place by natural key; steps
that running reviews still refer to are kept. Bad YAML is refused with the file and the problem named,
and nothing from that file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from backend.core.errors import ValidationFailed
from backend.core.localized import is_localized, text_pair
from workflows.choices import GateKind, StepMode
from workflows.models import (
    Gate,
    GateStep,
    MilestoneTemplate,
    ProcessTemplate,
    RecurringActivityTemplate,
    StageAction,
    StageTemplate,
    TaskTemplate,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


# The project states a template's stages may name. ``backend.projects`` supplies them in its ``ready()``
# (``stage_names_from``): the workflows app sits below projects and does not import it.
_stage_names: list[Callable[[], Iterable[str]]] = []


def stage_names_from(provider: Callable[[], Iterable[str]]) -> None:
    _stage_names[:] = [provider]


def _stages() -> set[str]:
    return {str(name) for provider in _stage_names for name in provider()}


def _problem(path: Path, message: str) -> ValidationFailed:
    return ValidationFailed(f"{path.name}: {message}", code="invalid_template")


def validate(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict) or not data.get("code") or not data.get("name"):
        raise _problem(path, "a template needs a code and a name")
    for stage in data.get("stages", []):
        if stage.get("stage") not in _stages():
            raise _problem(path, f"unknown stage {stage.get('stage')!r}")
    for gate in data.get("gates", []):
        if gate.get("kind") not in GateKind.values:
            raise _problem(path, f"unknown gate kind {gate.get('kind')!r}")
        if not gate.get("steps"):
            raise _problem(path, f"gate {gate['kind']} has no steps")
        for step in gate["steps"]:
            if not step.get("roles") and not step.get("department_head") and not step.get("project_roles"):
                raise _problem(path, f"a step of gate {gate['kind']} names no approvers")
            if step.get("mode", "any") not in StepMode.values:
                raise _problem(path, f"step mode must be any or all, not {step.get('mode')!r}")
    for spec in data.get("recurring_activities", []):
        if not spec.get("name"):
            raise _problem(path, "a recurring activity needs a name")
        if spec.get("weekday", 4) not in range(7):
            raise _problem(path, f"weekday must be 0 (Monday) to 6 (Sunday), not {spec.get('weekday')!r}")
        if int(spec.get("every_weeks", 1)) < 1:
            raise _problem(path, "every_weeks must be 1 or more")
        for state in spec.get("states", []):
            if state not in _stages():
                raise _problem(path, f"recurring activity: unknown state {state!r}")
    return data


def _pair(field: str, value: Any) -> dict[str, str]:
    """A text of the file in both languages: ``{zh: 立项评审, en: Initiation review}`` (or one string)."""
    zh, en = text_pair(value)
    return {field: zh, f"{field}_en": en}


def _current(obj: Any, field: str) -> Any:
    """What the row holds (a localized field read raw, not in the loader's language)."""
    model_field = obj._meta.get_field(field)
    return model_field.raw(obj) if is_localized(model_field) else getattr(obj, field)


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """Create, or update only the fields that differ (a second load of the same file writes nothing)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [field for field, value in values.items() if _current(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save()
    return obj


@transaction.atomic
def template_load(*, path: Path) -> ProcessTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _problem(path, f"not valid YAML: {exc}") from exc
    data = validate(data, path)
    template = _upsert(
        ProcessTemplate,
        {"code": data["code"]},
        {
            **_pair("name", data["name"]),
            **_pair("description", data.get("description", "")),
            "is_default": bool(data.get("default", False)),
            "definition": data,
        },
    )
    if template.is_default:
        ProcessTemplate.objects.exclude(pk=template.pk).filter(is_default=True).update(is_default=False)
    for order, stage_data in enumerate(data.get("stages", [])):
        stage = _upsert(
            StageTemplate,
            {"template": template, "stage": stage_data["stage"]},
            {"order": order, "standard_days": stage_data.get("standard_days", 0)},
        )
        wanted = [
            (text_pair(a["text"]), i, bool(a.get("required"))) for i, a in enumerate(stage_data.get("actions", []))
        ]
        held = [
            ((t, t_en), o, r)
            for t, t_en, o, r in stage.actions.order_by("order").values_list("text", "text_en", "order", "required")
        ]
        if held != wanted:
            stage.actions.all().delete()
            StageAction.objects.bulk_create(
                StageAction(stage=stage, text=t[0], text_en=t[1], order=o, required=r) for t, o, r in wanted
            )
    for gate_data in data.get("gates", []):
        gate = _upsert(
            Gate,
            {"template": template, "kind": gate_data["kind"]},
            {
                **_pair("name", gate_data.get("name", gate_data["kind"])),
                "required_documents": gate_data.get("required_documents", []),
                "options": gate_data.get("options", {}),
            },
        )
        for order, step_data in enumerate(gate_data["steps"], start=1):
            _upsert(
                GateStep,
                {"gate": gate, "order": order},
                {
                    **_pair("name", step_data["name"]),
                    "roles": step_data.get("roles", []),
                    "project_roles": step_data.get("project_roles", []),
                    "department_head": bool(step_data.get("department_head")),
                    "mode": step_data.get("mode", StepMode.ANY),
                    "condition": step_data.get("condition", {}),
                },
            )
        surplus = gate.steps.filter(order__gt=len(gate_data["steps"]))
        surplus.exclude(pk__in=_referenced_step_ids(gate)).delete()
    _load_milestones(template, data)
    return template


def _load_milestones(template: ProcessTemplate, data: dict[str, Any]) -> None:
    """Milestone and task templates, updated in place by order (projects keep their own copies)."""
    specs = data.get("milestones", [])
    by_order: dict[int, MilestoneTemplate] = {}
    for order, spec in enumerate(specs, start=1):
        by_order[order] = _upsert(
            MilestoneTemplate,
            {"template": template, "order": order},
            {
                **_pair("name", spec["name"]),
                "offset_days": int(spec.get("offset_days", 0)),
                "duration_days": int(spec.get("duration_days", 10)),
                "required_deliverables": list(spec.get("required_deliverables", [])),
                "payment_percent": Decimal(str(spec.get("payment_percent", 0))),
                "weight": int(spec.get("weight", 1)),
            },
        )
    template.milestones.filter(order__gt=len(specs)).delete()
    tasks = data.get("tasks", [])
    for order, spec in enumerate(tasks, start=1):
        _upsert(
            TaskTemplate,
            {"template": template, "order": order},
            {
                **_pair("name", spec["name"]),
                "milestone": by_order.get(spec.get("milestone")) if spec.get("milestone") else None,
                "offset_days": int(spec.get("offset_days", 0)),
                "assignee_role": spec.get("assignee_role", ""),
            },
        )
    template.tasks.filter(order__gt=len(tasks)).delete()
    _load_recurring(template, data)


def _load_recurring(template: ProcessTemplate, data: dict[str, Any]) -> None:
    """Recurring activities (``recurring_activities:``), updated in place by order."""
    specs = data.get("recurring_activities", [])
    for order, spec in enumerate(specs, start=1):
        at = spec.get("time")
        _upsert(
            RecurringActivityTemplate,
            {"template": template, "order": order},
            {
                **_pair("name", spec["name"]),
                "kind": spec.get("kind", "todo"),
                "weekday": int(spec.get("weekday", 4)),
                "every_weeks": int(spec.get("every_weeks", 1)),
                "time": _time(at) if at else None,
                "states": list(spec.get("states", [])),
                "assignee_role": spec.get("assignee_role", "owner"),
            },
        )
    template.recurring_activities.filter(order__gt=len(specs)).delete()


def _time(value: Any) -> time:
    """``"16:00"`` (or YAML's sexagesimal integer for an unquoted 16:00) as a time of day."""
    if isinstance(value, int):
        return time(value // 60, value % 60)
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


def _referenced_step_ids(gate: Gate) -> list[int]:
    from workflows.models import ReviewStep

    return list(ReviewStep.objects.filter(gate_step__gate=gate).values_list("gate_step_id", flat=True))


def templates_load_all(*, directory: Path = TEMPLATES_DIR) -> list[ProcessTemplate]:
    return [template_load(path=path) for path in sorted(directory.glob("*.yaml"))]
