"""Notification pages (list in the reader's language, mark one / all read), the unread count in the
navigation bar, and the dashboard's pending reviews and projects."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from backend.core.context_processors import notifications as notifications_context
from backend.core.models import Notification
from backend.core.notifications import render
from backend.projects import services
from backend.projects.models import ProjectMember
from tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def note(user, kind="project_assigned", url="/projects/1/", **params):
    params = params or {"project": "P-2026-0001 核心网络改造", "role": "Owner"}
    return Notification.objects.create(recipient=user, kind=kind, params=params, url=url)


@pytest.fixture
def reader(make_user):
    return make_user("reader", "bid_manager")


@pytest.fixture
def web(client, reader):
    client.force_login(reader)
    return client


def test_list_renders_each_notification_in_the_current_language(web, reader, make_user):
    mine = note(reader)
    note(reader, kind="project_transition", project="P-1", source="Tender", target="Initiation review", actor="Li")
    note(reader, kind="something_unknown", url="")
    other = note(make_user("someone"), project="SECRET-PROJECT", role="Owner")
    page = web.get(reverse("notifications:list")).content.decode()
    assert render("project_assigned", mine.params) in page
    assert "P-1 moved from Tender to Initiation review (Li)." in page
    assert "something_unknown" in page  # an unknown kind shows its name, not a 500
    assert "SECRET-PROJECT" not in page and f'id="notification-{other.pk}"' not in page

    web.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = web.get(reverse("notifications:list")).content.decode()
    with translation.override("zh-hans"):
        assert render("project_assigned", mine.params) in page
    assert '<html lang="zh-hans">' in page


def test_bell_shows_the_unread_count(web, reader):
    for _ in range(3):
        note(reader)
    page = web.get(reverse("dashboard")).content.decode()
    assert 'id="nav-unread-count">3<' in page and reverse("notifications:list") in page


def test_mark_one_read_and_open_its_link(web, reader, make_user):
    first, second = note(reader, url="/projects/42/"), note(reader)
    response = web.post(reverse("notifications:read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/projects/42/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert web.post(reverse("notifications:read", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.read_at is not None
    assert 'id="nav-unread-count"' not in web.get(reverse("notifications:list")).content.decode()

    foreign = note(make_user("someone"))
    assert web.post(reverse("notifications:read", args=[foreign.pk])).status_code == 404
    assert web.get(reverse("notifications:read", args=[first.pk])).status_code == 405
    offsite = note(reader, url="https://evil.example/phish")
    response = web.post(reverse("notifications:read", args=[offsite.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(web, reader, make_user):
    for _ in range(4):
        note(reader)
    foreign = note(make_user("someone"))
    response = web.post(reverse("notifications:read-all"), follow=True)
    assert "4 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    foreign.refresh_from_db()
    assert foreign.read_at is None
    unread_only = web.get(reverse("notifications:list"), {"unread": "1"}).content.decode()
    assert "No notifications." in unread_only


def test_unread_count_is_one_query(reader):
    for _ in range(5):
        note(reader)
    request = RequestFactory().get("/")
    request.user = reader
    context = notifications_context(request)
    with CaptureQueriesContext(connection) as ctx:
        assert int(str(context["unread_notifications"])) == 5
    assert len(ctx.captured_queries) == 1
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    assert notifications_context(request)["unread_notifications"] == 0


def test_dashboard_shows_my_pending_reviews_and_projects(client, org):
    customer = CustomerFactory(owner=org["bidmgr"])
    project = services.project_create(actor=org["bidmgr"], name="我的项目 My deal", customer=customer)
    for item in project.checklist.filter(stage="tender", required=True):
        services.checklist_set_done(actor=org["bidmgr"], item=item, done=True)
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    client.force_login(org["bidmgr"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "我的项目 My deal" in page and "Nothing is waiting for your decision." in page
    client.force_login(org["director"])
    page = client.get(reverse("dashboard")).content.decode()
    review = project.reviews.get()
    assert reverse("reviews:detail", args=[review.pk]) in page
    assert "You are on no project yet." in page  # the director sees it but is not on it


def test_dashboard_queries_do_not_grow(client, org, count_queries):
    bidmgr = org["bidmgr"]

    def fill(n):
        for _ in range(n):
            as_owner = ProjectFactory(owner=bidmgr, code=f"D-{ProjectFactory._meta.model.objects.count():05d}")
            as_member = ProjectFactory(code=f"D-{ProjectFactory._meta.model.objects.count():05d}")
            ProjectMember.objects.create(project=as_member, user=bidmgr, role="presales")
            note(bidmgr, project=as_owner.code, role="Owner")

    client.force_login(bidmgr)
    fill(3)
    few = count_queries(lambda: client.get(reverse("dashboard")))
    fill(12)
    assert count_queries(lambda: client.get(reverse("dashboard"))) == few
