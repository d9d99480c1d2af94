"""The discount ceiling of a channel partner's grade on quotations: within it (or exactly at it) a quotation
with a good margin is approved at once; a line above it sends the quotation through the margin gate even
with a good margin, and the review's comment names the line, its discount, the grade and the ceiling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from backend.bids import services
from backend.partners.models import PartnerProfile
from backend.projects.models import Partner
from tests.factories import ProjectFactory
from workflows.models import Review

pytestmark = pytest.mark.django_db


def line(description: str, discount: str) -> dict:
    # price 100, cost 50: the margin stays above 15 % for any discount up to 40 %
    return {
        "description": description,
        "unit": "",
        "quantity": Decimal(1),
        "unit_price": Decimal(100),
        "unit_cost": Decimal(50),
        "discount": Decimal(discount),
        "tax_rate": Decimal(13),
    }


@pytest.fixture
def project(org):
    return ProjectFactory(owner=org["bidmgr"], department=org["department"], estimated_amount=2_000_000)


@pytest.fixture
def silver_partner(db):
    from backend.partners.models import PartnerGrade

    partner = Partner.objects.create(name="银河网络")
    PartnerProfile.objects.create(partner=partner, grade=PartnerGrade.objects.get(code="silver"))  # ceiling 10 %
    return partner


def submit(project, actor, partner, *discounts: str):
    q = services.quotation_create(
        actor=actor,
        project=project,
        partner=partner,
        lines=[line(f"Item {n}", d) for n, d in enumerate(discounts, start=1)],
    )
    return services.quotation_submit(actor=actor, quotation=q, comment="渠道报价")


def test_within_the_ceiling_is_approved_at_once(project, org, silver_partner):
    q = submit(project, org["bidmgr"], silver_partner, "5", "10")
    assert q.status == "approved"
    assert not Review.objects.filter(quotation=q).exists()


def test_a_line_above_the_ceiling_opens_the_margin_gate(project, org, silver_partner):
    q = submit(project, org["bidmgr"], silver_partner, "5", "18", "10.5")
    assert q.status == "pending_approval"
    review = Review.objects.get(quotation=q)
    assert review.gate.kind == "quotation_margin"
    assert review.comment == (
        "渠道报价\n"
        "Line 2 discount 18% exceeds the Silver partner ceiling of 10%\n"
        "Line 3 discount 10.5% exceeds the Silver partner ceiling of 10%"
    )


def test_the_reason_reads_in_chinese(project, org, silver_partner):
    with translation.override("zh-hans"):
        q = submit(project, org["bidmgr"], silver_partner, "5", "18")
    assert Review.objects.get(quotation=q).comment.splitlines()[1] == "第 2 行折扣 18% 超过银牌合作伙伴上限 10%"


def test_without_partner_or_grade_the_discount_is_not_checked(project, org, silver_partner):
    assert submit(project, org["bidmgr"], None, "30").status == "approved"
    ungraded = Partner.objects.create(name="未分级伙伴")
    assert submit(project, org["bidmgr"], ungraded, "30").status == "approved"


def test_the_api_sets_the_partner_on_a_quotation(project, org, silver_partner, client_for):
    body = {
        "project": project.pk,
        "partner": silver_partner.pk,
        "lines": [{k: str(v) for k, v in line("Switch", "20").items()}],
    }
    created = client_for(org["bidmgr"]).post("/api/v1/quotations/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["partner"] == silver_partner.pk
    submitted = client_for(org["bidmgr"]).post(f"/api/v1/quotations/{created.json()['id']}/submit/", {}, format="json")
    assert submitted.json()["status"] == "pending_approval"


def test_the_page_form_sets_the_partner(project, org, silver_partner, client):
    client.force_login(org["bidmgr"])
    data = {
        "quotation-title": "渠道报价",
        "quotation-partner": str(silver_partner.pk),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Switch",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100",
        "lines-0-unit_cost": "50",
        "lines-0-discount": "0",
        "lines-0-tax_rate": "13",
    }
    from django.urls import reverse

    client.post(reverse("bids:quotation-add", args=[project.pk]), data)
    assert project.quotations.get().partner == silver_partner


def test_the_bids_tab_names_the_partner(project, org, silver_partner, client):
    submit(project, org["bidmgr"], silver_partner, "18")
    client.force_login(org["bidmgr"])
    page = client.get(reverse("projects:detail", args=[project.pk]) + "?tab=bids").content.decode()
    assert '<span class="small text-muted quotation-partner">· 银河网络</span>' in page
