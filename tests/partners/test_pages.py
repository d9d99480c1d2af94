"""Partner pages: the list (grades, figures, the grade filter, the menu entry) with a query count flat for 5
and 50 partners; the profile (reasons met and missed, terms, trainings, certifications with the expired one
marked, visible projects only, grade history); the forms for those who may change partners, refusals shown
on the form; the grades page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.partners.models import PartnerTraining
from backend.partners.services import partner_regrade
from tests.factories import ProjectFactory
from tests.partners.conftest import certification, make_partner, trainings, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {"bidmgr": make_user("bidmgr", "bid_manager"), "engineer": make_user("engineer", "engineer")}


@pytest.fixture
def silver(grades, people):
    today = timezone.localdate()
    partner = make_partner("金信科技", since=today.replace(year=today.year - 3))
    trainings(partner, today - timedelta(days=10), today - timedelta(days=40))
    certification(partner, "华为认证", today - timedelta(days=100), today + timedelta(days=300))
    certification(partner, "过期认证", today - timedelta(days=800), today - timedelta(days=1))
    mine = ProjectFactory(owner=people["engineer"], name="省数据中心扩容")
    won(partner, "1500000", timezone.now() - timedelta(days=20), code="P-2026-0900", owner=people["engineer"])
    won(partner, "700000", timezone.now() - timedelta(days=30), code="P-2026-0901", name="别人的项目")
    partner_regrade()
    return partner, mine


def test_list_shows_grades_and_figures(silver, people, client):
    make_partner("青松信息")
    partner_regrade()
    client.force_login(people["engineer"])
    page = client.get(reverse("partners:list")).content.decode()
    assert 'id="nav-partners"' in page
    assert "金信科技" in page and "青松信息" in page
    row = page.split(f'data-partner="{silver[0].pk}"')[1].split("</tr>")[0]
    assert ">Silver<" in row
    assert "¥2,200,000" in row  # both projects count toward the volume, visible or not
    assert ">2<" in row and ">1<" in row and ">3<" in row  # trainings, valid certifications, years
    only_silver = client.get(reverse("partners:list") + "?grade=silver").content.decode()
    assert "金信科技" in only_silver and "青松信息" not in only_silver


def test_profile_shows_reasons_terms_and_history(silver, people, client):
    partner, _mine = silver
    client.force_login(people["engineer"])
    page = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
    assert '✓ <span class="visually-hidden">met</span>2 trainings in 12 months (Silver needs 2)' in page
    assert '✗ <span class="visually-hidden">missed</span>2 trainings in 12 months (Gold needs 4)' in page
    assert "¥1,000,000" in page and "5×8" in page and "10%" in page  # credit limit, support, ceiling
    assert "过期认证" in page and ">expired<" in page
    assert "P-2026-0900" in page and "P-2026-0901" not in page  # only the projects the engineer sees
    assert "periodic re-grading" in page  # the first grading, by the nightly run
    assert 'id="training-form"' not in page  # an engineer may not change partners


def test_profile_in_chinese(silver, people, client):
    client.force_login(people["engineer"])
    page = client.get(reverse("partners:detail", args=[silver[0].pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert "培训 2 次（金牌需 4 次）" in page.decode()


def test_a_bid_manager_adds_a_training_and_a_bad_certification_is_refused(silver, people, client):
    partner, _mine = silver
    client.force_login(people["bidmgr"])
    url = reverse("partners:detail", args=[partner.pk])
    assert 'id="training-form"' in client.get(url).content.decode()
    today = timezone.localdate()
    done = client.post(
        reverse("partners:training-add", args=[partner.pk]),
        {"training-course": "解决方案培训", "training-held_on": today.isoformat(), "training-attendees": "4"},
    )
    assert done.status_code == 302
    assert PartnerTraining.objects.filter(partner=partner, course="解决方案培训", attendees=4).exists()
    bad = client.post(
        reverse("partners:certification-add", args=[partner.pk]),
        {"cert-name": "CMMI", "cert-issued": "2025-05-01", "cert-valid_until": "2025-04-30"},
    )
    assert bad.status_code == 400
    assert "before it was issued (2025-05-01)" in bad.content.decode()


def test_an_engineer_is_refused_on_the_form(silver, people, client):
    client.force_login(people["engineer"])
    answer = client.post(
        reverse("partners:training-add", args=[silver[0].pk]),
        {"training-course": "X", "training-held_on": "2025-01-01", "training-attendees": "1"},
    )
    assert answer.status_code in (400, 403)
    assert not PartnerTraining.objects.filter(course="X").exists()


def test_grades_page(grades, people, client):
    client.force_login(people["engineer"])
    page = client.get(reverse("partners:grades")).content.decode()
    gold = page.split('data-grade="gold"')[1].split("</tr>")[0]
    assert "Gold" in gold and "¥5,000,000" in gold and "15%" in gold and "7×24" in gold


def test_list_queries_do_not_grow(grades, people, client, count_queries):
    client.force_login(people["engineer"])
    counts = []
    for start, end in ((0, 5), (5, 50)):
        for n in range(start, end):
            partner = make_partner(f"伙伴 {n:02d}")
            trainings(partner, timezone.localdate())
        partner_regrade()
        counts.append(count_queries(lambda: client.get(reverse("partners:list"))))
    assert counts[0] == counts[1] <= 12
