"""Working together on a deal, in a real browser and in 简体中文: the presales engineer starts a discussion on
the project that @mentions the PM and plans a meeting with the PM from the project's activities tab; the PM is
notified, sees the unread marker on the project, opens the thread and replies; the meeting is on both people's
calendars, and the PM's reply reaches the presales engineer's unread marker in turn."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.activities.models import Activity
from backend.core.models import Notification
from backend.discussions.models import Post, Thread
from backend.projects.models import ProjectMember
from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def person(username: str, family: str, given: str, *roles: str):
    return UserFactory(
        username=username, password="demo", last_name=family, first_name=given, roles=list(roles), language="zh-hans"
    )


def test_presales_mentions_pm_who_replies_and_the_meeting_is_on_both_calendars(browser_as):
    presales = person("presales", "赵", "敏", "presales")
    pm = person("pm", "刘", "洋", "pm")
    person("engineer", "陈", "杰", "engineer")  # not on the team: named, but never told
    project = ProjectFactory(owner=presales, name="智慧园区安防平台", customer=CustomerFactory(owner=presales))
    ProjectMember.objects.create(project=project, user=pm, role="pm")
    url = f"/projects/{project.pk}/"

    # presales starts a discussion that mentions the PM (and an engineer who is not on the team)
    author = browser_as("presales")
    author.goto(url + "?tab=discussions")
    author.locator("#discussion-board summary").click()
    board = author.locator("#discussion-board form")
    board.locator("input[name=thread-title]").fill("方案评审安排")
    board.locator("textarea[name=thread-body]").fill("@pm 请在周四前确认实施方案，@engineer 也看一下。")
    board.get_by_role("button", name="发起讨论").click()
    expect(author.locator("main")).to_contain_text("方案评审安排")
    thread = Thread.objects.get(project=project)

    # and plans the review meeting with the PM from the project's activities tab
    starts = timezone.localtime() + timedelta(days=1)
    starts = starts.replace(hour=10, minute=0, second=0, microsecond=0)
    author.goto(url + "?tab=activities")
    quick = author.locator("#activity-quick-add")
    quick.locator("select[name=activity-kind]").select_option("meeting")
    quick.locator("input[name=activity-subject]").fill("实施方案评审会")
    quick.locator("input[name=activity-starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    quick.locator("select[name=activity-attendees]").select_option(str(pm.pk))
    quick.get_by_role("button", name="添加活动").click()
    expect(author.locator("#activities-tab")).to_contain_text("实施方案评审会")
    meeting = Activity.objects.get(subject="实施方案评审会")
    assert (meeting.owner, list(meeting.attendees.all()), meeting.project) == (presales, [pm], project)

    # the PM alone was told of the mention
    told = Notification.objects.filter(kind="post_mentioned").values_list("recipient__username", flat=True)
    assert sorted(told) == ["pm"]

    # the PM sees the unread marker on the project, opens the thread and replies
    reader = browser_as("pm")
    reader.goto(url)
    expect(reader.locator("#tab-unread")).to_have_text("1")
    reader.goto(url + "?tab=discussions")
    reader.locator(f"a[data-thread='{thread.pk}']").click()
    expect(reader.locator("main")).to_contain_text("请在周四前确认实施方案")
    reader.locator("textarea[name=reply-body]").fill("收到，周三给出方案。")
    reader.get_by_role("button", name="发表回复").click()
    expect(reader.locator("main")).to_contain_text("收到，周三给出方案。")
    assert list(Post.objects.filter(thread=thread).values_list("author__username", flat=True)) == ["presales", "pm"]
    reader.goto(url)
    expect(reader.locator("#tab-unread")).to_have_count(0)

    # the meeting is on the PM's calendar and on the presales engineer's
    day = starts.date().isoformat()
    for page in (reader, author):
        page.goto(f"/activities/?view=agenda&date={day}")
        entry = page.locator(f"[data-ref='activity:{meeting.pk}']")
        expect(entry).to_contain_text("实施方案评审会")
        expect(entry).to_contain_text("10:00")
    screenshot(reader, "collaboration-pm-calendar")

    # the reply is unread for the presales engineer until they open the thread
    author.goto(url)
    expect(author.locator("#tab-unread")).to_have_text("1")
    screenshot(author, "collaboration-presales-project")
