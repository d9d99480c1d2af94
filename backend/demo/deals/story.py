"""Plays one demo deal through the real services on the simulated clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from backend.bids.choices import BidResult
from backend.bids.models import Bid, Quotation
from backend.bids.selectors import quotation_totals
from backend.bids.services import (
    bid_create,
    bid_opening_record,
    bid_update,
    contract_terms_save,
    quotation_create,
    quotation_submit,
)
from backend.customers.models import Customer
from backend.demo import bids as bids_demo
from backend.demo.deals.catalogue import CLOSE_AHEAD, COMPETITORS, PARTNERS, PROBABILITY, STAGE_NOTES
from backend.demo.deals.plan import _Context, _Plan
from backend.projects import services
from backend.projects.choices import CostCategory, MemberRole, Status
from backend.projects.models import (
    CompetitorNote,
    Project,
    ProjectCompetitor,
    ProjectEvent,
)
from backend.tenders.models import Tender
from backend.tenders.services import tender_create
from workflows.choices import ReviewStatus
from workflows.models import Review
from workflows.selectors import review_deciders
from workflows.services import review_decide


class _Story:
    """Plays one deal through the services on the simulated clock."""

    def __init__(self, plan: _Plan, ctx: _Context) -> None:
        self.plan, self.deal, self.ctx = plan, plan.deal, ctx
        self.rng = random.Random(f"story:{plan.deal.name}")
        self.owner = ctx.users[self.deal.owner]
        self.cursor = plan.created
        self.stage = plan.path[0]
        self.project: Project
        self.entries: dict[str, ProjectCompetitor] = {}
        self.lines: list[dict[str, Any]] = []
        self.quotation: Quotation | None = None
        self.bid: Bid | None = None
        self.our_price: Decimal | None = None
        self.last_event = ProjectEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- time --------------------------------------------------------------------------------------------
    def at(self, fraction: float) -> datetime:
        """Move the clock to ``fraction`` of the current stage (in office hours, never backwards)."""
        start, length = self.plan.starts[self.stage], self.plan.lengths[self.stage]
        moment = timezone.localtime(start + length * fraction, timezone.get_current_timezone())
        office = moment.replace(hour=self.rng.randint(9, 17), minute=self.rng.randint(0, 59))
        if length > timedelta(days=1) and start <= office <= start + length:
            moment = office
        moment = max(moment, self.cursor + timedelta(minutes=self.rng.randint(5, 40)))
        moment = min(moment, self.ctx.now - timedelta(minutes=1))
        self.cursor = moment
        self.ctx.clock.current = moment
        return moment

    def _stamp_events(self) -> None:
        """ProjectEvent.created_at defaults to the real clock: give new events the story's time."""
        ProjectEvent.objects.filter(pk__gt=self.last_event, project=self.project).update(created_at=self.cursor)
        self.last_event = ProjectEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # --- services ----------------------------------------------------------------------------------------
    def transition(self, name: str, comment: str = "", win_loss: dict[str, Any] | None = None) -> None:
        services.project_transition(
            project_id=self.project.pk, name=name, actor=self.owner, comment=comment, win_loss=win_loss
        )
        self._stamp_events()
        self.project.refresh_from_db()

    def decide(self, username: str, decision: str, comment: str = "", review: Review | None = None) -> None:
        """``username`` decides ``review`` (default: the pending initiation or contract review)."""
        if review is None:
            pending = self.project.reviews.filter(status=ReviewStatus.PENDING)
            review = pending.exclude(gate__kind="quotation_margin").get()
        actor = self.ctx.users[username]
        deciders = review_deciders(review=review)
        if actor not in deciders and deciders:  # e.g. her own submission: it went one level up
            actor = deciders[0]
        review_decide(review_id=review.pk, actor=actor, decision=decision, comment=comment)
        self._stamp_events()
        self.project.refresh_from_db()

    def tick(self, everything: bool = False) -> None:
        items = self.project.checklist.filter(stage=self.project.status, done=False)
        for item in items if everything else items.filter(required=True):
            services.checklist_set_done(actor=self.owner, item=item, done=True)

    def note(self, alias: str, stage: str) -> None:
        entry = self.entries.get(alias)
        if entry is None:
            return
        text = self.rng.choice(STAGE_NOTES[Status(stage)])
        note = services.competitor_note_add(actor=self.owner, entry=entry, note=text, stage=stage)
        CompetitorNote.objects.filter(pk=note.pk).update(created_at=self.cursor)

    def expense(self, category: str, low: int, high: int, description: str) -> None:
        services.expense_add(
            actor=self.owner,
            project=self.project,
            category=category,
            amount=Decimal(self.rng.randrange(low, high, 100)),
            spent_on=timezone.localdate(),
            description=description,
        )

    def quote(self, *, lines: list[dict[str, Any]], title: str, submit: bool = True) -> Quotation:
        self.lines = lines
        quotation = quotation_create(
            actor=self.owner,
            project=self.project,
            lines=[{k: v for k, v in line.items() if k != "category"} for line in lines],
            title=title,
            valid_until=timezone.localdate() + timedelta(days=90),
        )
        if submit:
            quotation = quotation_submit(actor=self.owner, quotation=quotation, comment="请审批报价。 Please approve.")
        totals = quotation_totals(quotation_id=quotation.pk)
        self.our_price = bids_demo.round100(totals["gross"])
        self.quotation = quotation
        return quotation

    # --- the story ---------------------------------------------------------------------------------------
    def play(self) -> Project:
        for index, stage in enumerate(self.plan.path):
            self.stage = stage
            following = self.plan.path[index + 1] if index + 1 < len(self.plan.path) else None
            getattr(self, f"_{stage}_handler")(following)
        return self.project

    def _create(self) -> None:
        deal, ctx = self.deal, self.ctx
        customer = ctx.customers[deal.customer]
        self.at(0.0)
        tender = None
        if deal.source == "tender":
            tender = self._tender(customer)
            self.at(0.02)
        if deal.state in CLOSE_AHEAD:
            low, high = CLOSE_AHEAD[Status(deal.state)]
            close = ctx.now.date() + timedelta(days=self.rng.randint(low, high))
        else:
            close = (self.plan.starts[self.plan.path[-1]] + timedelta(days=self.rng.randint(-10, 10))).date()
        self.project = services.project_create(
            actor=self.owner,
            name=deal.name,
            customer=customer,
            owner=self.owner,
            source=deal.source,
            estimated_amount=Decimal(deal.amount),
            probability=PROBABILITY.get(Status(deal.state), 0),
            expected_close_date=close,
            process_template=ctx.templates[deal.template],
            description=f"{customer.name}：{deal.name}",
            tender=tender,
        )
        Project.objects.filter(pk=self.project.pk).update(status_changed_at=self.cursor)
        self._stamp_events()

    def _tender(self, customer: Customer) -> Tender:
        deal = self.deal
        number = f"{deal.customer.upper()}-{self.cursor.year}-ZB{random.Random(deal.name).randint(1000, 9999)}"
        existing = Tender.objects.filter(number=number).first()
        if existing is not None:
            return existing
        bidding = self.plan.starts.get("bidding")
        deadline = (
            bidding + self.plan.lengths["bidding"] * 0.9
            if bidding and self.plan.path[-1] != "bidding"
            else self.cursor + timedelta(days=self.rng.randint(35, 70))
        )
        deadline = timezone.localtime(deadline).replace(hour=9, minute=30, second=0, microsecond=0)
        return tender_create(
            actor=customer.owner,  # its account manager registers it: a tender names only a customer its author sees
            owner=self.owner,
            number=number,
            title=deal.name,
            buyer=customer.name,
            customer=customer,
            budget=Decimal(deal.amount),
            industry=customer.industry,
            region=customer.region,
            publish_date=(self.cursor - timedelta(days=2)).date(),
            registration_deadline=self.cursor + timedelta(days=7),
            bid_deadline=deadline,
            opening_date=deadline,
            qualification_requirements="具备信息系统集成及服务资质；近三年同类项目业绩不少于两项；原厂授权。",
            source_url=f"https://www.ccgp.gov.cn/demo/{number.lower()}.html",
        )

    def _tender_stage_work(self) -> None:
        deal = self.deal
        if self.owner.username != "presales" and self.rng.random() < 0.85:
            self.at(0.1)
            services.member_add(
                actor=self.owner, project=self.project, user=self.ctx.users["presales"], role=MemberRole.PRESALES
            )
        if self.owner.username != "bidmgr" and deal.source == "tender":
            services.member_add(
                actor=self.owner, project=self.project, user=self.ctx.users["bidmgr"], role=MemberRole.BID_MANAGER
            )
        self.at(0.25)
        for position, alias in enumerate(deal.rivals):
            competitor = self.ctx.competitors[alias]
            _name, _site, strengths, weaknesses, solution = COMPETITORS[alias]
            threat = "high" if position == 0 else self.rng.choice(["medium", "medium", "low"])
            self.entries[alias] = services.competitor_add(
                actor=self.owner,
                project=self.project,
                competitor=competitor,
                solution=solution,
                strengths=strengths.split(" ")[0],
                weaknesses=weaknesses.split(" ")[0],
                threat_level=threat,
                estimated_price=bids_demo.round100(Decimal(deal.amount) * Decimal(str(self.rng.uniform(0.85, 1.1)))),
            )
        for alias in deal.rivals[:2]:
            self.at(0.3)
            self.note(alias, Status.TENDER)
        self.at(0.4)
        self.expense(CostCategory.TRAVEL, 1_500, 9_000, "拜访客户信息中心 Customer visit")

    # Each stage handler does the work of the stage, then (unless the deal stays here) leaves it for
    # ``following``.
    def _tender_handler(self, following: str | None) -> None:
        self._create()
        self._tender_stage_work()
        deal = self.deal
        if deal.initiation_returned:
            self.at(0.5)
            self.tick()
            self.transition("submit_initiation", "申请立项。 Requesting initiation.")
            self.at(0.6)
            self.decide(self._initiation_approver(), "return", deal.initiation_returned)
        if following is None:
            if self.rng.random() < 0.5:
                self.at(0.6)
                self.tick()
            return
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(0.8)
        self.tick(everything=self.rng.random() < 0.4)
        self.at(1.0)
        self.transition("submit_initiation", "申请立项，预计毛利 20% 以上。 Requesting initiation.")

    def _initiation_approver(self) -> str:
        department = self.project.department
        head = department.head if department and department.head_id else None
        if head is not None and head.pk != self.owner.pk and head.username != "exec":
            return head.username
        return "director"

    def _initiation_review_handler(self, following: str | None) -> None:
        if following is None:
            return
        self.at(1.0)
        if following == Status.REJECTED:
            reasons = {
                "成都市公安局警务大数据平台运维外包": "运维外包毛利低且需驻场 30 人，不符合战略。 Low-margin staffing.",
                "西安地铁 OA 系统国产化迁移": "我司无信创适配认证，资格不满足。 No domestic-stack certification.",
            }
            comment = reasons.get(self.deal.name, "纯硬件供货毛利过低，不予立项。 Hardware-only margin too thin.")
            self.decide("director", "reject", comment)
        else:
            self.decide(self._initiation_approver(), "approve", "同意立项。 Approved.")

    def _pursuit_handler(self, following: str | None) -> None:
        deal = self.deal
        for alias in deal.partners:
            self.at(0.15)
            _name, kind, _contact, notes = PARTNERS[alias]
            services.partner_add(
                actor=self.owner,
                project=self.project,
                partner=self.ctx.partners[alias],
                role=kind,
                scope=notes,
                amount=bids_demo.round100(Decimal(deal.amount) * Decimal(str(self.rng.uniform(0.08, 0.3)))),
            )
        for alias in deal.rivals[:2]:
            self.at(0.3)
            self.note(alias, Status.PURSUIT)
        self.at(0.4)
        self.expense(CostCategory.PRESALES, 3_000, 20_000, "方案演示与技术交流 Solution demo")
        if deal.poc_cost:
            self.at(0.5)
            services.expense_add(
                actor=self.owner,
                project=self.project,
                category=CostCategory.PRESALES,
                amount=Decimal(deal.poc_cost),
                spent_on=timezone.localdate(),
                description="PoC 测试环境与设备租赁 PoC environment and equipment rental",
            )
        if following is None:
            if self.rng.random() < 0.5:
                self.at(0.7)
                self.tick()
            if deal.amount > 5_000_000:
                self.at(0.8)
                self._first_quotation(submit=False)
            return
        self.at(0.8)
        self.tick(everything=self.rng.random() < 0.5)
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(1.0)
        self.transition("start_bidding", "投标资格已确认，开始编制标书。 Qualified; preparing the bid.")

    def _first_quotation(self, submit: bool = True) -> Quotation:
        deal = self.deal
        net = Decimal(deal.amount) / Decimal("1.1")
        lines = bids_demo.quotation_lines(
            rng=self.rng, kind=deal.kind, net=net, margin=deal.margin, count=self.rng.randint(3, 12)
        )
        return self.quote(lines=lines, title=f"{deal.name} 报价", submit=submit)

    def _margin_review(self, quotation: Quotation) -> Review | None:
        return Review.objects.filter(quotation=quotation, status=ReviewStatus.PENDING).first()

    def _bidding_handler(self, following: str | None) -> None:
        deal = self.deal
        status = deal.bid_status if following is None else "opened"
        bond = bids_demo.bond_for(deal.amount)
        if deal.void_round:
            self.at(0.05)
            void = bid_create(actor=self.owner, project=self.project, bond_amount=bond, bond_paid_on=self._today())
            self.at(0.2)
            bid_update(actor=self.owner, bid=void, data={"submitted_on": self._today()})
            self.at(0.25)
            bid_update(
                actor=self.owner,
                bid=void,
                data={"result": BidResult.VOID, "notes": "投标人不足三家，流标后重新招标。 Fewer than three bidders."},
            )
        self.at(0.3)
        self.quotation = self._first_quotation()
        review = self._margin_review(self.quotation)
        if review is not None and deal.margin_decision != "pending":
            self.at(0.38)
            if deal.margin_decision == "reject":
                self.decide(
                    "director", "reject", "毛利过低，请重新核算成本。 Margin too low; rework the costs.", review
                )
                self.at(0.45)
                lines = bids_demo.quotation_lines(
                    rng=self.rng, kind=deal.kind, net=Decimal(deal.amount) / Decimal("1.08"), margin=17.0, count=9
                )
                self.quote(lines=lines, title=f"{deal.name} 报价（修订）")
            else:
                self.decide("director", "approve", "战略客户，同意低毛利报价。 Strategic account: approved.", review)
        if status == "quoting" and following is None:
            return
        self.at(0.5)
        self.bid = bid_create(
            actor=self.owner, project=self.project, bond_amount=bond, bond_paid_on=self._today(), notes=""
        )
        for alias in deal.rivals[:2]:
            self.at(0.55)
            self.note(alias, Status.BIDDING)
        self.at(0.7)
        self.tick(everything=self.rng.random() < 0.5)
        if following == Status.ABANDONED:  # cut losses before submitting
            self._abandon()
            return
        if status == "bond_paid":
            return
        self.at(0.85)
        bid_update(actor=self.owner, bid=self.bid, data={"submitted_on": self._today(), "our_price": self.our_price})
        if status == "submitted":
            return
        self.at(0.95)
        self._opening(following)
        if following is None:
            return
        self.at(1.0)
        if following == Status.NEGOTIATION:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.AWARDED})
            self.transition("award", "收到中标通知书。 Notice of award received.")
        else:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.LOST})
            self.transition("lose", "未中标。 Not awarded.", win_loss=self._win_loss())

    def _opening(self, following: str | None) -> None:
        assert self.bid is not None and self.our_price is not None
        outcome = self.deal.outcome
        winner_alias = outcome[2] if outcome and following == Status.LOST else ""
        winner = self.ctx.competitors[winner_alias] if winner_alias else None
        rivals = [self.ctx.competitors[a] for a in self.deal.rivals]
        price_decided = bool(outcome and outcome[0] == "price") or (following is None and self.rng.random() < 0.5)
        rows = bids_demo.opening_prices(
            rng=self.rng, our_price=self.our_price, rivals=rivals, winner=winner, price_decided=price_decided
        )
        bid_opening_record(actor=self.owner, bid=self.bid, entries=rows)
        by_competitor = {row["competitor"].pk: row["price"] for row in rows if not row["is_us"]}
        for alias, entry in self.entries.items():
            price = by_competitor.get(self.ctx.competitors[alias].pk)
            if price is not None:
                services.competitor_update(actor=self.owner, entry=entry, data={"bid_price": price})

    def _win_loss(self) -> dict[str, Any]:
        assert self.deal.outcome is not None
        primary, secondary, winner_alias, lessons = self.deal.outcome
        winner = self.ctx.competitors[winner_alias] if winner_alias else None
        winning_price = None
        if winner is not None and winner_alias in self.entries:
            self.entries[winner_alias].refresh_from_db()
            winning_price = self.entries[winner_alias].bid_price
        return {
            "primary_reason": primary,
            "secondary_reasons": list(secondary),
            "winning_competitor": winner,
            "winning_price": winning_price if winner is not None else self.our_price,
            "our_price": self.our_price,
            "lessons": lessons,
        }

    def _negotiation_handler(self, following: str | None) -> None:
        deal = self.deal
        self.at(0.1)
        if self.bid is not None and deal.rivals and self.rng.random() < 0.6:
            self.note(deal.rivals[0], Status.NEGOTIATION)
        self.at(0.2)
        negotiated = bids_demo.lines_discounted(self.lines, rng=self.rng, discount=self.rng.uniform(2.0, 6.0))
        self.quote(lines=negotiated, title=f"{deal.name} 报价（谈判）")
        review = self._margin_review(self.quotation) if self.quotation else None
        if review is not None:
            self.at(0.25)
            self.decide("director", "approve", "同意按谈判价签约。 Approved at the negotiated price.", review)
        terms_now = following is not None or deal.contract_returned or self.rng.random() < 0.6
        if terms_now:
            self.at(0.35)
            self._terms()
        self.at(0.4)
        self._budget()
        if deal.contract_returned:
            self.at(0.45)
            self.tick()
            self.transition("submit_contract_review", "合同草案提交评审。 Contract draft for review.", self._won())
            self.at(0.6)
            self.decide("legal", "return", deal.contract_returned)
            self.at(0.75)
            self._terms(revised=True)
        if following is None:
            return
        self.at(0.9)
        self.tick(everything=True)
        if following == Status.ABANDONED:
            self._abandon()
            return
        self.at(1.0)
        self.transition(
            "submit_contract_review",
            "谈判完成，提交合同评审。 Negotiation done; contract review requested.",
            None if deal.contract_returned else self._won(),
        )

    def _won(self) -> dict[str, Any]:
        """The win record sent with submit_contract_review (deals still in review get a plausible one)."""
        primary, secondary, _winner, lessons = self.deal.outcome or (
            self.rng.choice(["technology", "relationship", "service", "price"]),
            ("relationship",),
            "",
            "",
        )
        return {
            "primary_reason": primary,
            "secondary_reasons": list(secondary),
            "winning_competitor": None,
            "winning_price": self.our_price,
            "our_price": self.our_price,
            "lessons": lessons,
        }

    def _terms(self, revised: bool = False) -> None:
        assert self.our_price is not None
        contract_terms_save(
            actor=self.owner,
            project=self.project,
            amount=self.our_price,
            payment_terms=(
                "合同签订后支付 30%，到货验收后支付 40%，终验后支付 25%，质保期满支付 5%。"
                if not revised
                else "按客户割接节点分期：签约 20%，首批割接 30%，全部割接 40%，终验 10%。"
            ),
            delivery_date=timezone.localdate() + timedelta(days=self.rng.randint(60, 150)),
            penalties="逾期交付每日按合同金额 0.5‰ 计违约金，累计不超过 5%。",
            warranty_months=self.rng.choice([12, 24, 36, 36]),
        )

    def _budget(self) -> None:
        categories = bids_demo.lines_cost_by_category(self.lines)
        for category, amount in sorted(categories.items()):
            services.budget_line_add(
                actor=self.owner,
                project=self.project,
                category=category,
                planned_amount=amount,
                description=str(CostCategory(category).label),
            )
        services.budget_line_add(
            actor=self.owner,
            project=self.project,
            category=CostCategory.TRAVEL,
            planned_amount=Decimal(self.rng.randrange(20_000, 80_000, 1000)),
            description="实施差旅 Delivery travel",
        )

    def _contract_review_handler(self, following: str | None) -> None:
        approvers = ["legal", "finance"]
        if self.project.contract_terms.amount >= 5_000_000:
            approvers.append("exec")
        if following is None:
            approvers = list(self.deal.contract_approved)
        comments = {
            "legal": "合同条款合规。 Terms compliant.",
            "finance": "付款条件可接受，毛利符合要求。 Payment terms and margin acceptable.",
            "exec": "同意签约。 Approved.",
        }
        for position, username in enumerate(approvers, start=1):
            self.at(position / (len(approvers) + 0.5))
            self.decide(username, "approve", comments[username])

    def _won_handler(self, following: str | None) -> None:
        self.at(0.15)
        services.member_add(actor=self.owner, project=self.project, user=self.ctx.users["pm"], role=MemberRole.PM)
        self.at(0.2)
        services.member_add(
            actor=self.owner, project=self.project, user=self.ctx.users["engineer"], role=MemberRole.ENGINEER
        )
        self._refund_bond(0.5)

    def _lost_handler(self, following: str | None) -> None:
        self._refund_bond(0.4)

    def _abandoned_handler(self, following: str | None) -> None:
        self._refund_bond(0.3)

    def _rejected_handler(self, following: str | None) -> None:
        return

    def _refund_bond(self, fraction: float) -> None:
        if self.bid is not None and self.bid.bond_paid_on and not self.bid.bond_refunded_on:
            self.at(fraction)
            bid_update(actor=self.owner, bid=self.bid, data={"bond_refunded_on": self._today()})

    def _abandon(self) -> None:
        assert self.deal.outcome is not None
        self.at(1.0)
        primary, secondary, _winner, lessons = self.deal.outcome
        if self.bid is not None and self.bid.result == BidResult.PENDING:
            bid_update(actor=self.owner, bid=self.bid, data={"result": BidResult.VOID})
        self.transition(
            "abandon",
            lessons,
            win_loss={"primary_reason": primary, "secondary_reasons": list(secondary), "lessons": lessons},
        )

    def _today(self) -> Any:
        return timezone.localdate()
