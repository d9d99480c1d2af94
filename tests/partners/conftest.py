"""Fixtures for channel partners: the default grades of the data migration (金牌 Gold: 4 trainings, 3 years,
¥5,000,000, 3 certifications; 银牌 Silver: 2, 1, ¥1,000,000, 1; 注册 Registered: nothing), a day to grade on,
and helpers that give a partner trainings, certifications and won projects on given dates."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.partners.models import PartnerCertification, PartnerGrade, PartnerProfile, PartnerTraining
from backend.projects.models import Partner, Project, ProjectPartner
from tests.factories import ProjectFactory

TODAY = date(2026, 6, 15)  # the 12-month window: 2025-06-15 … 2026-06-15


@pytest.fixture
def grades(db) -> dict[str, PartnerGrade]:
    return {g.code: g for g in PartnerGrade.objects.all()}


def make_partner(name: str, *, since: date | None = None, kind: str = "vendor") -> Partner:
    partner = Partner.objects.create(name=name, kind=kind)
    PartnerProfile.objects.create(partner=partner, cooperation_since=since)
    return partner


def trainings(partner: Partner, *days: date) -> None:
    for day in days:
        PartnerTraining.objects.create(partner=partner, course=f"认证培训 {day}", held_on=day, attendees=2)


def certification(partner: Partner, name: str, issued: date, valid_until: date | None = None) -> None:
    PartnerCertification.objects.create(partner=partner, name=name, issued=issued, valid_until=valid_until)


def won(partner: Partner, amount: str, when: datetime, *, status: str = "won", **project) -> ProjectPartner:
    """The partner on a project won at ``when`` (local time) for ``amount``."""
    p = ProjectFactory(**project)
    Project.objects.filter(pk=p.pk).update(status=status, outcome="won", closed_at=when)
    return ProjectPartner.objects.create(project=p, partner=partner, amount=Decimal(amount))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(date(year, month, day), time(hour, minute)))
