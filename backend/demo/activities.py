"""Demo activities and follow-ups: each salesperson and the PM have a week planned around today — an overdue
to-do, a meeting today, a customer visit and a call later this week, a call already made (which left an
interaction on the customer) — on their own projects, with a colleague invited; the template's weekly reports
for projects in implementation; and a routing rule that hands those reports to the implementation team in turn.
Written through the services. Idempotent: an activity is found by its owner and subject, the rule by its name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

from backend.accounts.models import User
from backend.activities import services
from backend.activities.models import Activity
from backend.projects.models import Project, ProjectMember
from workflows.models import RoutingRule

# (owner, colleague invited, kind, subject, days from today, hour, done)
PLAN = [
    ("bidmgr", "presales", "todo", "整理投标澄清问题清单", -2, 17, False),
    ("bidmgr", "presales", "meeting", "投标策略碰头会", 0, 15, False),
    ("bidmgr", "director", "visit", "拜访客户信息中心主任", 2, 10, False),
    ("bidmgr", "", "call", "电话确认招标文件澄清时间", -3, 11, True),
    ("presales", "bidmgr", "demo", "现场演示统一运维平台", 1, 14, False),
    ("presales", "", "call", "回访客户技术负责人", 3, 16, False),
    ("pm", "engineer", "meeting", "实施周例会", 0, 9, False),
    ("pm", "engineer", "visit", "现场勘察机房环境", 4, 10, False),
    ("pm", "", "todo", "更新项目风险清单", -1, 18, False),
]


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load(*, password: str, log: Callable[[str], None]) -> None:
    users = {u.username: u for u in User.objects.filter(username__in={p[0] for p in PLAN} | {p[1] for p in PLAN})}
    created = 0
    for owner_name, colleague, kind, subject, days, hour, done in PLAN:
        owner = users.get(owner_name)
        if owner is None or Activity.objects.filter(owner=owner, subject=subject).exists():
            continue
        member_of = ProjectMember.objects.filter(user=owner).values("project_id")
        project = (
            Project.objects.filter(owner=owner).first()
            or Project.objects.filter(pk__in=member_of).order_by("-pk").first()
        )
        activity = services.activity_create(
            actor=owner,
            kind=kind,
            subject=subject,
            starts_at=_at(days, hour),
            ends_at=_at(days, hour) + timedelta(hours=1),
            attendees=[users[colleague]] if colleague in users else [],
            project=project,
        )
        if done:
            services.activity_complete(actor=owner, activity=activity, notes="客户确认下周二前书面答复。")
        created += 1

    admin = User.objects.filter(username="admin").first()
    team = [u for u in (users.get("pm"), User.objects.filter(username="engineer").first()) if u is not None]
    if admin is not None and team and not RoutingRule.objects.filter(name="项目周报：实施团队轮值").exists():
        from workflows.routing.services import routing_rule_create

        routing_rule_create(
            actor=admin,
            name="项目周报：实施团队轮值",
            applies_to="activity",
            category="todo",
            assignee_kind="round_robin",
            group_users=team,
        )
    reports = services.recurring_activities_create()
    log(f"activities: {created} planned, {reports} weekly reports")
