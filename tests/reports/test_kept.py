"""Report pages show the last computation and say when it was made (reports/kept.py): current until a table
the report read is written; after that shown with its time once more while a background thread renews it.

The renewal runs on the thread's own connection, so these tests commit their rows (transaction=True)."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.core import background
from backend.projects.models import Project
from reports.kept import kept_report
from reports.registry import report_get
from tests.reports.conftest import PERIOD, metric

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keeping(settings):
    settings.REPORT_KEPT_SECONDS = 900


def won_amount(user, **kwargs):
    body = kept_report(report_get("win-loss"), user=user, params=PERIOD, **kwargs)
    return metric(body, "won_amount"), body["kept"]["current"], body["kept"]["at"]


def test_kept_until_a_table_it_read_is_written_then_renewed_in_the_background(keeping, world, count_queries):
    assert won_amount(world.exec)[:2] == ("7600000.00", True)
    assert count_queries(lambda: won_amount(world.exec), keep_cache=True) == 0  # kept: no statement at all
    first_at = won_amount(world.exec)[2]

    Project.objects.filter(name="D1").update(contract_amount=3_100_000)  # won: 2,100,000 → 3,100,000
    # the view after the write shows the kept figures with their time, and computes nothing itself
    assert won_amount(world.exec) == ("7600000.00", False, first_at)
    assert count_queries(lambda: won_amount(world.exec), keep_cache=True) == 0
    background.settle()
    amount, current, at = won_amount(world.exec)
    assert (amount, current) == ("8600000.00", True) and at > first_at


def test_compute_now_does_not_wait_for_the_renewal(keeping, world):
    won_amount(world.exec)
    Project.objects.filter(name="D1").update(contract_amount=3_100_000)
    assert won_amount(world.exec, refresh=True)[:2] == ("8600000.00", True)


def test_each_user_and_language_has_its_own(keeping, world):
    from django.utils import translation

    assert won_amount(world.exec)[0] == "7600000.00"
    assert won_amount(world.north_head)[0] == "2100000.00"  # D1 only: the head's department
    with translation.override("zh-hans"):
        body = kept_report(report_get("win-loss"), user=world.exec, params=PERIOD)
    assert body["title"] == "赢丢单分析" and metric(body, "won_amount") == "7600000.00"


def test_off_computes_every_view(settings, world, count_queries):
    settings.REPORT_KEPT_SECONDS = 0
    body = kept_report(report_get("win-loss"), user=world.exec, params=PERIOD)
    assert "kept" not in body and metric(body, "won_amount") == "7600000.00"
    assert count_queries(lambda: kept_report(report_get("win-loss"), user=world.exec, params=PERIOD)) > 5


def test_the_page_says_when_its_figures_were_computed(keeping, world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.exec)
    html = client.get("/reports/win-loss/", PERIOD).content.decode()
    assert "数据截至" in html and "正在重新计算" not in html
    assert 'href="?date_from=2026-01-01&amp;date_to=2026-06-30&amp;refresh=1" id="report-refresh"' in html

    Project.objects.filter(name="D1").update(contract_amount=3_100_000)
    html = client.get("/reports/win-loss/", PERIOD).content.decode()
    assert "数据截至" in html and "此后数据有变动，正在重新计算" in html
    background.settle()
    html = client.get("/reports/win-loss/", {**PERIOD, "refresh": "1"}).content.decode()
    assert "正在重新计算" not in html

    overview = client.get("/reports/").content.decode()
    assert "数据截至" in overview and 'href="?refresh=1"' in overview


def test_users_who_see_everything_share_one_kept_report(keeping, world, count_queries):
    """An executive and a director who also heads a department: the same figures in every report, so one
    computation serves both (and a department head keeps his own)."""
    from reports.registry import REPORTS

    for name, report in REPORTS.items():
        assert report.run(user=world.exec, params=PERIOD).as_dict() == (
            report.run(user=world.director, params=PERIOD).as_dict()
        ), name
    kept_report(report_get("win-loss"), user=world.exec, params=PERIOD)
    assert count_queries(lambda: won_amount(world.director), keep_cache=True) == 0
    assert count_queries(lambda: won_amount(world.north_head), keep_cache=True) > 5


def test_the_worker_keeps_the_overview_computed_in_the_languages_it_was_opened_in(keeping, world, count_queries):
    from django.core.cache import cache
    from django.utils import translation

    from reports.registry import OVERVIEW_REPORTS
    from reports.tasks import keep_overview

    assert OVERVIEW_REPORTS == ["delivery-health", "forecast", "funnel", "receivables", "win-loss"]
    assert keep_overview() == 0  # nobody opened the overview: nothing to keep

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.exec)
    assert "数据截至" in client.get("/reports/").content.decode()
    assert keep_overview() == 0  # all five kept and current

    Project.objects.filter(name="D1").update(contract_amount=3_100_000)
    assert keep_overview() == 5  # each of them read the projects: computed again, in Chinese only
    assert world.director.roles == {"director"}  # read once (the one query of his own on a kept view)
    with translation.override("zh-hans"):
        for name in OVERVIEW_REPORTS:  # a director sees the same figures: nothing left to compute on his view
            assert (
                count_queries(
                    lambda name=name: kept_report(report_get(name), user=world.director, params={}), keep_cache=True
                )
                == 0
            ), name
        assert kept_report(report_get("win-loss"), user=world.director, params={})["kept"]["current"]
    with translation.override("en"):
        assert (
            count_queries(lambda: kept_report(report_get("win-loss"), user=world.director, params={}), keep_cache=True)
            > 5
        )

    cache.clear()  # the cache emptied (a restart of Redis): the marker went with it
    assert keep_overview() == 0
