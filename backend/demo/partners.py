"""Demo channel partners: 深信服 a gold partner (years of cooperation, four trainings and three certifications
this year, volume on won projects), 奇安信 silver, the cabling subcontractor registered (one expired
certification, an old training), graded by the same re-grading the nightly task runs; and a quotation for
the silver partner with a line discounted above its 10 % ceiling, submitted, so the director's inbox shows
the margin review naming the line. Written through the services. Idempotent: trainings and certifications
are found by partner and name, the volume is topped up only when short, the quotation by its title."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from backend.accounts.models import User
from backend.bids import services as bids
from backend.bids.models import Quotation
from backend.core.errors import ApplicationError
from backend.partners import services
from backend.partners.models import PartnerCertification, PartnerProfile, PartnerTraining
from backend.partners.selectors import window_start, with_figures
from backend.projects.choices import PRESALES_OPEN, Status
from backend.projects.models import Partner, Project
from backend.projects.services import partner_add

# name prefix in the catalogue: years of cooperation, trainings (days ago), certifications
# (name, issued days ago, valid for days; None: no expiry), volume in the last 12 months (CNY)
PLAN: dict[str, tuple[int, list[int], list[tuple[str, int, int | None]], Decimal]] = {
    "深信服科技": (
        6,
        [20, 75, 140, 250],
        [("深信服超融合认证服务商", 300, 700), ("深信服安全服务认证", 200, 500), ("ITSS 三级", 400, None)],
        Decimal("6000000"),
    ),
    "奇安信": (2, [45, 160], [("奇安信安全集成资质", 180, 365)], Decimal("1800000")),
    "北京恒信通综合布线": (1, [420], [("综合布线施工资质", 800, 400)], Decimal(0)),
}
QUOTATION_TITLE = "奇安信渠道报价（态势感知）"


def _ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def _top_up_volume(partner: Partner, target: Decimal, actor: User, log: Callable[[str], None]) -> None:
    """Put the partner on a won project of the last 12 months for what its volume lacks of ``target``."""
    today = timezone.localdate()
    figures = with_figures(Partner.objects.filter(pk=partner.pk), today=today)
    volume = figures.values_list("volume_12m", flat=True)[0]  # type: ignore[misc]
    missing = target - Decimal(volume or 0)
    if missing <= 0:
        return
    candidates = (
        Project.objects.filter(outcome=Status.WON, closed_at__date__gte=window_start(today))
        .exclude(partners__partner=partner)
        .select_related("owner")
        .order_by("-closed_at")
    )
    project = candidates.first()
    if project is not None:
        partner_add(actor=project.owner, project=project, partner=partner, role=partner.kind, amount=missing)
        return
    log(f"  ! {partner.name}: not enough won projects for the volume")


def _state() -> tuple[int, int, int, int]:
    from backend.projects.models import ProjectPartner

    return (
        PartnerProfile.objects.count(),
        PartnerTraining.objects.count(),
        PartnerCertification.objects.count(),
        ProjectPartner.objects.count(),
    )


def load(*, password: str, log: Callable[[str], None]) -> None:
    admin = User.objects.filter(username="director").first() or User.objects.filter(is_superuser=True).first()
    if admin is None:
        return
    before = _state()
    for prefix, (years, trainings, certifications, volume) in PLAN.items():
        partner = Partner.objects.filter(name__startswith=prefix).first()
        if partner is None:
            continue
        profile = PartnerProfile.objects.filter(partner=partner).first()
        if profile is None or profile.cooperation_since is None:
            since = _ago(0).replace(year=_ago(0).year - years) - timedelta(days=30)
            services.partner_profile_save(actor=admin, partner=partner, data={"cooperation_since": since})
        for n, days in enumerate(trainings, start=1):
            course = f"{prefix}产品培训第 {n} 期"
            if not PartnerTraining.objects.filter(partner=partner, course=course).exists():
                services.partner_training_add(
                    actor=admin, partner=partner, course=course, held_on=_ago(days), attendees=2 + n
                )
        for name, issued, valid in certifications:
            if not PartnerCertification.objects.filter(partner=partner, name=name).exists():
                services.partner_certification_add(
                    actor=admin,
                    partner=partner,
                    name=name,
                    issued=_ago(issued),
                    valid_until=None if valid is None else _ago(issued) + timedelta(days=valid),
                )
        if volume:
            _top_up_volume(partner, volume, admin, log)
    # the nightly re-grading, as a fresh installation would have run it; a second demo run changes nothing
    if _state() != before or PartnerProfile.objects.filter(graded_at__isnull=True).exists():
        services.partner_regrade()
    for profile in PartnerProfile.objects.select_related("partner", "grade").filter(grade__isnull=False):
        if profile.partner.name.startswith(tuple(PLAN)):
            log(f"  partner {profile.partner.name}: {profile.grade}")
    _channel_quotation(log)


def _channel_quotation(log: Callable[[str], None]) -> None:
    partner = Partner.objects.filter(name__startswith="奇安信").first()
    if partner is None or Quotation.objects.filter(title=QUOTATION_TITLE).exists():
        return
    project = (
        Project.objects.filter(status__in=[Status.BIDDING, Status.NEGOTIATION])
        .select_related("owner")
        .order_by("pk")
        .first()
    ) or Project.objects.filter(status__in=PRESALES_OPEN).select_related("owner").order_by("pk").first()
    if project is None:
        return
    line = {"unit": "套", "quantity": Decimal(1), "tax_rate": Decimal(13)}
    quotation = bids.quotation_create(
        actor=project.owner,
        project=project,
        partner=partner,
        title=QUOTATION_TITLE,
        lines=[
            {
                **line,
                "description": "态势感知平台",
                "unit_price": Decimal(480000),
                "unit_cost": Decimal(300000),
                "discount": Decimal(8),
            },
            {
                **line,
                "description": "终端安全管理系统（500 点）",
                "unit_price": Decimal(150000),
                "unit_cost": Decimal(80000),
                "discount": Decimal(18),
            },
        ],
    )
    try:
        bids.quotation_submit(actor=project.owner, quotation=quotation, comment="渠道项目，按合作伙伴等级报价")
    except ApplicationError as exc:  # no approver in a trimmed demo: the draft stays
        log(f"  ! channel quotation left as a draft: {exc.message}")
        return
    log(f"  channel quotation {project.code} v{quotation.version}: {Quotation.objects.get(pk=quotation.pk).status}")
