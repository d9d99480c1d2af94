"""Rows of the sales side of a project: its tender notice, competitors, bid with the opening record,
win/loss record, quotations with lines and contract terms (a mixin of :class:`bench.data.projects.Chunk`)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bench.data.lifecycle import WINDOW_DAYS
from bench.data.rows import ITEMS, ChunkBase
from bench.data.rows import day as _day
from bench.data.rows import money as _money


class SalesRows(ChunkBase):
    def _tender(self, i, title, customer_id, buyer, industry, region, owner, amount, start, *, linked=True) -> int:
        rng = self.rng
        tender_id = self._id("Tender")
        published = (
            start - timedelta(days=rng.randint(0, 10))
            if linked
            else self.ctx.now - timedelta(days=rng.uniform(0, WINDOW_DAYS))
        )
        deadline = published + timedelta(days=rng.randint(15, 30))
        self.t["Tender"].add(
            id=tender_id,
            number=f"BN-{'T' if linked else 'U'}-{i + 1:07d}",
            title=title,
            buyer=buyer[:200],
            customer_id=customer_id,
            budget=_money(amount * Decimal(rng.uniform(1.0, 1.15))),
            industry=industry,
            region=region,
            publish_date=_day(published),
            registration_deadline=published + timedelta(days=7),
            bid_deadline=deadline,
            opening_date=deadline,
            owner_id=owner,
            created_at=published,
            updated_at=published,
        )
        return tender_id

    def _competitors(self, project_id, amount, entered) -> list[tuple[int, Decimal]]:
        rng = self.rng
        chosen = rng.sample(self.ctx.competitors, k=min(len(self.ctx.competitors), rng.randint(1, 4)))
        result = []
        for competitor in chosen:
            price = _money(amount * Decimal(rng.uniform(0.82, 1.12)))
            self.t["ProjectCompetitor"].add(
                project_id=project_id,
                competitor_id=competitor,
                threat_level=rng.choice(["low", "medium", "medium", "high"]),
                estimated_price=price,
                bid_price=price if "negotiation" in entered or "lost" in entered else None,
                created_at=entered["pursuit"],
                updated_at=entered["pursuit"],
            )
            result.append((competitor, price))
        return result

    def _bid(self, project_id, state, amount, entered, competitors) -> dict[int | None, Decimal]:
        """One bid round and, once opened, the opening record; returns price by competitor (None = us)."""
        rng = self.rng
        bidding = entered["bidding"]
        opened = "negotiation" in entered or state == "lost"
        result = "awarded" if "negotiation" in entered else "lost" if state == "lost" else "pending"
        ours = _money(amount * Decimal(rng.uniform(0.9, 1.0)))
        submitted = bidding + timedelta(days=rng.uniform(5, 14))
        bid_id = self._id("Bid")
        self.t["Bid"].add(
            id=bid_id,
            project_id=project_id,
            round=1,
            submitted_on=_day(submitted) if opened or submitted < self.ctx.now else None,
            bond_amount=_money(amount * Decimal("0.02")),
            bond_paid_on=_day(bidding + timedelta(days=2)),
            bond_refunded_on=_day(submitted + timedelta(days=30))
            if opened and submitted + timedelta(days=30) < self.ctx.now
            else None,
            our_price=ours,
            result=result,
            created_at=bidding,
            updated_at=submitted if opened else bidding,
        )
        prices: dict[int | None, Decimal] = {None: ours, **dict(competitors)}
        if not opened:
            return prices
        winner = None if result == "awarded" else (min(competitors, key=lambda c: c[1])[0] if competitors else None)
        ranked = sorted(prices, key=lambda who: (who != winner, prices[who]))
        for rank, who in enumerate(ranked, start=1):
            self.t["BidOpeningEntry"].add(
                bid_id=bid_id,
                competitor_id=who,
                is_us=who is None,
                price=prices[who],
                rank=rank,
                technical_score=_money(rng.uniform(70, 98)),
            )
        return prices

    def _win_loss(self, project_id, outcome, owner, amount, competitors, prices, moment) -> None:
        rng, ctx = self.rng, self.ctx
        if not ctx.reasons:
            return
        record_id = self._id("WinLossRecord")
        winner, winning_price = None, None
        if outcome == "lost" and competitors:
            winner = min((c for c in competitors if c[0] in prices), key=lambda c: c[1], default=competitors[0])[0]
            winning_price = prices.get(winner)
        elif outcome == "won":
            winning_price = prices.get(None)
        primary, *secondary = rng.sample(ctx.reasons, k=min(len(ctx.reasons), rng.randint(1, 3)))
        self.t["WinLossRecord"].add(
            id=record_id,
            project_id=project_id,
            outcome=outcome,
            primary_reason_id=primary,
            winning_competitor_id=winner,
            winning_price=winning_price,
            our_price=prices.get(None, amount),
            lessons="复盘：价格与方案 Review of price and solution" if rng.random() < 0.4 else "",
            recorded_by_id=owner,
            created_at=moment,
            updated_at=moment,
        )
        for reason in secondary:
            self.t["secondary"].add(winlossrecord_id=record_id, winlossreason_id=reason)

    def _quotations(self, project_id, state, owner, amount, entered) -> None:
        rng = self.rng
        versions = 1 if state == "pursuit" else rng.randint(1, 3)
        begin = entered["pursuit"]
        final = "approved" if "bidding" in entered else rng.choice(["draft", "pending_approval"])
        for version in range(1, versions + 1):
            moment = begin + timedelta(days=rng.uniform(1, 10) * version)
            moment = min(moment, self.ctx.now - timedelta(minutes=5))
            quotation_id = self._id("Quotation")
            self.t["Quotation"].add(
                id=quotation_id,
                project_id=project_id,
                version=version,
                title=f"报价 Quotation v{version}",
                status=final if version == versions else "rejected",
                valid_until=_day(moment + timedelta(days=90)),
                created_by_id=owner,
                created_at=moment,
                updated_at=moment,
            )
            lines = rng.sample(ITEMS, k=rng.randint(2, 6))
            share = amount / len(lines)
            for position, (description, unit) in enumerate(lines, start=1):
                quantity = rng.randint(1, 20)
                price = _money(share / quantity)
                self.t["QuotationLine"].add(
                    quotation_id=quotation_id,
                    position=position,
                    description=description,
                    unit=unit,
                    quantity=Decimal(quantity),
                    unit_price=price,
                    unit_cost=_money(price * Decimal(rng.uniform(0.65, 0.9))),
                    discount=Decimal(rng.choice([0, 0, 5, 10])),
                    tax_rate=Decimal(6 if unit in ("人天", "次", "年") else 13),
                )

    def _contract(self, project_id, amount, moment) -> None:
        rng = self.rng
        self.t["ContractTerms"].add(
            project_id=project_id,
            amount=amount,
            payment_terms="30% 预付, 60% 到货, 10% 质保金",
            delivery_date=_day(moment + timedelta(days=rng.randint(60, 180))),
            penalties="逾期每日 0.05% Late delivery 0.05% a day" if rng.random() < 0.5 else "",
            warranty_months=rng.choice([12, 12, 24, 36]),
            created_at=moment,
            updated_at=moment,
        )
