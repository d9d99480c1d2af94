"""Reads for projects, always through the visibility filter; figures are computed in SQL. Also the project's
economics: budget against actual, margin and the presales cut-losses signal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from backend.accounts.models import User
from backend.core.counts import cached
from backend.core.permissions import visible_to
from backend.projects.lists import AMOUNT
from backend.projects.models import (
    BudgetLine,
    Expense,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    StageChecklistItem,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def project_list_visible(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Project]:
    """Visible projects with customer, owner and department joined, and open-checklist and pending-review
    counts annotated (so a list runs the same queries for 5 rows as for 50). A finished project (lost,
    abandoned, rejected, closed) has no open checklist items: nothing is left to do in it."""
    from backend.projects.choices import FINISHED
    from backend.projects.filtersets import ProjectFilterSet
    from workflows.models import Review

    qs = (
        visible_to(user, Project.objects.all())
        .select_related("customer", "owner", "department", "process_template")
        .annotate(
            # correlated subqueries: computed for the rows of the page only, not by grouping every visible row
            open_items=Case(
                When(status__in=FINISHED, then=Value(0)),
                default=Coalesce(
                    Subquery(
                        StageChecklistItem.objects.filter(project=OuterRef("pk"), done=False, required=True)
                        .order_by()
                        .values("project")
                        .annotate(n=Count("pk"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    0,
                ),
                output_field=IntegerField(),
            ),
            has_pending_review=Exists(Review.objects.filter(project=OuterRef("pk"), status="pending")),
        )
    )
    return ProjectFilterSet(filters, qs).qs if filters else qs


def board_projects(*, user: User) -> QuerySet[Project]:
    """The projects ``user`` may see in the board's columns (before the board's filters)."""
    from backend.projects.choices import BOARD_COLUMNS

    return visible_to(user, Project.objects.filter(status__in=BOARD_COLUMNS))


def status_counts(*, queryset: QuerySet[Project]) -> dict[str, int]:
    """State → how many projects of ``queryset`` are in it (one grouped query)."""
    return dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))


def status_sums(*, queryset: QuerySet[Project]) -> dict[str, tuple[int, Decimal]]:
    """State → (how many projects of ``queryset`` are in it, the sum of their amounts: the contract amount
    once known, else the estimate), one grouped query."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2))

    def compute(projects: QuerySet[Project]) -> dict[str, tuple[int, Decimal]]:
        rows = projects.values_list("status").annotate(n=Count("pk"), total=Coalesce(Sum(AMOUNT), zero))
        return {status: (n, total) for status, n, total in rows}

    # kept until a project (or a table the visibility reads) is written: the board's column headers
    return cached(queryset.order_by(), "status_sums", compute)


class BoardCardFlags(TypedDict):
    """What ``board_cards`` annotates on each card."""

    member_can_edit: bool
    checklist_blocked: bool


_COLUMN = "\x00board column\x00"  # stands for the state while a column's query is compiled


def board_cards(
    *, user: User, queryset: QuerySet[Project], columns: Sequence[str], limit: int
) -> list[WithAnnotations[Project, BoardCardFlags]]:
    """The newest ``limit`` cards (by the time they entered their state) of each of ``columns`` in one query,
    annotated with what the board's menus need (``member_can_edit``, ``checklist_blocked``), in board order.

    Each column's ids come off the index (status, status_changed_at, id) with a ``LIMIT`` of their own, and
    only those rows are fetched: a window function numbered every visible project of the board first, which
    took seconds at 100,000 projects (issue 15)."""
    from backend.projects.choices import EDITING_ROLES

    if not columns:
        return []
    # One column's query is compiled once and repeated with each state as its parameter: compiling the
    # visibility conditions sixteen times took longer than running the sixteen index look-ups.
    column = queryset.filter(status=_COLUMN).order_by("-status_changed_at", "-pk").values("pk")[:limit]
    sql, params = column.query.sql_with_params()
    if params.count(_COLUMN) != 1:
        raise AssertionError("the board's column parameter must appear once")
    ids = RawSQL(
        " UNION ALL ".join(f"SELECT * FROM ({sql}) AS board_{n}" for n in range(len(columns))),
        [state if value == _COLUMN else value for state in columns for value in params],
    )
    editing = ProjectMember.objects.filter(project=OuterRef("pk"), user=user, role__in=EDITING_ROLES)
    blocked = StageChecklistItem.objects.filter(
        project=OuterRef("pk"), stage=OuterRef("status"), required=True, done=False
    )
    cards = list(
        Project.objects.filter(pk__in=ids)
        .select_related("customer")
        .annotate(member_can_edit=Exists(editing), checklist_blocked=Exists(blocked))
        .order_by()
    )
    cards.sort(key=lambda card: (card.status_changed_at, card.pk), reverse=True)
    return cards


def project_get_visible(*, user: User, pk: int) -> Project:
    """The project with what its page needs, if ``user`` may see it (Project.DoesNotExist otherwise)."""
    return (
        visible_to(user, Project.objects.all())
        .select_related(
            "customer",
            "owner",
            "department",
            "process_template",
            "routing_rule",
            "tender",
            "win_loss",
            "contract_terms",
        )
        .get(pk=pk)
    )


def project_related(*, project: Project) -> dict[str, Any]:
    """Team, competitors (with stage notes), partners, checklist and history of one project."""
    return {
        "members": list(project.members.select_related("user")),
        "competitors": list(
            ProjectCompetitor.objects.filter(project=project)
            .select_related("competitor")
            .prefetch_related("notes__author")
        ),
        "partners": list(project.partners.select_related("partner")),
        "checklist": list(StageChecklistItem.objects.filter(project=project).select_related("done_by")),
        "events": list(ProjectEvent.objects.filter(project=project).select_related("actor", "review__gate")),
        "attachments": list(project.attachments.all()),
    }


def stage_durations(*, project: Project) -> list[dict[str, Any]]:
    """How long the project spent in each state, from its event log (DESIGN.md §2 ProjectEvent)."""
    from django.utils import timezone

    from backend.projects.choices import STATUS_EVENT_KINDS

    events = list(
        project.events.filter(kind__in=STATUS_EVENT_KINDS).order_by("created_at", "pk").values("target", "created_at")
    )
    spans = []
    for current, following in zip(events, [*events[1:], None], strict=True):
        end = following["created_at"] if following else timezone.now()
        spans.append(
            {
                "stage": current["target"],
                "start": current["created_at"],
                "end": end,
                "days": round((end - current["created_at"]).total_seconds() / 86400, 1),
            }
        )
    return spans


def customer_projects(*, user: User, customer_id: int) -> QuerySet[Project]:
    """The customer's projects ``user`` may see, newest first, with their owners (one query)."""
    return (
        visible_to(user, Project.objects.filter(customer_id=customer_id))
        .select_related("owner")
        .order_by("-created_at", "-pk")
    )


def customer_contract_value(*, user: User, customer_id: int) -> dict[str, Any]:
    """Over the customer's projects ``user`` may see (one query): how many there are, how many have a contract
    (won, in delivery or delivered) and the sum of their contract amounts (the estimate where none is set)."""
    from backend.projects.choices import CONTRACTED

    contracted = Q(status__in=CONTRACTED)
    return visible_to(user, Project.objects.filter(customer_id=customer_id)).aggregate(
        projects=Count("pk"),
        contracted=Count("pk", filter=contracted),
        contract_value=Coalesce(
            Sum(Coalesce("contract_amount", "estimated_amount"), filter=contracted, output_field=MONEY), ZERO
        ),
    )


def members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=ProjectMember.objects.select_related("user"))


# --- economics: budget against actual, margin, the presales cut-losses signal ------------------------------

MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Value(Decimal(0), output_field=MONEY)


def _rate(margin: Decimal, revenue: Decimal) -> Decimal | None:
    """``margin`` as a percentage of ``revenue`` to one decimal (12.3), None without revenue."""
    return (Decimal(margin) * 100 / revenue).quantize(Decimal("0.1")) if revenue else None


def project_financials(*, project: Project) -> dict[str, Any]:
    """Revenue, planned and actual cost by category, the margin on budget (revenue − budgeted cost) and on actual
    cost so far (revenue − actual cost), each with its rate on revenue, and the presales cut-losses signal."""
    planned = {
        row["category"]: row["total"]
        for row in BudgetLine.objects.filter(project=project).values("category").annotate(total=Sum("planned_amount"))
    }
    actual = {
        row["category"]: row["total"]
        for row in Expense.objects.filter(project=project).values("category").annotate(total=Sum("amount"))
    }
    revenue = project.contract_amount if project.contract_amount is not None else project.estimated_amount
    actual_total = sum(actual.values(), Decimal(0))
    planned_total = sum(planned.values(), Decimal(0))
    margin = revenue - actual_total
    budget_margin = revenue - planned_total
    return {
        "revenue": revenue,
        "planned": planned,
        "actual": actual,
        "planned_total": planned_total,
        "actual_total": actual_total,
        "margin": margin,  # revenue less the actual cost so far
        "margin_pct": _rate(margin, revenue),
        "budget_margin": budget_margin,  # revenue less the budgeted cost
        "budget_margin_pct": _rate(budget_margin, revenue),
        "cut_losses": cut_losses_signal(project=project, presales_cost=actual.get("presales", Decimal(0))),
    }


# Where the expected margin of a project comes from, first answer wins; ``bids`` adds "the margin of the
# latest quotation" in its ready(). Without an answer: the default planning margin.
_margin_sources: list[Callable[[Project], Decimal | None]] = []


def expected_margin_from(source: Callable[[Project], Decimal | None]) -> Callable[[Project], Decimal | None]:
    if source not in _margin_sources:
        _margin_sources.append(source)
    return source


def expected_margin_pct(project: Project) -> Decimal:
    """The margin of the latest quotation (``bids``), else the default planning margin."""
    for source in _margin_sources:
        margin = source(project)
        if margin is not None:
            return Decimal(margin)
    return Decimal(settings.DEFAULT_MARGIN_PERCENT)


def cut_losses_signal(*, project: Project, presales_cost: Decimal) -> dict[str, Any]:
    """Presales cost above a share of the expected margin (amount × probability × margin %) says stop."""
    expected = (
        project.estimated_amount * Decimal(project.probability) / 100 * expected_margin_pct(project) / 100
    ).quantize(Decimal("0.01"))
    threshold = (expected * Decimal(settings.CUT_LOSSES_SHARE)).quantize(Decimal("0.01"))
    presales = project.status in ("tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review")
    return {
        "expected_margin": expected,
        "threshold": threshold,
        "presales_cost": presales_cost,
        "raised": presales and presales_cost > threshold,
    }


def cut_losses_projects(*, user: User) -> QuerySet[Project]:
    """Open presales projects whose presales cost is over the threshold share of their expected margin,
    computed in SQL with the default margin (the alarm scan and dashboards use it)."""
    presales_cost = Coalesce(
        Subquery(
            Expense.objects.filter(project=OuterRef("pk"), category="presales")
            .order_by()
            .values("project")
            .annotate(t=Sum("amount"))
            .values("t"),
            output_field=MONEY,
        ),
        ZERO,
    )
    expected = ExpressionWrapper(
        F("estimated_amount")
        * F("probability")
        * Value(Decimal(settings.DEFAULT_MARGIN_PERCENT))
        / Value(Decimal(10000)),
        output_field=MONEY,
    )
    return (
        visible_to(
            user,
            Project.objects.filter(
                status__in=["tender", "initiation_review", "pursuit", "bidding", "negotiation", "contract_review"]
            ),
        )
        .annotate(presales_cost=presales_cost, expected_margin=expected)
        .filter(presales_cost__gt=F("expected_margin") * Value(Decimal(str(settings.CUT_LOSSES_SHARE))))
    )


def project_routing_record(user: User, code: str) -> Any:
    """A project the user sees, as routing reads it (the routing rules' test panel); refused (400) otherwise."""
    from django.utils.translation import gettext as _

    from backend.core.errors import ValidationFailed
    from workflows.routing.services import RoutingRecord

    project = visible_to(user, Project.objects.all()).filter(code__iexact=code).first()
    if project is None:
        message = _("No project %(code)s that you can see.") % {"code": code}
        raise ValidationFailed(message, fields={"record": [message]}, code="record_not_found")
    values = {
        "industry": project.industry,
        "region": project.region,
        "source": project.source,
        "amount": project.estimated_amount,
    }
    return RoutingRecord(label=f"{project.code} {project.name}", values=values, project=project)
