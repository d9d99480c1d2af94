"""When each state of a demo deal begins and how long it lasts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backend.accounts.models import User
from backend.customers.models import Customer
from backend.demo.clock import _Clock
from backend.demo.deals.catalogue import MAIN_PATH, Deal
from backend.projects.choices import Status
from backend.projects.models import (
    Competitor,
    Partner,
)
from workflows.models import ProcessTemplate

# --- playing one deal ------------------------------------------------------------------------------------


@dataclass
class _Context:
    now: datetime
    users: dict[str, User]
    customers: dict[str, Customer]
    competitors: dict[str, Competitor]
    partners: dict[str, Partner]
    templates: dict[str, ProcessTemplate]
    standard_days: dict[tuple[str, str], int]
    clock: _Clock


def _path(deal: Deal) -> list[str]:
    """The states the deal goes through, as plain strings (they key the plan's dictionaries)."""
    if deal.state == Status.REJECTED:
        path = [Status.TENDER, Status.INITIATION_REVIEW, Status.REJECTED]
    elif deal.state == Status.LOST:
        path = [*MAIN_PATH[:4], Status.LOST]
    elif deal.state == Status.ABANDONED:
        path = [*MAIN_PATH[: MAIN_PATH.index(Status(deal.abandon_from)) + 1], Status.ABANDONED]
    else:
        path = MAIN_PATH[: MAIN_PATH.index(Status(deal.state)) + 1]
    return [str(state) for state in path]


@dataclass
class _Plan:
    deal: Deal
    path: list[str]
    starts: dict[str, datetime] = field(default_factory=dict)
    lengths: dict[str, timedelta] = field(default_factory=dict)

    @property
    def created(self) -> datetime:
        return self.starts[self.path[0]]


def _plan(deal: Deal, ctx: _Context) -> _Plan:
    rng = random.Random(f"plan:{deal.name}")
    path = _path(deal)
    entered = ctx.now - timedelta(days=deal.days_ago, hours=rng.randint(2, 9))
    lengths: dict[str, timedelta] = {}
    for stage in path[:-1]:
        standard = ctx.standard_days.get((deal.template, stage), 7) or 7
        days = max(1.0, standard * rng.uniform(0.6, 1.8))
        if stage == Status.NEGOTIATION and deal.contract_returned:
            days += 10
        if stage == Status.TENDER and deal.initiation_returned:
            days += 5
        lengths[stage] = timedelta(days=days, hours=rng.randint(0, 8))
    # The current state: open deals are worked on until a few hours ago; closed ones see a little follow-up.
    closed = deal.state in (Status.WON, Status.LOST, Status.ABANDONED, Status.REJECTED)
    end = min(entered + timedelta(days=20), ctx.now - timedelta(hours=3)) if closed else ctx.now - timedelta(hours=3)
    lengths[path[-1]] = max(end - entered, timedelta(hours=1))
    starts: dict[str, datetime] = {}
    moment = entered - sum(lengths.values(), timedelta()) + lengths[path[-1]]
    for stage in path:
        starts[stage] = moment
        moment += lengths[stage]
    return _Plan(deal=deal, path=path, starts=starts, lengths=lengths)
