"""Writes of the analytics: sales targets (directors), the weekly forecast snapshot, KPI scores (managers),
customer tiers (ABC by trailing three-year won amount), initiation scorecards and the weekly digest.

Every function is keyword-only and atomic; a refusal is an ``ApplicationError`` naming what is wrong. Nothing here
changes a project, a bid or a milestone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from backend.accounts.models import Department, User
from backend.core.errors import PermissionDenied, ValidationFailed
from backend.core.permissions import can
from backend.projects.choices import PRESALES_OPEN, default_forecast_category
from backend.projects.models import Project
from reports.base import quarter_start
from reports.choices import TargetPeriod
from reports.models import ForecastSnapshot, KpiDimension, KpiScore, SalesTarget

MAX_AMOUNT = Decimal("99999999999999.99")


def can_set_targets(user: User) -> bool:
    """The permission layer's ``manage`` of targets (``permissions.py``)."""
    return can(user, "manage", SalesTarget)


def _period_start_checked(period: str, period_start: date) -> date:
    if period not in TargetPeriod.values:
        raise ValidationFailed(
            _("Unknown target period '%(period)s'.") % {"period": period}, fields={"period": [_("month or quarter")]}
        )
    if period_start.day != 1 or (period == TargetPeriod.QUARTER and period_start != quarter_start(period_start)):
        expected = date(period_start.year, period_start.month, 1)
        if period == TargetPeriod.QUARTER:
            expected = quarter_start(period_start)
        raise ValidationFailed(
            _("A %(period)s target starts on the first day of the %(period)s: %(expected)s, not %(given)s.")
            % {
                "period": TargetPeriod(period).label,
                "expected": expected.isoformat(),
                "given": period_start.isoformat(),
            },
            fields={"period_start": [_("not the first day of the period")]},
        )
    return period_start


@transaction.atomic
def target_set(
    *,
    actor: User,
    period: str,
    period_start: date,
    amount: Decimal,
    user: User | None = None,
    department: Department | None = None,
) -> SalesTarget:
    """Set (or replace) the target of a person or a department for one month or quarter."""
    if not can_set_targets(actor):
        raise PermissionDenied(_("Only sales directors and executives set targets."))
    if (user is None) == (department is None):
        raise ValidationFailed(
            _("A target is for one person or one department."), fields={"user": [_("give a person or a department")]}
        )
    _period_start_checked(period, period_start)
    amount = Decimal(amount)
    if not Decimal(0) <= amount <= MAX_AMOUNT:
        raise ValidationFailed(
            _("A target is between 0 and %(max)s.") % {"max": f"{MAX_AMOUNT:,}"}, fields={"amount": [_("out of range")]}
        )
    lookup = {"user": user} if user is not None else {"department": department}
    target = SalesTarget.objects.select_for_update().filter(period=period, period_start=period_start, **lookup).first()
    if target is None:
        try:
            with transaction.atomic():
                return SalesTarget.objects.create(
                    period=period, period_start=period_start, amount=amount, set_by=actor, **lookup
                )
        except IntegrityError:  # someone set it at the same moment: update theirs
            target = SalesTarget.objects.select_for_update().get(period=period, period_start=period_start, **lookup)
    target.amount = amount
    target.set_by = actor
    target.save(update_fields=["amount", "set_by", "updated_at"])
    return target


@transaction.atomic
def target_delete(*, actor: User, target: SalesTarget) -> None:
    if not can_set_targets(actor):
        raise PermissionDenied(_("Only sales directors and executives set targets."))
    target.delete()


# --- the weekly forecast snapshot ------------------------------------------------------------------------


@transaction.atomic
def forecast_snapshot_take(*, today: date | None = None) -> int:
    """Record every open deal as it stands today (one set-based INSERT … SELECT). Taking the same day's
    snapshot again adds nothing. Returns the number of rows written."""
    today = today or timezone.localdate()
    if ForecastSnapshot.objects.filter(taken_on=today).exists():
        return 0
    categories = " ".join(
        f"WHEN p.status = '{state}' THEN '{default_forecast_category(state)}'" for state in PRESALES_OPEN
    )
    states = ", ".join(f"'{state}'" for state in PRESALES_OPEN)
    snapshot, project = ForecastSnapshot._meta.db_table, Project._meta.db_table
    sql = f"""
        INSERT INTO {snapshot}
            (taken_on, project_id, status, category, amount, probability, expected_close_date, owner_id, department_id)
        SELECT %s, p.id, p.status,
               CASE WHEN p.forecast_category <> '' THEN p.forecast_category {categories} END,
               p.estimated_amount, p.probability, p.expected_close_date, p.owner_id, p.department_id
        FROM {project} p
        WHERE p.status IN ({states})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [today])
        return cursor.rowcount


# --- KPI scores ------------------------------------------------------------------------------------------


def can_score(actor: User, person: User) -> bool:
    """The permission layer's ``score`` of ``person`` (``permissions.py``)."""
    return can(actor, "score", person)


@transaction.atomic
def kpi_score_set(
    *, actor: User, user: User, dimension: KpiDimension, period_start: date, score: Decimal, comment: str = ""
) -> KpiScore:
    """Record a manager's soft score of ``user`` for one quarter (a new row; the latest counts)."""
    if not can_score(actor, user):
        raise PermissionDenied(_("You may not score %(person)s.") % {"person": user})
    if not dimension.is_soft or not dimension.is_active:
        raise ValidationFailed(
            _("%(dimension)s is computed by the system, not scored.") % {"dimension": dimension.name}
            if not dimension.is_soft
            else _("%(dimension)s is no longer in use.") % {"dimension": dimension.name},
            fields={"dimension": [_("not a soft dimension")]},
        )
    if period_start != quarter_start(period_start):
        raise ValidationFailed(
            _("Scores are per quarter: give its first day, %(expected)s.")
            % {"expected": quarter_start(period_start).isoformat()},
            fields={"period_start": [_("not the first day of a quarter")]},
        )
    score = Decimal(score)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationFailed(_("A score is between 0 and 100."), fields={"score": [_("out of range")]})
    return KpiScore.objects.create(
        user=user,
        dimension=dimension,
        period_start=period_start,
        score=score,
        comment=comment.strip(),
        scored_by=actor,
    )


# --- customer tiers --------------------------------------------------------------------------------------


@transaction.atomic
def customer_tiers_recompute() -> dict[str, int]:
    """Re-rank every customer into A, B or C by trailing three-year won amount; returns how many are in each.
    A customer whose grade was set by hand (``tier_manual``) keeps it."""
    from backend.customers.choices import Tier
    from backend.customers.models import Customer
    from backend.projects.sharing.services import sharing_customers_retiered
    from reports.selectors.customers import tiers_from_amounts, trailing_won_amounts

    amounts = [(row["customer"], row["won"]) for row in trailing_won_amounts()]
    tiers = tiers_from_amounts(amounts)
    changed = [
        pk
        for pk, tier in Customer.objects.filter(tier_manual=False).values_list("pk", "tier").iterator()
        if tier != tiers.get(pk, Tier.C)
    ]
    for start in range(0, len(changed), 500):
        # only the customers whose tier moves are written, each with its audit record (by the system)
        customers = list(Customer.objects.filter(pk__in=changed[start : start + 500]))
        for customer in customers:
            customer.tier = tiers.get(customer.pk, Tier.C)
        bulk_update_with_history(customers, Customer, ["tier"], batch_size=500)
    sharing_customers_retiered(customer_ids=changed)  # sharing rules by tier now match other projects
    counts = dict(Customer.objects.values_list("tier").annotate(n=Count("pk")).order_by())
    return {tier: counts.get(tier, 0) for tier in Tier.values}


# --- initiation scorecards -------------------------------------------------------------------------------


@transaction.atomic
def scorecard_compute(*, project: Project, review: Any = None) -> Any:
    """Score ``project`` against every deal closed so far and keep the result (with its factors) on the review.
    Computing it again for the same review replaces the earlier one."""
    from reports.models import Scorecard
    from reports.scoring import factors, features_of, model_fit

    model = model_fit()
    features = features_of(project)
    values = {
        "project": project,
        "probability": model.predict(features),
        "baseline": model.baseline,
        "factors": factors(model, features),
        "training_deals": model.deals,
    }
    if review is not None:
        scorecard, _created = Scorecard.objects.update_or_create(review=review, defaults=values)
        return scorecard
    return Scorecard.objects.create(**values)
