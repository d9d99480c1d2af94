"""Activities: who sees them, the one-link rule, and the Interaction a completed call or visit records."""

from __future__ import annotations

import pytest

from backend.activities import selectors, services
from backend.activities.models import Activity
from backend.core.errors import Conflict, PermissionDenied, ValidationFailed
from backend.core.permissions import visible_to
from backend.customers.models import Interaction
from tests.activities.conftest import at
from tests.factories import CustomerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def visible_subjects(user) -> set[str]:
    return set(visible_to(user, Activity.objects.all()).values_list("subject", flat=True))


def test_owner_attendees_and_the_linked_projects_viewers_see_an_activity(team, make_user):
    alice, bob, head = team["alice"], team["bob"], team["head"]
    carol = make_user("carol", "bid_manager")
    dave = make_user("dave", "bid_manager")
    services.activity_create(actor=alice, subject="私人待办", starts_at=at(2026, 12, 1))
    services.activity_create(actor=alice, subject="与Carol开会", starts_at=at(2026, 12, 1), attendees=[carol])
    services.activity_create(actor=alice, subject="项目例会", starts_at=at(2026, 12, 1), project=team["project"])
    services.activity_create(actor=alice, subject="拜访客户", starts_at=at(2026, 12, 1), customer=team["customer"])

    assert visible_subjects(alice) == {"私人待办", "与Carol开会", "项目例会", "拜访客户"}
    assert visible_subjects(carol) == {"与Carol开会"}
    # the head of alice's department sees her project and her customer, not her private to-dos
    assert visible_subjects(head) == {"项目例会", "拜访客户"}
    assert visible_subjects(bob) == set()
    # a see-all role sees every linked activity, still not the private ones
    director = make_user("director2", "director")
    assert visible_subjects(director) == {"项目例会", "拜访客户"}
    assert visible_subjects(dave) == set()


def test_one_link_only_and_milestone_only_of_the_project(team):
    alice = team["alice"]
    with pytest.raises(ValidationFailed) as err:
        services.activity_create(
            actor=alice, subject="x", starts_at=at(2026, 12, 1), customer=team["customer"], project=team["project"]
        )
    assert err.value.code == "too_many_links"
    assert Activity.objects.count() == 0


def test_cannot_link_what_one_cannot_see(team):
    other = ProjectFactory()
    with pytest.raises(ValidationFailed) as err:
        services.activity_create(actor=team["bob"], subject="x", starts_at=at(2026, 12, 1), project=other)
    assert err.value.code == "link_not_visible"


def test_ends_before_start_is_refused(team):
    with pytest.raises(ValidationFailed) as err:
        services.activity_create(
            actor=team["alice"], subject="x", starts_at=at(2026, 12, 1, 10), ends_at=at(2026, 12, 1, 9)
        )
    assert err.value.code == "ends_before_start"


@pytest.mark.parametrize("kind", ["call", "visit"])
def test_completing_a_call_or_visit_on_a_contact_records_an_interaction(team, kind):
    alice = team["alice"]
    activity = services.activity_create(
        actor=alice, kind=kind, subject="沟通二期需求", starts_at=at(2026, 11, 20, 14), contact=team["contact"]
    )
    done = services.activity_complete(actor=alice, activity=activity, notes="客户同意下周出方案")
    assert done.status == "done"
    interaction = Interaction.objects.get()
    assert interaction.customer == team["customer"]
    assert interaction.kind == kind
    assert interaction.summary == "沟通二期需求"
    assert interaction.occurred_at == at(2026, 11, 20, 14)
    assert list(interaction.contacts.values_list("name", flat=True)) == ["陈经理"]
    assert "客户同意下周出方案" in interaction.notes
    assert done.interaction_id == interaction.pk


def test_a_visit_on_a_project_records_the_interaction_on_the_projects_customer(team):
    alice = team["alice"]
    activity = services.activity_create(
        actor=alice, kind="visit", subject="现场勘察", starts_at=at(2026, 11, 20), project=team["project"]
    )
    services.activity_complete(actor=alice, activity=activity)
    interaction = Interaction.objects.get()
    assert (interaction.customer_id, interaction.project_id) == (team["customer"].pk, team["project"].pk)


def test_a_done_meeting_or_todo_records_no_interaction_and_twice_done_is_refused(team):
    alice = team["alice"]
    meeting = services.activity_create(
        actor=alice, kind="meeting", subject="内部会", starts_at=at(2026, 11, 20), customer=team["customer"]
    )
    services.activity_complete(actor=alice, activity=meeting)
    with pytest.raises(Conflict):
        services.activity_complete(actor=alice, activity=meeting)
    assert Interaction.objects.count() == 0


def test_only_owner_changes_cancel_and_reopen(team, make_user):
    alice, head = team["alice"], team["head"]
    activity = services.activity_create(
        actor=alice, subject="写方案", starts_at=at(2026, 11, 20), project=team["project"]
    )
    with pytest.raises(PermissionDenied):
        services.activity_cancel(actor=head, activity=activity)
    cancelled = services.activity_cancel(actor=alice, activity=activity)
    assert cancelled.status == "cancelled"
    reopened = services.activity_reopen(actor=alice, activity=activity)
    assert reopened.status == "open"


def test_all_day_activity_is_due_at_the_end_of_its_local_day(team):
    activity = services.activity_create(
        actor=team["alice"], subject="全天培训", starts_at=at(2026, 12, 3, 15), all_day=True
    )
    assert activity.starts_at == at(2026, 12, 3, 0)
    assert activity.due_at == at(2026, 12, 4, 0)


def test_timeline_selector_returns_the_projects_visible_activities(team):
    alice, bob = team["alice"], team["bob"]
    other = ProjectFactory(owner=alice, customer=CustomerFactory(owner=alice))
    for day in (1, 2, 3):
        services.activity_create(
            actor=alice, subject=f"例会{day}", starts_at=at(2026, 12, day), project=team["project"]
        )
    services.activity_create(actor=alice, subject="别的项目", starts_at=at(2026, 12, 4), project=other)
    rows = selectors.activities_for_timeline(project=team["project"], user=alice, limit=2)
    assert [a.subject for a in rows] == ["例会3", "例会2"]
    assert selectors.activities_for_timeline(project=team["project"], user=bob, limit=10) == []
