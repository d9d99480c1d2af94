"""The initiation scorecard's model: a win probability for a deal from the closed deals most like it.

Six factors describe a deal as it stands at initiation: industry, deal-size band (of the estimate), source,
customer tier, whether the customer already gave us a won deal before, and how many competitors are named.
The model is naive Bayes in log-odds form with shrinkage: each factor value's win rate is pulled towards the
overall win rate by ``shrink`` pseudo-deals (so a value seen twice barely moves the score), its effect is the
log-odds difference from the overall rate, and the effects are added with one weight ``alpha`` (adding correlated
factors at full weight would overstate the evidence). ``shrink`` and ``alpha`` are chosen by leave-one-out log
loss over the training deals: each deal is predicted from all the others, so factors that do not predict are
damped instead of fitted to noise. Everything is counted in SQL by factor combination; Python only works over
those combinations (exactly, leave-one-out included), never over projects.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from backend.bids.choices import Outcome
from backend.core.choices import Industry
from backend.projects.choices import Source
from backend.projects.models import Project, ProjectCompetitor
from reports.filters import size_band, size_bands

FEATURES = ("industry", "size_band", "source", "tier", "existing", "competitors")
ALPHAS = [round(0.05 * i, 2) for i in range(0, 31)]  # 0 … 1.5
SHRINKS = [2.0, 5.0, 10.0, 20.0, 40.0]  # pseudo-deals at the overall win rate added to every factor value
MIN_TRAINING = 10


def _band_case() -> Case:
    return Case(
        *(When(band.q(), then=Value(band.code)) for band in _estimate_bands()),
        default=Value(""),
        output_field=CharField(),
    )


def _estimate_bands() -> list[Any]:
    """Size bands of the estimate (the amount known at initiation), not of the contract."""
    from django.db.models.lookups import GreaterThanOrEqual, LessThan

    class EstimateBand:
        def __init__(self, band: Any) -> None:
            self.code = band.code
            condition = Q()
            if band.low is not None:
                condition &= Q(GreaterThanOrEqual(F("estimated_amount"), Value(band.low)))
            if band.high is not None:
                condition &= Q(LessThan(F("estimated_amount"), Value(band.high)))
            self.condition = condition

        def q(self) -> Q:
            return self.condition

    return [EstimateBand(band) for band in size_bands()]


def with_features(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """``queryset`` annotated with the six factors (f_industry … f_competitors), all computed in SQL."""
    earlier_win = Project.objects.filter(
        customer=OuterRef("customer"), outcome=Outcome.WON, closed_at__lt=OuterRef("created_at")
    )
    competitors = Coalesce(
        Subquery(
            ProjectCompetitor.objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return queryset.annotate(
        f_industry=F("industry"),
        f_size_band=_band_case(),
        f_source=F("source"),
        f_tier=Coalesce(F("customer__tier"), Value("")),
        f_existing=Case(When(Exists(earlier_win), then=Value("yes")), default=Value("no"), output_field=CharField()),
        f_competitor_count=competitors,
    ).annotate(
        f_competitors=Case(
            When(f_competitor_count=0, then=Value("0")),
            When(f_competitor_count=1, then=Value("1")),
            When(f_competitor_count=2, then=Value("2")),
            default=Value("3+"),
            output_field=CharField(),
        )
    )


FEATURE_FIELDS = tuple(f"f_{name}" for name in FEATURES)


def combinations(queryset: QuerySet[Project]) -> list[dict[str, Any]]:
    """Closed deals of ``queryset`` grouped by factor combination: ``n`` deals, ``won`` of them won."""
    return list(
        with_features(queryset.exclude(outcome=""))
        .values(*FEATURE_FIELDS)
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(outcome=Outcome.WON)))
        .order_by()
    )


def training_set(cutoff: datetime | None = None) -> QuerySet[Project]:
    """The closed deals the model learns from: every deal with an outcome, closed before ``cutoff``."""
    qs = Project.objects.filter(closed_at__isnull=False).exclude(outcome="")
    return qs.filter(closed_at__lt=cutoff) if cutoff is not None else qs


@dataclass
class Model:
    deals: int
    wins: int
    baseline: float
    counts: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    alpha: float = 1.0
    shrink: float = 5.0

    def rate(self, feature: str, value: str) -> tuple[float, int, int]:
        n, won = self.counts.get(feature, {}).get(value, (0, 0))
        return (won + self.shrink * self.baseline) / (n + self.shrink), n, won

    def effects(self, features: Mapping[str, str]) -> dict[str, float]:
        base = _logit(self.baseline)
        return {name: _logit(self.rate(name, str(features[name]))[0]) - base for name in FEATURES}

    def predict(self, features: Mapping[str, str], alpha: float | None = None) -> float:
        weight = self.alpha if alpha is None else alpha
        return _sigmoid(_logit(self.baseline) + weight * sum(self.effects(features).values()))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def combo_features(combo: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(combo[f"f_{name}"] or "") for name in FEATURES}


def fit(combos: Iterable[Mapping[str, Any]]) -> Model:
    """Count each factor value's deals and wins, then choose ``alpha`` by log loss over the training deals."""
    combos = list(combos)
    deals = sum(c["n"] for c in combos)
    wins = sum(c["won"] for c in combos)
    model = Model(deals=deals, wins=wins, baseline=(wins + 1) / (deals + 2))
    counts: dict[str, dict[str, list[int]]] = {name: defaultdict(lambda: [0, 0]) for name in FEATURES}
    for combo in combos:
        for name, value in combo_features(combo).items():
            counts[name][value][0] += combo["n"]
            counts[name][value][1] += combo["won"]
    model.counts = {name: {v: (n, w) for v, (n, w) in values.items()} for name, values in counts.items()}
    if deals < MIN_TRAINING:
        model.alpha = 0.0
        return model
    best: tuple[float, float, float] | None = None  # (loss, shrink, alpha): the first smallest, shrink-major
    for shrink in SHRINKS:
        terms = _leave_one_out_terms(combos, model.counts, deals, wins, shrink)
        for alpha in ALPHAS:
            loss = _loss(terms, alpha)
            if best is None or loss < best[0]:
                best = (loss, shrink, alpha)
    assert best is not None
    _loss_value, model.shrink, model.alpha = best
    return model


def _leave_one_out_terms(
    combos: list[Mapping[str, Any]],
    counts: dict[str, dict[str, tuple[int, int]]],
    deals: int,
    wins: int,
    shrink: float,
) -> list[tuple[float, float, int, int]]:
    """For predicting every training deal from all the others (per combination: removing one won, or one lost,
    deal of it from the counts), the ``(base, effect, won, weight)`` of each: they depend on ``shrink`` but not
    on ``alpha``, so the search over ``alpha`` reuses them."""
    terms = []
    for combo in combos:
        features = combo_features(combo)
        for won, weight in ((1, combo["won"]), (0, combo["n"] - combo["won"])):
            if not weight:
                continue
            baseline = (wins - won + 1) / (deals - 1 + 2)
            base = _logit(baseline)
            effect = 0.0
            for name, value in features.items():
                n, w = counts[name][value]
                rate = (w - won + shrink * baseline) / (n - 1 + shrink)
                effect += _logit(rate) - base
            terms.append((base, effect, won, weight))
    return terms


def _loss(terms: list[tuple[float, float, int, int]], alpha: float) -> float:
    """Log loss of the leave-one-out predictions at ``alpha``."""
    total = 0.0
    for base, effect, won, weight in terms:
        p = min(max(_sigmoid(base + alpha * effect), 1e-6), 1 - 1e-6)
        total -= weight * math.log(p if won else 1 - p)
    return total


def model_fit(cutoff: datetime | None = None) -> Model:
    return fit(combinations(training_set(cutoff)))


# --- what a factor value means to a reader ---------------------------------------------------------------


def feature_label(name: str) -> str:
    return str(
        {
            "industry": _("Industry"),
            "size_band": _("Deal size"),
            "source": _("Source"),
            "tier": _("Customer tier"),
            "existing": _("Customer won with us before"),
            "competitors": _("Competitors named"),
        }[name]
    )


def value_label(name: str, value: str) -> str:
    if name == "industry":
        return str(Industry(value).label) if value in Industry.values else value or _("Not set")
    if name == "source":
        return str(Source(value).label) if value in Source.values else value or _("Not set")
    if name == "size_band":
        try:
            return size_band(value).label
        except KeyError:
            return _("Not set")
    if name == "tier":
        return value or _("No tier yet")
    if name == "existing":
        return _("yes") if value == "yes" else _("no")
    return value


def factors(model: Model, features: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each factor with its value, the closed deals that share it, their win rate, and how many percentage
    points it moves the score on its own (largest effect first)."""
    rows: list[dict[str, Any]] = []
    effects = model.effects(features)
    for name in FEATURES:
        value = str(features[name])
        _rate, n, won = model.rate(name, value)
        alone = _sigmoid(_logit(model.baseline) + model.alpha * effects[name])
        rows.append(
            {
                "factor": name,
                "label": feature_label(name),
                "value": value,
                "value_label": value_label(name, value),
                "deals": n,
                "won": won,
                "win_rate": round(won * 100 / n, 1) if n else None,
                "effect_points": round((alone - model.baseline) * 100, 1),
            }
        )
    rows.sort(key=lambda row: -abs(row["effect_points"]))
    return rows


def features_of(project: Project) -> dict[str, str]:
    row = with_features(Project.objects.filter(pk=project.pk)).values(*FEATURE_FIELDS).get()
    return combo_features(row)
