"""One chunk of projects with everything that hangs off them, as rows for :mod:`bench.data.writer`.

A chunk is written in one transaction and each project's random numbers come from a generator seeded by its
index, so a run that was killed and started again writes exactly the rows an unbroken run would.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from bench.data.delivery import DeliveryRows
from bench.data.lifecycle import (
    GATED,
    PATHS,
    PROBABILITY,
    REACHED_WON,
    STAGE_DAYS,
    STATE_MIX,
    TERMINAL,
    TRANSITION_INTO,
    WINDOW_DAYS,
)
from bench.data.rows import ChunkBase, Context
from bench.data.rows import day as _day
from bench.data.rows import money as _money
from bench.data.sales import SalesRows
from bench.data.writer import Table, model, next_ids, reset_sequences

WORDS = [
    "数据中心扩容",
    "核心网络改造",
    "云平台建设",
    "安全等保整改",
    "视频会议系统",
    "桌面云",
    "灾备中心",
    "智慧园区",
    "Wi-Fi refresh",
    "SD-WAN rollout",
    "HPC cluster",
    "IoT platform",
    "storage replacement",
]
OUTCOMES = {"won", "lost", "abandoned", "rejected"}  # entering one sets Project.closed_at
FORECASTS = ["pipeline", "best_case", "best_case", "commit", "omitted"]
INTERACTIONS = ["visit", "call", "meeting", "email"]
TOPICS = ["需求沟通 Requirements", "方案交流 Solution review", "商务洽谈 Commercial talk", "回款跟进 Payment follow-up"]


class Chunk(SalesRows, DeliveryRows, ChunkBase):
    def __init__(self, ctx: Context, first: int, count: int, seed: int) -> None:
        self.ctx = ctx
        self.first = first
        self.count = count
        self.seed = seed
        self.rng = random.Random()
        m = {
            name: model(name)
            for name in (
                "Project",
                "ProjectMember",
                "ProjectEvent",
                "StageChecklistItem",
                "Tender",
                "ProjectCompetitor",
                "Bid",
                "BidOpeningEntry",
                "WinLossRecord",
                "Quotation",
                "QuotationLine",
                "ContractTerms",
                "Milestone",
                "PaymentTerm",
                "Invoice",
                "Receipt",
                "Interaction",
                "Review",
                "ReviewStep",
            )
        }
        self.m = m
        self.parents = [
            m["Tender"],
            m["Project"],
            m["Bid"],
            m["WinLossRecord"],
            m["Quotation"],
            m["Milestone"],
            m["PaymentTerm"],
            m["Invoice"],
            m["Review"],
            m["ReviewStep"],
        ]
        self.ids = next_ids(*self.parents)
        self.t = {name: Table(cls, with_id=cls in self.parents) for name, cls in m.items()}
        self.t["secondary"] = Table(m["WinLossRecord"].secondary_reasons.through)
        self.t["approvers"] = Table(m["ReviewStep"].approvers.through)

    def _id(self, name: str) -> int:
        cls = self.m[name]
        value = self.ids[cls]
        self.ids[cls] = value + 1
        return value

    def write(self) -> dict[str, int]:
        states, weights = zip(*STATE_MIX, strict=True)
        for i in range(self.first, self.first + self.count):
            self.rng.seed(f"{self.seed}:project:{i}")  # one stream per project: chunking changes nothing
            self._project(i, self.rng.choices(states, weights=weights)[0])
        order = [
            "Tender",
            "Project",
            "ProjectMember",
            "ProjectEvent",
            "StageChecklistItem",
            "ProjectCompetitor",
            "Bid",
            "BidOpeningEntry",
            "WinLossRecord",
            "secondary",
            "Quotation",
            "QuotationLine",
            "ContractTerms",
            "Milestone",
            "PaymentTerm",
            "Invoice",
            "Receipt",
            "Interaction",
            "Review",
            "ReviewStep",
            "approvers",
        ]
        written = {name: self.t[name].flush() for name in order}
        reset_sequences(*self.parents)
        return written

    # -- one project ---------------------------------------------------------------------------------

    def _timeline(self, state: str) -> list[tuple[str, datetime]]:
        """(stage, entered at) along the path to ``state``; the last entry is the current stage."""
        rng, now = self.rng, self.ctx.now
        path = PATHS[state]
        spans = [rng.uniform(*STAGE_DAYS[stage]) for stage in path[:-1]]
        total = sum(spans)
        if state in TERMINAL:
            start = now - timedelta(days=total + rng.uniform(0, max(0.0, WINDOW_DAYS - total)))
        else:  # an open stage entered recently enough to be live
            low, high = STAGE_DAYS.get(state, (5, 30))
            start = now - timedelta(days=total + rng.uniform(0, high))
        timeline, moment = [], start
        for stage, span in zip(path, [*spans, 0.0], strict=True):
            timeline.append((stage, moment))
            moment = moment + timedelta(days=span, seconds=rng.randint(0, 36_000))
        if timeline[-1][1] > now:
            timeline[-1] = (timeline[-1][0], now - timedelta(minutes=rng.randint(1, 600)))
        return timeline

    def _project(self, i: int, state: str) -> None:
        rng, ctx, t = self.rng, self.ctx, self.t
        customer_id, customer_name, industry, region, customer_owner = rng.choice(ctx.customers)
        owner = customer_owner if rng.random() < 0.7 else rng.choice(ctx.sellers)
        timeline = self._timeline(state)
        entered = dict(timeline)
        start, last = timeline[0][1], timeline[-1][1]
        amount = Decimal(rng.randrange(300_000, 20_000_000, 10_000))
        won = state in REACHED_WON
        contract_amount = _money(amount * Decimal(rng.uniform(0.88, 1.0))) if won else None
        project_id = self._id("Project")
        source = (
            "tender"
            if rng.random() < 0.55
            else rng.choice(["referral", "existing_customer", "partner", "marketing", "other"])
        )
        name = f"{customer_name[:40]} {rng.choice(WORDS)} {i + 1}"
        tender_id = (
            self._tender(i, name, customer_id, customer_name, industry, region, owner, amount, start)
            if source == "tender"
            else None
        )
        if rng.random() < 0.2:  # a tender notice that never became a project
            self._tender(
                i,
                f"{customer_name[:40]} {rng.choice(WORDS)}",
                customer_id,
                customer_name,
                industry,
                region,
                owner,
                amount,
                start,
                linked=False,
            )
        low, high = PROBABILITY.get(state, (0, 0))
        probability = 100 if won else rng.randint(low, high) if high else 0
        expected_close = _day(start + timedelta(days=rng.randint(60, 300)))
        closing = next((n for n, (stage, _moment) in enumerate(timeline) if stage in OUTCOMES), None)
        outcome = timeline[closing][1] if closing is not None else None
        closed_from = timeline[closing - 1][0] if closing else ""
        forecast = rng.choice(FORECASTS) if state in PROBABILITY and rng.random() < 0.25 else ""
        t["Project"].add(
            id=project_id,
            code=f"BN-{i + 1:07d}",
            name=name,
            customer_id=customer_id,
            tender_id=tender_id,
            source=source,
            industry=industry,
            region=region,
            department_id=ctx.department_of.get(owner),
            owner_id=owner,
            estimated_amount=amount,
            probability=probability,
            expected_close_date=expected_close,
            process_template_id=ctx.template_id,
            contract_amount=contract_amount,
            status=state,
            status_changed_at=last,
            closed_at=outcome,
            outcome="won" if won else state if state in ("lost", "abandoned") else "",
            closed_from=closed_from,
            forecast_category=forecast,
            created_at=start,
            updated_at=last,
        )
        members = self._members(project_id, owner, state, start)
        self._events(project_id, timeline, members)
        self._changes(project_id, timeline, owner, outcome, amount, probability, expected_close, forecast)
        self._checklist(project_id, state, timeline, owner)
        competitors = self._competitors(project_id, amount, entered) if "pursuit" in entered else []
        prices = self._bid(project_id, state, amount, entered, competitors) if "bidding" in entered else {}
        if won or state in ("lost", "abandoned"):
            self._win_loss(
                project_id,
                "won" if won else state,
                owner,
                amount,
                competitors,
                prices,
                last if not won else entered["won"],
            )
        if "pursuit" in entered and state != "rejected":
            self._quotations(project_id, state, owner, amount, entered)
        if "contract_review" in entered:
            self._contract(project_id, contract_amount or amount, entered["contract_review"])
        if won:
            self._delivery(i, project_id, state, owner, members, contract_amount, entered)
        self._interactions(project_id, customer_id, owner, members, start, last if state in TERMINAL else ctx.now)
        if state in ("initiation_review", "contract_review", "acceptance_review"):
            self._review(project_id, state, owner, amount, last)

    def _members(self, project_id, owner, state, start) -> list[int]:
        rng, ctx, table = self.rng, self.ctx, self.t["ProjectMember"]
        table.add(project_id=project_id, user_id=owner, role="owner", added_at=start)
        members = [owner]
        for role, pool, share in (("bid_manager", ctx.bid_managers, 0.6), ("presales", ctx.presales, 0.5)):
            if pool and rng.random() < share:
                user = rng.choice(pool)
                if user != owner:
                    table.add(project_id=project_id, user_id=user, role=role, added_at=start)
                    members.append(user)
        if state in REACHED_WON and ctx.delivery:
            pm = rng.choice(ctx.pms or ctx.delivery)
            table.add(project_id=project_id, user_id=pm, role="pm", added_at=start)
            members.append(pm)
            for engineer in {rng.choice(ctx.delivery) for _ in range(rng.randint(1, 2))} - {pm}:
                table.add(project_id=project_id, user_id=engineer, role="engineer", added_at=start)
                members.append(engineer)
        return members

    def _events(self, project_id, timeline, members) -> None:
        table = self.t["ProjectEvent"]
        rng = self.rng
        for n, (stage, moment) in enumerate(timeline):
            source = timeline[n - 1][0] if n else ""
            table.add(
                project_id=project_id,
                kind="created" if not n else "decision" if stage in GATED else "transition",
                transition=TRANSITION_INTO.get(stage, "") if n else "",
                source=source,
                target=stage,
                actor_id=members[0] if stage not in GATED else rng.choice(self.ctx.directors),
                created_at=moment,
            )

    def _changes(self, project_id, timeline, owner, outcome, amount, probability, expected_close, forecast) -> None:
        """Edits of the tracked fields while the deal was open, ending at the project's current values:
        close dates pushed back (slippage), amounts and probabilities revised, a forecast category chosen."""
        rng, now = self.rng, self.ctx.now
        end = outcome or now
        first = timeline[0][1]
        if end <= first or timeline[-1][0] in ("tender",) and rng.random() < 0.5:
            return
        changes: list[tuple[str, str, str]] = []
        if rng.random() < 0.35:  # the expected close date slipped, once or twice
            new = expected_close
            for _ in range(rng.randint(1, 2)):
                old = new - timedelta(days=rng.randint(15, 60))
                changes.append(("expected_close_date", old.isoformat(), new.isoformat()))
                new = old
        if rng.random() < 0.3:
            old_amount = (amount * Decimal(rng.uniform(0.8, 1.25))).quantize(Decimal(10_000))
            changes.append(("estimated_amount", str(_money(old_amount)), str(_money(amount))))
        if rng.random() < 0.2 and 0 < probability < 100:
            changes.append(("probability", str(max(0, probability - 10 * rng.randint(1, 3))), str(probability)))
        if forecast:
            changes.append(("forecast_category", "", forecast))
        if not changes:
            return
        span = (end - first).total_seconds()
        moments = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in changes)
        # the changes of one field are listed newest first above: write them oldest first
        changes.reverse()
        for (name, old, new), moment in zip(changes, moments, strict=True):
            stage = [stage for stage, entered in timeline if entered <= moment][-1]
            self.t["ProjectEvent"].add(
                project_id=project_id,
                kind="change",
                source=stage,
                target=stage,
                actor_id=owner,
                field=name,
                old_value=old,
                new_value=new,
                created_at=moment,
            )

    def _checklist(self, project_id, state, timeline, owner) -> None:
        rng, table = self.rng, self.t["StageChecklistItem"]
        entered = dict(timeline)
        for stage, text, order, required in self.ctx.actions:
            passed = stage in entered and stage != state
            done = passed or (stage == state and rng.random() < 0.5)
            when = entered.get(stage)
            table.add(
                project_id=project_id,
                stage=stage,
                text=text,
                order=order,
                required=required,
                done=done,
                done_by_id=owner if done else None,
                done_at=(when + timedelta(days=rng.uniform(0.5, 3))) if done and when else None,
            )

    def _interactions(self, project_id, customer_id, owner, members, start, end) -> None:
        rng = self.rng
        span = max((end - start).total_seconds(), 3600.0)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
            moment = start + timedelta(seconds=rng.uniform(0, span))
            self.t["Interaction"].add(
                customer_id=customer_id,
                kind=rng.choice(INTERACTIONS),
                occurred_at=moment,
                summary=rng.choice(TOPICS),
                author_id=rng.choice(members),
                project_id=project_id,
                created_at=moment,
                updated_at=moment,
            )

    def _review(self, project_id, state, owner, amount, moment) -> None:
        """An open review waiting at the gate, one active step decided by the directors."""
        kind = {"initiation_review": "initiation", "contract_review": "contract", "acceptance_review": "acceptance"}[
            state
        ]
        gate = self.ctx.gates.get(kind)
        if gate is None:
            return
        gate_id, step_id, order, name, mode = gate
        review_id = self._id("Review")
        self.t["Review"].add(
            id=review_id,
            gate_id=gate_id,
            project_id=project_id,
            submitted_by_id=owner,
            amount=amount,
            created_at=moment,
            updated_at=moment,
        )
        review_step_id = self._id("ReviewStep")
        self.t["ReviewStep"].add(
            id=review_step_id,
            review_id=review_id,
            gate_step_id=step_id,
            order=order,
            name=name,
            mode=mode,
            status="active",
            groups={"role:director": self.ctx.directors},
        )
        for director in self.ctx.directors:
            self.t["approvers"].add(reviewstep_id=review_step_id, user_id=director)
