"""Rows of a won project's delivery: milestones (some late), payment terms, invoices and receipts (some
overdue); a mixin of :class:`bench.data.projects.Chunk`."""

from __future__ import annotations

from datetime import datetime, timedelta

from bench.data.rows import MILESTONES, TERMS, ChunkBase
from bench.data.rows import day as _day
from bench.data.rows import money as _money


class DeliveryRows(ChunkBase):
    def _delivery(self, i, project_id, state, owner, members, contract_amount, entered) -> None:
        """Milestones (some late), payment terms, invoices and receipts (some overdue)."""
        rng, now = self.rng, self.ctx.now
        begin = entered["won"]
        planned_days = rng.randint(60, 150)
        slip = rng.uniform(0.9, 1.6)  # how much longer than planned the work really takes
        pm = next((m for m in members[1:] if m in self.ctx.pms), owner)
        accepted_until = (
            len(MILESTONES)
            if state in ("accepted", "warranty", "closed")
            else len(MILESTONES) - 1
            if state == "acceptance_review"
            else None
        )
        milestone_ids, accepted_on = [], {}
        cursor = begin
        for n, (name, weight) in enumerate(MILESTONES):
            span = planned_days * weight / 10
            planned_start, planned_end = cursor, cursor + timedelta(days=span)
            cursor = planned_end
            actual_start = begin + (planned_start - begin) * slip
            actual_end = begin + (planned_end - begin) * slip
            if accepted_until is not None:
                status = "accepted" if n < accepted_until else "submitted"
            elif state == "won":
                status = "planned"
            elif actual_end < now:
                status = "accepted"
            elif actual_start < now:
                status = "in_progress"
            else:
                status = "planned"
            if state in ("acceptance_review", "accepted", "warranty", "closed"):
                # delivery finished before the acceptance request: squeeze the real dates into that window
                finish = entered["acceptance_review"]
                actual_start = begin + (finish - begin) * (
                    (planned_start - begin) / (cursor - begin + timedelta(days=planned_days))
                )
                actual_end = begin + (finish - begin) * (
                    (planned_end - begin) / (cursor - begin + timedelta(days=planned_days))
                )
            milestone_id = self._id("Milestone")
            milestone_ids.append(milestone_id)
            if status == "accepted":
                accepted_on[n] = _day(actual_end)
            self.t["Milestone"].add(
                id=milestone_id,
                project_id=project_id,
                name=name,
                order=n + 1,
                planned_start=_day(planned_start),
                planned_end=_day(planned_end),
                actual_start=_day(actual_start) if status != "planned" else None,
                actual_end=_day(actual_end) if status in ("accepted", "submitted") else None,
                owner_id=pm,
                weight=weight,
                required_deliverables=[],
                status=status,
                created_at=begin,
                updated_at=min(actual_end, now) if status != "planned" else begin,
            )
        finance = rng.choice(self.ctx.finance or [owner])
        for order, (name, percent, milestone_index) in enumerate(TERMS, start=1):
            term_id = self._id("PaymentTerm")
            amount = _money(contract_amount * percent / 100)
            due = accepted_on.get(milestone_index)
            days_after = 30 if order < 3 else 365
            due_date = due + timedelta(days=days_after) if due else None
            self.t["PaymentTerm"].add(
                id=term_id,
                project_id=project_id,
                milestone_id=milestone_ids[milestone_index],
                name=name,
                order=order,
                percent=percent,
                amount=amount,
                due_date=due_date,
                days_after_acceptance=days_after,
                created_at=begin,
                updated_at=begin,
            )
            if due_date is None or due_date > now.date() + timedelta(days=30):
                continue
            issued = due_date - timedelta(days=rng.randint(5, 20))
            invoice_id = self._id("Invoice")
            self.t["Invoice"].add(
                id=invoice_id,
                project_id=project_id,
                payment_term_id=term_id,
                number=f"BN-INV-{i + 1:07d}-{order}",
                amount=amount,
                issued_on=issued,
                due_on=due_date,
                created_at=datetime.combine(issued, datetime.min.time(), tzinfo=now.tzinfo),
                updated_at=datetime.combine(issued, datetime.min.time(), tzinfo=now.tzinfo),
            )
            if due_date >= now.date() or rng.random() < 0.15:
                continue  # not due yet, or overdue: no money in
            parts = [amount] if rng.random() < 0.85 else [_money(amount / 2), amount - _money(amount / 2)]
            received = due_date + timedelta(days=rng.randint(-10, 40))
            for part in parts:
                received = min(received, now.date())
                self.t["Receipt"].add(
                    project_id=project_id,
                    payment_term_id=term_id,
                    invoice_id=invoice_id,
                    amount=part,
                    received_on=received,
                    reference=f"BN{i + 1:07d}{order}",
                    recorded_by_id=finance,
                    created_at=datetime.combine(received, datetime.min.time(), tzinfo=now.tzinfo),
                    updated_at=datetime.combine(received, datetime.min.time(), tzinfo=now.tzinfo),
                )
                received = received + timedelta(days=rng.randint(10, 60))
