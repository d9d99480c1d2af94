"""The re-grading: four hand-built partners land in gold, silver, registered and silver, with their reasons
written out; the boundaries (exactly at a threshold, the 12-month window's first day and the day before, a
certification expiring yesterday or today, a lost project); a grade set by hand; the history; the task; and
the query count, the same for 5 and 50 partners."""

from __future__ import annotations

from datetime import date

import pytest

from backend.partners.models import PartnerGradeChange, PartnerProfile
from backend.partners.reasons import reasons
from backend.partners.selectors import window_start, years_between
from backend.partners.services import partner_profile_save, partner_regrade
from backend.partners.tasks import regrade_partners
from backend.projects.models import Partner
from tests.partners.conftest import TODAY, certification, local, make_partner, trainings, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(grades):
    # 金信: everything gold needs, and more
    gold = make_partner("金信科技", since=date(2020, 1, 1))
    trainings(gold, date(2025, 9, 1), date(2025, 12, 1), date(2026, 3, 1), date(2026, 6, 1))
    for n in range(3):
        certification(gold, f"华为认证 {n}", date(2025, 1, 1), date(2027, 1, 1))
    won(gold, "4000000", local(2026, 3, 1, 10))
    won(gold, "2000000", local(2026, 5, 20, 10), status="implementation")  # in delivery: still counts
    # 银河: silver exactly at each threshold (2 trainings, 2 years, ¥1,000,000, 1 certification)
    silver = make_partner("银河网络", since=date(2024, 6, 15))
    trainings(silver, date(2025, 10, 10), date(2026, 1, 10))
    certification(silver, "H3C 金牌代理", date(2025, 3, 1), None)
    won(silver, "1000000", local(2026, 2, 1, 9))
    # 青松: silver's figures but one day short of a year of cooperation
    young = make_partner("青松信息", since=date(2025, 6, 16))
    trainings(young, date(2025, 11, 1), date(2026, 2, 1))
    certification(young, "等保测评资质", date(2025, 7, 1), date(2028, 7, 1))
    won(young, "3000000", local(2026, 4, 1, 9))
    # 远山: the window's edges and expiries
    edge = make_partner("远山系统", since=date(2016, 6, 15))
    trainings(edge, date(2025, 6, 15), date(2025, 6, 14), date(2026, 6, 15), date(2026, 6, 16))  # in, out, in, out
    certification(edge, "CISP", date(2024, 1, 1), date(2026, 6, 15))  # valid to today: counts
    certification(edge, "ITSS", date(2024, 1, 1), date(2026, 6, 14))  # expired yesterday
    certification(edge, "CMMI", date(2024, 1, 1), None)
    certification(edge, "ISO 27001", date(2026, 6, 16), None)  # issued tomorrow: not yet
    won(edge, "2000000", local(2025, 6, 15, 0, 0))  # first moment of the window
    won(edge, "8000000", local(2025, 6, 14, 23, 59))  # a minute before it
    lost = won(edge, "9000000", local(2026, 1, 1, 9))
    from backend.projects.models import Project

    Project.objects.filter(pk=lost.project_id).update(status="lost", outcome="lost")
    return {"gold": gold, "silver": silver, "young": young, "edge": edge}


def texts(partner: Partner, grades) -> list[tuple[bool, str]]:
    profile = PartnerProfile.objects.get(partner=partner)
    return [(r.met, r.text) for r in reasons(profile.grade_reasons, grades)]


def test_window_and_years():
    assert window_start(TODAY) == date(2025, 6, 15)
    assert window_start(date(2028, 2, 29)) == date(2027, 2, 28)
    assert years_between(date(2024, 6, 15), TODAY) == 2
    assert years_between(date(2024, 6, 16), TODAY) == 1
    assert years_between(None, TODAY) == 0


def test_four_partners_land_in_their_grades_with_reasons(four, grades):
    changes = partner_regrade(today=TODAY)

    got = {p.partner.name: p.grade.code for p in PartnerProfile.objects.select_related("partner", "grade")}
    assert got == {"金信科技": "gold", "银河网络": "silver", "青松信息": "registered", "远山系统": "silver"}
    assert len(changes) == 4 and all(c.old_grade is None for c in changes)

    # gold: gold's four criteria, all met, nothing above
    assert texts(four["gold"], grades) == [
        (True, "4 trainings in 12 months (Gold needs 4)"),
        (True, "6 years of cooperation (Gold needs 3)"),
        (True, "¥6,000,000 won in 12 months (Gold needs ¥5,000,000)"),
        (True, "3 valid certifications (Gold needs 3)"),
    ]
    # silver exactly at each threshold; what gold would need
    assert texts(four["silver"], grades) == [
        (True, "2 trainings in 12 months (Silver needs 2)"),
        (True, "2 years of cooperation (Silver needs 1)"),
        (True, "¥1,000,000 won in 12 months (Silver needs ¥1,000,000)"),
        (True, "1 valid certifications (Silver needs 1)"),
        (False, "2 trainings in 12 months (Gold needs 4)"),
        (False, "2 years of cooperation (Gold needs 3)"),
        (False, "¥1,000,000 won in 12 months (Gold needs ¥5,000,000)"),
        (False, "1 valid certifications (Gold needs 3)"),
    ]
    # registered: the one missed criterion of silver is the year
    assert (False, "0 years of cooperation (Silver needs 1)") in texts(four["young"], grades)
    assert [met for met, _t in texts(four["young"], grades)] == [True] * 4 + [True, False, True, True]
    # edges: 2 trainings (window's first day and today), ¥2,000,000, 2 valid certifications
    assert texts(four["edge"], grades)[4:] == [
        (False, "2 trainings in 12 months (Gold needs 4)"),
        (True, "10 years of cooperation (Gold needs 3)"),
        (False, "¥2,000,000 won in 12 months (Gold needs ¥5,000,000)"),
        (False, "2 valid certifications (Gold needs 3)"),
    ]


def test_reasons_read_in_chinese(four, grades):
    from django.utils import translation

    partner_regrade(today=TODAY)
    with translation.override("zh-hans"):
        got = texts(four["silver"], grades)
    assert got[4] == (False, "培训 2 次（金牌需 4 次）")
    assert got[6] == (False, "近 12 个月成交 ¥1,000,000（金牌需 ¥5,000,000）")


def test_a_rerun_changes_nothing_and_a_drop_is_recorded(four, grades):
    partner_regrade(today=TODAY)
    assert partner_regrade(today=TODAY) == []
    # a year later the trainings and the volume have left the window: gold drops to registered
    later = partner_regrade(partner=four["gold"], today=date(2027, 6, 15))
    assert [(c.old_grade.code, c.new_grade.code) for c in later] == [("gold", "registered")]
    history = PartnerGradeChange.objects.filter(partner=four["gold"]).order_by("pk")
    assert [(h.old_grade and h.old_grade.code, h.new_grade.code) for h in history] == [
        (None, "gold"),
        ("gold", "registered"),
    ]


def test_a_grade_set_by_hand_stays(four, grades, make_user):
    director = make_user("director", "director")
    partner_profile_save(actor=director, partner=four["young"], data={"grade": "gold"})
    partner_regrade(today=TODAY)
    profile = PartnerProfile.objects.get(partner=four["young"])
    assert (profile.grade.code, profile.grade_manual) == ("gold", True)
    assert profile.grade_reasons  # the reasons are still measured
    partner_profile_save(actor=director, partner=four["young"], data={"grade": ""})
    partner_regrade(today=TODAY)
    profile.refresh_from_db()
    assert (profile.grade.code, profile.grade_manual) == ("registered", False)


def test_a_partner_without_a_profile_gets_one(grades):
    bare = Partner.objects.create(name="裸伙伴")
    partner_regrade(today=TODAY)
    assert PartnerProfile.objects.get(partner=bare).grade.code == "registered"


def test_the_task_regrades_everyone(four, grades):
    assert regrade_partners() == 4
    assert PartnerProfile.objects.filter(grade__isnull=False).count() == 4
    assert regrade_partners() == 0


@pytest.mark.parametrize("rows", [5, 50])
def test_regrade_queries_do_not_grow(grades, rows, django_assert_num_queries):
    for n in range(rows):
        partner = make_partner(f"伙伴 {n}", since=date(2020, 1, 1))
        trainings(partner, date(2026, 1, 1))
        won(partner, "100", local(2026, 1, 1, 9))
    # savepoint, ladder, lock, figures, missing profiles, update, insert
    with django_assert_num_queries(8):
        partner_regrade(today=TODAY)
