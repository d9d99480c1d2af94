"""Demo: the shipped process templates and a few routing rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.accounts.models import User
from workflows.loader import templates_load_all
from workflows.models import RoutingRule


def load(*, password: str, log: Callable[[str], None]) -> None:
    templates = templates_load_all()
    from backend.docs_templates.services import defaults_load

    documents = defaults_load()
    users = {u.username: u for u in User.objects.filter(username__in=["bidmgr", "director"])}
    rules: list[tuple[str, int, dict[str, Any], str]] = [
        ("华东区域项目归销售总监 East China goes to the sales director", 10, {"region": "east"}, "director"),
        (
            "华北金融与能源项目归投标经理 North China finance & energy to the bid manager",
            20,
            {"region": "north", "industry": "finance"},
            "bidmgr",
        ),
        ("大额项目（≥1000万）归销售总监 Deals ≥ 10M to the sales director", 30, {"min_amount": 10_000_000}, "director"),
    ]
    for name, order, conditions, owner in rules:
        RoutingRule.objects.get_or_create(
            name=name, defaults={"order": order, "assign_owner": users.get(owner), **conditions}
        )
    log(
        f"workflows: {len(templates)} process templates, {RoutingRule.objects.count()} routing rules, "
        f"{len(documents)} new default document templates"
    )
