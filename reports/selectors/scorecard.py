"""Scorecard calibration: the initiation scorecard's model learns from every deal closed before the period and
predicts the deals closed in it (a hold-out by time, as it would have been used). The Brier score (mean squared
error of the predicted probability; 0 is perfect, the overall rate alone scores the "baseline" Brier) and a
reliability table (predicted against observed win rate per tenth of probability) tell whether to trust it.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User
from backend.projects.models import Project
from reports.base import (
    INT,
    PERCENT,
    RATIO,
    TEXT,
    Column,
    Figure,
    Metric,
    Report,
    ReportResult,
    Table,
    add_months,
)
from reports.dimensions import DIMENSIONS
from reports.filters import ReportFilters
from reports.scoring import (
    FEATURES,
    combinations,
    combo_features,
    feature_label,
    fit,
    training_set,
    value_label,
    with_features,
)
from reports.selectors.win_loss import OUTCOME_Q

BINS = 10


class ScorecardReport(Report):
    name = "scorecard"
    title = gettext_lazy("Initiation scorecard calibration")
    description = gettext_lazy(
        "How well the go/no-go win probability shown at initiation predicted the deals closed in the period, "
        "learning only from the deals closed before it."
    )
    audience = frozenset({"exec", "director"})

    def default_period(self, today: date) -> tuple[date, date]:
        return add_months(date(today.year, today.month, 1), -5), today

    def scope(self, *, user: User, filters: ReportFilters) -> QuerySet[Project]:
        return (
            super()
            .scope(user=user, filters=filters)
            .filter(closed_at__gte=filters.start, closed_at__lt=filters.end)
            .exclude(outcome="")
        )

    def drill_scope(self, *, user: User, filters: ReportFilters, keys: set[str]) -> QuerySet[Project]:
        return with_features(self.scope(user=user, filters=filters))

    def cell_q(self, *, user: User, filters: ReportFilters, key: str, value: str) -> Q:
        if key == "outcome":
            return OUTCOME_Q[value]
        if key == "bin":
            index = int(value)
            if not 0 <= index < BINS:
                raise ValueError(value)
            model = fit(combinations(training_set(filters.start)))
            condition = Q(pk__in=[])
            for combo in combinations(self.scope(user=user, filters=filters)):
                if _bin(model.predict(combo_features(combo))) == index:
                    condition |= Q(**{f"f_{name}": combo[f"f_{name}"] for name in FEATURES})
            return condition
        return DIMENSIONS[key].q(value)

    def compute(self, *, user: User, filters: ReportFilters, result: ReportResult) -> None:
        model = fit(combinations(training_set(filters.start)))
        test = combinations(self.scope(user=user, filters=filters))
        deals = sum(c["n"] for c in test)
        wins = sum(c["won"] for c in test)
        squared = baseline_squared = 0.0
        bins: list[dict[str, float]] = [{"n": 0, "won": 0, "predicted": 0.0} for _ in range(BINS)]
        for combo in test:
            p = model.predict(combo_features(combo))
            n, won = combo["n"], combo["won"]
            squared += won * (1 - p) ** 2 + (n - won) * p**2
            baseline_squared += won * (1 - model.baseline) ** 2 + (n - won) * model.baseline**2
            slot = bins[_bin(p)]
            slot["n"] += n
            slot["won"] += won
            slot["predicted"] += p * n
        brier = squared / deals if deals else None
        baseline_brier = baseline_squared / deals if deals else None
        result.metrics = [
            Metric(
                "training_deals",
                _("Deals learned from (closed before the period)"),
                model.deals,
                INT,
                counts_deals=False,
            ),
            Metric(
                "test_deals", _("Deals scored (closed in the period)"), deals, INT, self.link(filters, outcome="closed")
            ),
            Metric("brier", _("Brier score (lower is better)"), brier, RATIO),
            Metric("baseline_brier", _("Brier score of the overall win rate alone"), baseline_brier, RATIO),
            Metric("baseline", _("Overall win rate learned"), model.baseline * 100, PERCENT, counts_deals=False),
            Metric(
                "actual",
                _("Win rate of the deals scored"),
                wins * 100 / deals if deals else None,
                PERCENT,
                self.link(filters, outcome="closed"),
            ),
        ]
        reliability = Table(
            key="reliability",
            title=_("Reliability: predicted against observed win rate"),
            columns=[
                Column("range", _("Predicted probability"), TEXT),
                Column("deals", _("Deals"), INT),
                Column("predicted", _("Mean predicted"), PERCENT),
                Column("observed", _("Observed win rate"), PERCENT),
                Column("won", _("Won"), INT),
            ],
            rows=[
                {
                    "key": str(index),
                    "range": f"{index * 10}–{(index + 1) * 10}%",
                    "deals": int(slot["n"]),
                    "predicted": slot["predicted"] * 100 / slot["n"],
                    "observed": slot["won"] * 100 / slot["n"],
                    "won": int(slot["won"]),
                    "links": {
                        "deals": self.link(filters, bin=index),
                        "won": self.link(filters, bin=index, outcome="won"),
                    },
                }
                for index, slot in enumerate(bins)
                if slot["n"]
            ],
            note=_("A well calibrated model's observed rate is close to its mean prediction in every row."),
        )
        learned = Table(
            key="factors",
            title=_("What the model learned: win rate per factor value"),
            columns=[
                Column("factor", _("Factor"), TEXT),
                Column("value", _("Value"), TEXT),
                Column("deals", _("Deals"), INT, counts_deals=False),
                Column("win_rate", _("Win rate"), PERCENT),
                Column("shrunk", _("Win rate used (shrunk to the overall rate)"), PERCENT),
            ],
            rows=[
                {
                    "key": f"{name}/{value}",
                    "factor": feature_label(name),
                    "value": value_label(name, value),
                    "deals": n,
                    "win_rate": won * 100 / n if n else None,
                    "shrunk": model.rate(name, value)[0] * 100,
                }
                for name in FEATURES
                for value, (n, won) in sorted(model.counts.get(name, {}).items(), key=lambda item: -item[1][0])
            ],
            note=_("Factor effects are added with weight %(alpha)s, fitted on the deals learned from.")
            % {"alpha": f"{model.alpha:.2f}"},
        )
        result.tables = [reliability, learned]
        result.figures = [_reliability_figure(reliability)]


def _bin(p: float) -> int:
    return min(int(p * BINS), BINS - 1)


def _reliability_figure(table: Table) -> Figure:
    fig = go.Figure()
    fig.add_scatter(
        name=_("Perfect calibration"), x=[0, 100], y=[0, 100], mode="lines", line={"dash": "dash", "color": "#adb5bd"}
    )
    fig.add_scatter(
        name=_("Observed win rate"),
        x=[row["predicted"] for row in table.rows],
        y=[row["observed"] for row in table.rows],
        mode="markers+lines",
        marker={"size": [max(6, min(30, row["deals"])) for row in table.rows]},
        text=[f"{row['deals']}" for row in table.rows],
        line_color="#0d6efd",
    )
    fig.update_layout(
        xaxis={"title": _("Mean predicted") + " %", "range": [0, 100]},
        yaxis={"title": _("Observed win rate") + " %", "range": [0, 100]},
    )
    return Figure("reliability", _("Reliability diagram"), fig)
