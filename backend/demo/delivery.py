"""Demo delivery: the won demo deals carried on through kickoff, milestones with generated and uploaded
deliverables, acceptance, warranty and closing, with partial payments and overdue milestones — one
project in each delivery state. Played through the real services on the presales demo's simulated clock.
Idempotent: a project that already has milestones is left alone. Demo-only code."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from backend.accounts.models import User
from backend.demo.clock import _Clock, _simulated
from backend.milestones import services as delivery
from backend.milestones.alarms import alarm_deliver, alarms_raise, alarms_undelivered
from backend.milestones.models import Milestone
from backend.payments import services as payments
from backend.payments.models import PaymentTerm
from backend.projects import services as projects
from backend.projects.models import Project, ProjectEvent
from workflows.selectors import review_deciders
from workflows.services import review_decide

TZ = ZoneInfo("Asia/Shanghai")

# project name → (target delivery state, kickoff days ago, milestones to finish, share of due money collected)
PLANS = {
    "国网华北电力数据中心扩容": ("closed", 280, 5, 1.0),
    "北京交通大学校园网升级": ("warranty", 360, 5, 0.9),
    "建行北京分行核心网络改造": ("accepted", 190, 5, 0.7),
    "浙江省政务云安全等保整改": ("acceptance_review", 140, 5, 0.6),
    "天津港智慧调度平台二期": ("implementation", 105, 2, 0.5),
    "华东智能制造 MES 与工业网络集成": ("suspended", 62, 1, 0.3),
    "Harbour Logistics warehouse Wi-Fi refresh": ("implementation", 12, 0, 0.0),
}


def _docx(title: str, body: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _Delivery:
    def __init__(self, project: Project, users: dict[str, User], clock: _Clock, start: date):
        self.project, self.users, self.clock = project, users, clock
        self.pm, self.engineer, self.finance = users["pm"], users["engineer"], users["finance"]
        self.set_day(start)

    def set_day(self, day: date, hour: int = 10) -> None:
        self.clock.current = datetime.combine(day, time(hour), tzinfo=TZ)
        self._stamp()

    def _stamp(self) -> None:
        ProjectEvent.objects.filter(project=self.project, created_at__gt=self.clock.current).update(
            created_at=self.clock.current
        )

    def kickoff(self, start: date) -> None:
        for user, role in ((self.pm, "pm"), (self.engineer, "engineer")):
            if not self.project.members.filter(user=user, role=role).exists():
                projects.member_add(actor=self.project.owner, project=self.project, user=user, role=role)
        projects.project_transition(
            project_id=self.project.pk,
            name="kickoff",
            actor=self.pm,
            kickoff_date=start,
            comment="项目启动会已召开。 Kickoff meeting held.",
        )
        self._stamp()

    def finish(self, milestone: Milestone, late_days: int) -> None:
        from backend.docs_templates.services import document_generate
        from backend.milestones.choices import DeliverableType

        self.set_day(milestone.planned_start)
        delivery.milestone_transition(milestone_id=milestone.pk, name="start", actor=self.engineer)
        done_day = milestone.planned_end + timedelta(days=late_days)
        self.set_day(done_day - timedelta(days=1), 15)
        for doc_type in milestone.required_deliverables:
            if doc_type == "delivery_confirmation":
                generated = document_generate(
                    actor=self.engineer, project=self.project, milestone=milestone, doc_type=doc_type
                )
                version = generated.deliverable_version
                assert version is not None  # a document generated for a milestone is filed as its deliverable
                deliverable = version.deliverable
            else:
                label = str(DeliverableType(doc_type).label)
                deliverable = delivery.deliverable_upload(
                    actor=self.engineer,
                    milestone=milestone,
                    doc_type=doc_type,
                    title=label,
                    name=f"{self.project.code}-{doc_type}.docx",
                    data=_docx(label, f"{self.project.name} · {milestone.name}"),
                )
            delivery.deliverable_submit(actor=self.engineer, deliverable=deliverable)
            delivery.deliverable_review(actor=self.pm, deliverable=deliverable, approve=True, comment="同意。")
        delivery.milestone_transition(milestone_id=milestone.pk, name="submit", actor=self.engineer)
        self.set_day(done_day, 11)
        delivery.milestone_transition(
            milestone_id=milestone.pk, name="accept", actor=self.pm, comment="里程碑验收通过。 Milestone accepted."
        )

    def collect(self, share: float, until: date) -> None:
        """Receipts for terms due by ``until``: ``share`` of each, the last instalment often partial."""
        from backend.payments.selectors import payment_terms_with_amounts

        for index, term in enumerate(payment_terms_with_amounts(self.project.payment_terms.order_by("order"))):
            if term.due_date is None or term.due_date > until or term.outstanding <= 0:
                continue
            amount = (term.outstanding * Decimal(str(share))).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            self.set_day(min(term.due_date + timedelta(days=7 + index * 3), until))
            if not term.invoices.exists():
                payments.invoice_create(
                    actor=self.finance,
                    project=self.project,
                    payment_term=term,
                    number=f"INV-{self.project.code}-{term.order}",
                    amount=term.amount,
                    issued_on=term.due_date,
                    due_on=term.due_date + timedelta(days=30),
                )
            payments.receipt_record(
                actor=self.finance,
                payment_term=PaymentTerm.objects.get(pk=term.pk),
                amount=amount,
                received_on=self.clock().date(),
                reference=f"BANK-{self.project.code}-{term.order}",
            )

    def acceptance(self, day: date, final: bool) -> None:
        self.set_day(day)
        projects.project_transition(
            project_id=self.project.pk,
            name="request_acceptance",
            actor=self.pm,
            comment="全部里程碑已完成，申请终验。 All milestones done; requesting acceptance.",
        )
        review = self.project.reviews.get(gate__kind="acceptance", status="pending")
        # the PM asked for acceptance, so the project's owner confirms the first step (segregation of duties)
        confirmer = review_deciders(review=review)[0]
        review_decide(review_id=review.pk, actor=confirmer, decision="approve", comment="内部检查通过。")
        self._stamp()
        if not final:
            return
        self.set_day(day + timedelta(days=5))
        delivery.acceptance_record(
            actor=self.pm,
            project=self.project,
            accepted_on=self.clock().date(),
            signatory="王主任",
            signatory_title="信息中心主任",
            result="conditional",
            punch_list=["补充运维手册 Add the operations manual"],
            notes="系统运行稳定。 The system runs stably.",
        )
        review_decide(
            review_id=review.pk,
            actor=self.users["quality"],
            decision="approve",
            comment="质量文档齐全。 Quality records complete.",
        )
        self._stamp()


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=["pm", "engineer", "finance", "quality"])}
    todo = [(p, PLANS[p.name]) for p in Project.objects.filter(name__in=PLANS, status="won", milestones__isnull=True)]
    today = timezone.localdate()
    clock = _Clock()
    with _simulated(clock):
        for project, (target, days_ago, finished, share) in todo:
            start = today - timedelta(days=days_ago)
            story = _Delivery(project, users, clock, start)
            story.kickoff(start)
            milestones = list(project.milestones.order_by("order"))
            for index, milestone in enumerate(milestones[:finished]):
                story.finish(milestone, late_days=(3 * index) % 7)
            if target in ("closed", "warranty", "accepted", "acceptance_review"):
                last_day = milestones[-1].planned_end + timedelta(days=7)
                story.collect(share, until=last_day)
                story.acceptance(last_day + timedelta(days=2), final=target != "acceptance_review")
            if target in ("closed", "warranty"):
                story.set_day(last_day + timedelta(days=10))
                projects.project_transition(project_id=project.pk, name="start_warranty", actor=users["pm"])
                story.collect(share, until=min(today, last_day + timedelta(days=90)))
            if target == "closed":
                story.collect(1.0, until=today)
                for term in project.payment_terms.all():
                    from backend.payments.selectors import term_outstanding

                    rest = term_outstanding(term_id=term.pk)
                    if rest > 0:
                        payments.payment_write_off(
                            actor=users["finance"],
                            payment_term=term,
                            amount=rest,
                            reason="尾款差额核销 Small balance written off",
                        )
                story.set_day(today - timedelta(days=20))
                projects.project_transition(
                    project_id=project.pk, name="close", actor=users["pm"], comment="项目结项。 Project closed."
                )
            if target in ("implementation", "suspended"):
                story.collect(share, until=today)
                if finished < len(milestones):
                    story.set_day(milestones[finished].planned_start)
                    delivery.milestone_transition(
                        milestone_id=milestones[finished].pk, name="start", actor=users["engineer"]
                    )
            if target == "suspended":
                story.set_day(today - timedelta(days=8))
                projects.project_transition(
                    project_id=project.pk,
                    name="suspend",
                    actor=users["pm"],
                    comment="客户机房改造，暂停实施。 Customer is rebuilding the machine room.",
                )
            story._stamp()
    if todo:
        alarms_raise()
        for alarm_id in alarms_undelivered():
            alarm_deliver(alarm_id=alarm_id)
    states = dict(Project.objects.filter(name__in=PLANS).values_list("name", "status"))
    log(
        f"delivery: {len(todo)} projects carried into delivery; states "
        f"{', '.join(sorted(set(states.values())))}; {Milestone.objects.count()} milestones"
    )
