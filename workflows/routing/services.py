"""Routing: which rule assigns a new tender, project, template-created activity or service request, and to
whom; plus the administrators' writes on rules (create, update, delete, move).

``routing_assign`` is the one entry point for work being created: it tries the active rules by order, the first
whose conditions match and that can name somebody wins, and a round-robin rule advances its cursor under a row
lock, so concurrent creations share the group exactly evenly. ``routing_preview`` answers the same question
without writing anything (the test panel). Must not import projects, tenders or any app above workflows: those
register their record lookups and project roles here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.choices import Industry, Region
from backend.core.errors import NotFound, PermissionDenied, ValidationFailed
from backend.core.permissions import can
from workflows.choices import RoutingAssignee, RoutingTarget
from workflows.models import RoutingCursor, RoutingRule

# --- registries filled by the apps above -----------------------------------------------------------------

RecordLookup = Callable[[User, str], "RoutingRecord"]
_record_lookups: dict[str, RecordLookup] = {}
_project_roles: list[tuple[str, Any]] = []


@dataclass(frozen=True)
class RoutingRecord:
    """An existing record seen through routing: its field values and, for work tied to one, its project."""

    label: str
    values: dict[str, Any]
    project: Any = None


def routing_record(kind: str) -> Callable[[RecordLookup], RecordLookup]:
    """Register how the test panel finds a record of ``kind`` ("project", "tender") by its code or number:
    ``lookup(user, code) -> RoutingRecord``, refusing (``ValidationFailed`` on ``record``) what ``user`` may not see."""

    def register(lookup: RecordLookup) -> RecordLookup:
        _record_lookups[kind] = lookup
        return lookup

    return register


def routing_record_kinds() -> list[str]:
    return sorted(_record_lookups)


def routing_project_roles(choices: Iterable[tuple[str, Any]]) -> None:
    """Register the roles a project member can hold (the projects app's ``MemberRole.choices``)."""
    _project_roles[:] = list(choices)


def project_role_choices() -> list[tuple[str, Any]]:
    return list(_project_roles)


# The values a rule's free-text conditions take, with their labels, as the apps above know them: "source" (a
# project's or tender's source) and "category" (an activity's kind, a service request's category); the pages
# offer them as choices and show the label, never the stored code.
_value_choices: dict[str, list[tuple[str, Any]]] = {"source": [], "category": []}


def routing_values(field: str, choices: Iterable[tuple[str, Any]]) -> None:
    """Register values of ``field`` ("source" or "category") with their labels."""
    known = dict(_value_choices[field])
    known.update(dict(choices))
    _value_choices[field] = list(known.items())


def value_choices(field: str) -> list[tuple[str, Any]]:
    return list(_value_choices[field])


def value_label(field: str, value: str) -> str:
    """The label of a stored condition value; the value itself when no app knows it."""
    for code, label in _value_choices[field]:
        if code.casefold() == (value or "").strip().casefold():
            return str(label)
    return value or "–"


# --- evaluation --------------------------------------------------------------------------------------------

PROJECT_TARGETS = (RoutingTarget.ACTIVITY, RoutingTarget.SERVICE_REQUEST)


@dataclass
class RuleVerdict:
    """Why one rule did or did not assign the work."""

    rule: RoutingRule
    matched: bool
    reason: str = ""


@dataclass
class RoutingDecision:
    """The rule that assigns the work (None: no rule does), the user it names (None: the rule names nobody,
    the caller keeps its default) and, rule by rule up to the one that matched, why."""

    rule: RoutingRule | None
    user: User | None
    verdicts: list[RuleVerdict] = field(default_factory=list)


def _targets(target: str) -> set[str]:
    if target in (RoutingTarget.PROJECT, RoutingTarget.TENDER):
        return {target, RoutingTarget.BOTH}
    return {target}


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "–")


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _field_label(name: str) -> str:
    return str(cast(models.Field, RoutingRule._meta.get_field(name)).verbose_name)


def _condition_miss(rule: RoutingRule, target: str, values: dict[str, Any]) -> str:
    """Why ``rule`` does not apply to ``values`` ("" when every condition it sets holds)."""
    if not rule.is_active:
        return _("the rule is inactive")
    if rule.applies_to not in _targets(target):
        return _("the rule applies to %(kind)s") % {"kind": rule.get_applies_to_display()}
    for name, choices in (("industry", Industry), ("region", Region)):
        expected, actual = getattr(rule, name), values.get(name) or ""
        if expected and expected != actual:
            return _("%(field)s is %(actual)s, the rule wants %(expected)s") % {
                "field": _field_label(name),
                "actual": _label(choices, actual),
                "expected": _label(choices, expected),
            }
    for name in ("source", "category"):
        expected, actual = getattr(rule, name), str(values.get(name) or "")
        if expected and expected.strip().casefold() != actual.strip().casefold():
            return _("%(field)s is %(actual)s, the rule wants %(expected)s") % {
                "field": _field_label(name),
                "actual": value_label(name, actual),
                "expected": value_label(name, expected),
            }
    product = str(values.get("product") or "")
    if rule.product and rule.product.strip().casefold() != product.strip().casefold():
        return _("%(field)s is %(actual)s, the rule wants %(expected)s") % {
            "field": _field_label("product"),
            "actual": product or "–",
            "expected": rule.product,
        }
    customer = values.get("customer")
    customer_id = getattr(customer, "pk", customer)
    if rule.customer_id is not None and str(rule.customer_id) != str(customer_id or ""):
        return _("the rule is only for customer %(customer)s") % {"customer": rule.customer}
    amount = _amount(values.get("amount"))
    if (rule.min_amount is not None or rule.max_amount is not None) and amount is None:
        return _("no amount is given, the rule needs one")
    if rule.min_amount is not None and amount is not None and amount < rule.min_amount:
        return _("the amount %(amount)s is below the minimum %(min)s") % {"amount": amount, "min": rule.min_amount}
    if rule.max_amount is not None and amount is not None and amount > rule.max_amount:
        return _("the amount %(amount)s is above the maximum %(max)s") % {"amount": amount, "max": rule.max_amount}
    return ""


def group_members(rule: RoutingRule) -> list[User]:
    """The active users a round-robin rule takes turns over, by id: its listed users and the members of its
    department."""
    if rule.pk is None:
        return []
    q = Q(pk__in=rule.group_users.values("pk"))
    if rule.group_department_id is not None:
        q |= Q(department_id=rule.group_department_id)
    return list(User.objects.filter(q, is_active=True).order_by("pk").distinct())


def _project_member(rule: RoutingRule, project: Any) -> tuple[User | None, str]:
    role = rule.project_role
    role_label = str(dict(_project_roles).get(role, role))
    if project is None:
        return None, _("the work has no project to take the %(role)s from") % {"role": role_label}
    member = project.members.filter(role=role, user__is_active=True).select_related("user").order_by("pk").first()
    if member is None:
        return None, _("the project has no active %(role)s") % {"role": role_label}
    return member.user, ""


def _round_robin(rule: RoutingRule, *, advance: bool) -> tuple[User | None, str]:
    members = group_members(rule)
    if not members:
        return None, _("the group has no active member")
    if not advance:
        cursor = RoutingCursor.objects.filter(rule=rule).first()
        return members[(cursor.position if cursor else 0) % len(members)], ""
    # The row lock serialises concurrent creations (PostgreSQL waits here; SQLite's IMMEDIATE transactions
    # already hold the write lock), so each reads the count the previous one left.
    cursor, _created = RoutingCursor.objects.select_for_update().get_or_create(rule=rule)
    chosen = members[cursor.position % len(members)]
    cursor.position += 1
    cursor.save(update_fields=["position"])
    return chosen, ""


def _assignee(rule: RoutingRule, project: Any, *, advance: bool) -> tuple[User | None, str]:
    if rule.assignee_kind == RoutingAssignee.PROJECT_ROLE:
        return _project_member(rule, project)
    if rule.assignee_kind == RoutingAssignee.ROUND_ROBIN:
        return _round_robin(rule, advance=advance)
    user = rule.assign_owner
    if user is not None and not user.is_active:
        return None, _("%(user)s is no longer active") % {"user": user}
    return user, ""  # None: a rule that only sets a project's bid manager or department


def _evaluate(*, target: str, values: dict[str, Any], project: Any, advance: bool, every: bool) -> RoutingDecision:
    rules = RoutingRule.objects.select_related("assign_owner", "assign_bid_manager", "assign_department")
    if not every:
        rules = rules.filter(is_active=True, applies_to__in=_targets(target))
    verdicts: list[RuleVerdict] = []
    for rule in rules.order_by("order", "pk"):
        reason = _condition_miss(rule, target, values)
        if not reason:
            user, reason = _assignee(rule, project, advance=advance)
        if reason:
            verdicts.append(RuleVerdict(rule=rule, matched=False, reason=reason))
            continue
        verdicts.append(RuleVerdict(rule=rule, matched=True))
        return RoutingDecision(rule=rule, user=user, verdicts=verdicts)
    return RoutingDecision(rule=None, user=None, verdicts=verdicts)


@transaction.atomic
def routing_assign(*, target: str, values: dict[str, Any], project: Any = None) -> RoutingDecision:
    """Assign new work of ``target`` ("tender", "project", "activity", "service_request") from its ``values``
    (industry, region, amount, source, category); ``project`` is the project the work belongs to (for a rule
    assigning a role within the project). A round-robin rule that wins advances its cursor. The caller records
    ``decision.rule`` on the record it creates."""
    return _evaluate(target=target, values=values, project=project, advance=True, every=False)


def routing_preview(*, target: str, values: dict[str, Any], project: Any = None, every: bool = True) -> RoutingDecision:
    """What ``routing_assign`` would decide now, without advancing any cursor; with ``every`` the verdicts also
    name the inactive rules and those for other kinds of work."""
    return _evaluate(target=target, values=values, project=project, advance=False, every=every)


def routing_test(
    *, actor: User, target: str, values: dict[str, Any], record_kind: str = "", record_code: str = ""
) -> tuple[RoutingDecision, RoutingRecord | None]:
    """The test panel: which rule would assign work with ``values`` (or those of an existing record, a pasted
    value overriding the record's), and to whom. Writes nothing."""
    _require_manage(actor)
    record: RoutingRecord | None = None
    if record_code:
        lookup = _record_lookups.get(record_kind)
        if lookup is None:
            raise ValidationFailed(
                _("Choose the kind of record to look up."), fields={"record_kind": [_("not a valid choice")]}
            )
        record = lookup(actor, record_code.strip())
        values = record.values | {k: v for k, v in values.items() if v not in (None, "")}
    if target not in RoutingTarget.values or target == RoutingTarget.BOTH:
        raise ValidationFailed(_("Choose the kind of work to route."), fields={"target": [_("not a valid choice")]})
    decision = routing_preview(target=target, values=values, project=record.project if record else None)
    return decision, record


# --- administrators' writes ---------------------------------------------------------------------------------

# What an administrator edits on a rule, in the order the form shows it (the page form and the API use it).
RULE_FIELDS = (
    "name",
    "order",
    "is_active",
    "applies_to",
    "industry",
    "region",
    "source",
    "category",
    "product",
    "customer",
    "min_amount",
    "max_amount",
    "assignee_kind",
    "assign_owner",
    "project_role",
    "group_users",
    "group_department",
    "assign_bid_manager",
    "assign_department",
)


def _require_manage(actor: User) -> None:
    if not can(actor, "manage", RoutingRule):
        raise PermissionDenied(_("Only an administrator may manage routing rules."))


def _validate(rule: RoutingRule, group_users: list[User]) -> None:
    if not (rule.name or "").strip():
        raise ValidationFailed(_("Give the rule a name."), fields={"name": [_("required")]})
    if rule.min_amount is not None and rule.max_amount is not None and rule.min_amount > rule.max_amount:
        raise ValidationFailed(
            _("The minimum amount %(min)s is above the maximum amount %(max)s.")
            % {"min": rule.min_amount, "max": rule.max_amount},
            fields={"min_amount": [_("above the maximum")]},
            code="amount_band",
        )
    kind = rule.assignee_kind
    if kind == RoutingAssignee.USER:
        project_extras = rule.applies_to in (RoutingTarget.PROJECT, RoutingTarget.BOTH) and (
            rule.assign_bid_manager_id or rule.assign_department_id
        )
        if rule.assign_owner_id is None and not project_extras:
            raise ValidationFailed(
                _("Choose the user the rule assigns."), fields={"assign_owner": [_("required")]}, code="no_assignee"
            )
    elif kind == RoutingAssignee.PROJECT_ROLE:
        if not rule.project_role:
            raise ValidationFailed(
                _("Choose the project role the rule assigns."),
                fields={"project_role": [_("required")]},
                code="no_assignee",
            )
        if _project_roles and rule.project_role not in dict(_project_roles):
            raise ValidationFailed(
                _("%(role)s is not a project role.") % {"role": rule.project_role},
                fields={"project_role": [_("not a valid choice")]},
            )
        if rule.applies_to not in PROJECT_TARGETS:
            raise ValidationFailed(
                _("Only activities and service requests belong to a project; a project role cannot assign other work."),
                fields={"assignee_kind": [_("not for this kind of work")]},
                code="role_needs_project",
            )
    elif kind == RoutingAssignee.ROUND_ROBIN:
        department_members = (
            User.objects.filter(department_id=rule.group_department_id, is_active=True).exists()
            if rule.group_department_id
            else False
        )
        if not department_members and not any(u.is_active for u in group_users):
            raise ValidationFailed(
                _("The round-robin group is empty: choose users or a department with active members."),
                fields={"group_users": [_("empty group")]},
                code="empty_group",
            )
    else:
        raise ValidationFailed(_("Choose whom the rule assigns."), fields={"assignee_kind": [_("not a valid choice")]})
    rule.full_clean(exclude=["group_users"])


def _apply(rule: RoutingRule, data: dict[str, Any]) -> list[User]:
    for name in RULE_FIELDS:
        if name == "group_users":  # many-to-many: set after the rule is saved (returned below)
            continue
        if name in data and not (name == "order" and data[name] is None):
            setattr(rule, name, data[name])
    if rule.assignee_kind != RoutingAssignee.USER:
        rule.assign_owner = None
    if rule.assignee_kind != RoutingAssignee.PROJECT_ROLE:
        rule.project_role = ""
    if rule.assignee_kind != RoutingAssignee.ROUND_ROBIN:
        rule.group_department = None
        return []
    if "group_users" in data:
        return list(data["group_users"] or [])
    return list(rule.group_users.all()) if rule.pk else []


@transaction.atomic
def routing_rule_create(*, actor: User, **data: Any) -> RoutingRule:
    """Add a rule (after the last one unless ``order`` is given)."""
    _require_manage(actor)
    rule = RoutingRule()
    if data.get("order") is None:
        last = RoutingRule.objects.order_by("-order").values_list("order", flat=True).first()
        data["order"] = (last or 0) + 10
    group = _apply(rule, data)
    _validate(rule, group)
    rule.save()
    rule.group_users.set(group)
    RoutingCursor.objects.create(rule=rule)
    return rule


@transaction.atomic
def routing_rule_update(*, actor: User, rule: RoutingRule, **data: Any) -> RoutingRule:
    _require_manage(actor)
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    group = _apply(rule, data)
    _validate(rule, group)
    rule.save()
    rule.group_users.set(group)
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    """Delete a rule; the records it assigned keep their assignee and forget the rule."""
    _require_manage(actor)
    RoutingRule.objects.filter(pk=rule.pk).delete()


@transaction.atomic
def routing_rule_move(*, actor: User, rule: RoutingRule, direction: str) -> list[RoutingRule]:
    """Swap ``rule`` with its neighbour above (``up``) or below (``down``); the orders become 10, 20, 30…"""
    _require_manage(actor)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("Move a rule up or down."), fields={"direction": [_("not a valid choice")]})
    rules = list(RoutingRule.objects.select_for_update().order_by("order", "pk"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule.pk), None)
    if index is None:
        raise NotFound(_("No such routing rule."))
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, each in enumerate(rules, start=1):
        if each.order != position * 10:
            each.order = position * 10
            each.save(update_fields=["order", "updated_at"])
    return rules
