"""Recurring activities of the process template: "weekly report every Friday" during implementation, created
ahead by the nightly task, never twice for the same date."""

from __future__ import annotations

from datetime import date

import pytest

from backend.activities.models import Activity
from backend.activities.services import recurring_activities_create
from backend.activities.tasks import create_recurring_activities
from backend.projects.models import ProjectMember
from tests.activities.conftest import at
from tests.factories import ProjectFactory, set_status
from workflows.models import RecurringActivityTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivering(templates, make_user):
    template = templates["standard-si"]
    pm = make_user("pm", "pm")
    project = ProjectFactory(process_template=template, code="P-2026-0200")
    set_status(project, "implementation")
    ProjectMember.objects.create(project=project, user=pm, role="pm")
    pursuing = ProjectFactory(process_template=template, code="P-2026-0201")
    set_status(pursuing, "pursuit")
    return {"project": project, "pm": pm, "pursuing": pursuing}


def test_the_default_template_holds_the_weekly_report(templates):
    recurring = RecurringActivityTemplate.objects.get(template=templates["standard-si"])
    assert (recurring.name_en, recurring.kind, recurring.weekday, recurring.states, recurring.assignee_role) == (
        "Weekly project report",
        "todo",
        4,
        ["implementation"],
        "pm",
    )


def test_weekly_report_every_friday_idempotent_across_runs_and_weeks(delivering):
    # Monday 2026-11-30: the coming Friday (12-04) is created, once, for the project in implementation only
    assert recurring_activities_create(today=date(2026, 11, 30)) == 1
    assert recurring_activities_create(today=date(2026, 11, 30)) == 0
    assert recurring_activities_create(today=date(2026, 12, 1)) == 0  # Tuesday: same Friday, nothing new
    report = Activity.objects.get()
    assert report.subject == "提交项目周报"
    assert report.owner == delivering["pm"]
    assert report.project == delivering["project"]
    assert report.starts_at == at(2026, 12, 4, 16)
    assert report.occurrence_date == date(2026, 12, 4)

    # the next Monday: the next Friday
    assert recurring_activities_create(today=date(2026, 12, 7)) == 1
    assert sorted(Activity.objects.values_list("occurrence_date", flat=True)) == [date(2026, 12, 4), date(2026, 12, 11)]
    assert not Activity.objects.filter(project=delivering["pursuing"]).exists()


def test_the_task_runs_the_service(delivering, settings):
    created = create_recurring_activities()
    assert created in (0, 1)
    assert create_recurring_activities() == 0


def test_a_routing_rule_for_activities_assigns_template_activities_in_turn_and_is_recorded(delivering, make_user):
    from tests.factories import UserFactory
    from workflows.routing.services import routing_rule_create

    admin = make_user("admin", "admin")
    pool = [UserFactory(username=f"writer{i}") for i in range(2)]
    rule = routing_rule_create(
        actor=admin,
        name="周报轮值",
        applies_to="activity",
        category="todo",
        assignee_kind="round_robin",
        group_users=pool,
    )
    # three Fridays ahead for the project in implementation: the pool takes turns, and each records the rule
    assert recurring_activities_create(today=date(2026, 11, 30)) == 1
    assert recurring_activities_create(today=date(2026, 12, 7)) == 1
    assert recurring_activities_create(today=date(2026, 12, 14)) == 1
    reports = Activity.objects.order_by("occurrence_date")
    assert [(a.occurrence_date.isoformat(), a.owner.username) for a in reports] == [
        ("2026-12-04", "writer0"),
        ("2026-12-11", "writer1"),
        ("2026-12-18", "writer0"),
    ]
    assert {a.routing_rule_id for a in reports} == {rule.pk}
