"""The permission layer: one registry answers "may this user do this to this object" (``can``) and "which rows
may this user act on" (``restrict`` / ``with_permissions``) with the same answer, and the templates and
django-rules ask the same registry."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from backend.core.permissions import action_rule, can, registered_actions, restrict, with_permissions
from backend.projects.models import Project, ProjectMember
from tests.factories import DepartmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    north = DepartmentFactory(name="华北销售部")
    people = {
        "owner": make_user("owner", "bid_manager", department=north),
        "presales": make_user("presales", "presales"),
        "engineer": make_user("engineer", "engineer"),
        "director": make_user("director", "director"),
        "head": make_user("head", "bid_manager"),
        "outsider": make_user("outsider", "bid_manager"),
        "exec": make_user("exec", "exec"),
    }
    north.head = people["head"]
    north.save()
    return people


@pytest.fixture
def projects(people):
    mine = ProjectFactory(owner=people["owner"], name="我的项目")
    team = ProjectFactory(owner=people["outsider"], name="团队项目")
    ProjectMember.objects.create(project=team, user=people["presales"], role="presales")
    ProjectMember.objects.create(project=team, user=people["engineer"], role="engineer")
    other = ProjectFactory(owner=people["outsider"], name="别人的项目")
    return {"mine": mine, "team": team, "other": other}


EXPECTED_CHANGE = {
    "owner": {"我的项目"},
    "presales": {"团队项目"},  # an editing role on the team
    "engineer": set(),  # a member, but not an editing role
    "director": {"我的项目", "团队项目", "别人的项目"},
    "head": set(),  # heads of the owner's department see the project but do not change it
    "outsider": {"团队项目", "别人的项目"},
    "exec": set(),
}
EXPECTED_FORECAST = {**EXPECTED_CHANGE, "head": {"我的项目"}, "exec": {"我的项目", "团队项目", "别人的项目"}}


@pytest.mark.parametrize(("action", "expected"), [("change", EXPECTED_CHANGE), ("adjust_forecast", EXPECTED_FORECAST)])
def test_can_restrict_and_annotations_give_the_same_answer(people, projects, action, expected):
    for name, user in people.items():
        one_by_one = {p.name for p in projects.values() if can(user, action, p)}
        assert one_by_one == expected[name], name
        # restrict also limits to what the user sees, which here includes every project they may act on
        rows = set(restrict(user, action, Project.objects.all()).values_list("name", flat=True))
        assert rows == expected[name], name
        annotated = with_permissions(user, Project.objects.all(), action)
        assert {p.name for p in annotated if can(user, action, p)} == expected[name], name
        assert user.has_perm(f"projects.{action}_project", projects["mine"]) == ("我的项目" in expected[name])


def test_annotated_rows_answer_without_a_query(people, projects, django_assert_num_queries):
    user = people["presales"]
    assert user.roles == {"presales"}  # loaded once per request, like the page's first has_role
    with django_assert_num_queries(1):
        rows = list(with_permissions(user, Project.objects.order_by("name"), "change", "transition"))
    with django_assert_num_queries(0):
        answers = {p.name: (can(user, "change", p), can(user, "transition", p)) for p in rows}
    assert answers == {"别人的项目": (False, False), "团队项目": (True, True), "我的项目": (False, False)}


def test_annotations_cost_one_query_for_five_rows_as_for_fifty(people):
    user = people["presales"]
    assert user.roles == {"presales"}
    counts = []
    for n in (5, 50):
        Project.objects.all().delete()
        for i in range(n):
            project = ProjectFactory(owner=people["outsider"])
            if i % 2:
                ProjectMember.objects.create(project=project, user=user, role="presales")
        with CaptureQueriesContext(connection) as queries:
            allowed = [p for p in with_permissions(user, Project.objects.all(), "change") if can(user, "change", p)]
        assert len(allowed) == n // 2
        counts.append(len(queries))
    assert counts == [1, 1]


def test_the_template_filter_asks_the_same_rule(people, projects):
    template = Template('{% load permissions %}{% if user|can:"change"|on:project %}yes{% else %}no{% endif %}')
    render = lambda user, project: template.render(Context({"user": user, "project": project}))  # noqa: E731
    assert render(people["owner"], projects["mine"]) == "yes"
    assert render(people["engineer"], projects["team"]) == "no"
    assert render(people["director"], projects["other"]) == "yes"


def test_nobody_acts_when_not_signed_in_or_inactive(people, projects):
    from django.contrib.auth.models import AnonymousUser

    assert can(AnonymousUser(), "change", projects["mine"]) is False
    people["owner"].is_active = False
    assert can(people["owner"], "change", projects["mine"]) is False
    assert list(restrict(people["owner"], "change", Project.objects.all())) == []


def test_an_action_nobody_registered_is_an_error_not_a_yes(people, projects):
    with pytest.raises(LookupError, match="No rule registered for launch on Project"):
        can(people["director"], "launch", projects["mine"])


def test_every_app_registers_its_rules_at_start_up():
    names = {(model._meta.label, action) for model, action in registered_actions()}
    assert {("projects.Project", "change"), ("projects.Project", "transition"), ("workflows.Review", "decide")} <= names


def test_a_rule_registered_twice_is_replaced_not_duplicated(people, projects):
    from backend.core import permissions

    saved = dict(permissions._actions)
    try:
        action_rule(Project, "archive")(lambda user, project: user.pk == project.owner_id)
        action_rule(Project, "archive")(lambda user, project: False)
        assert can(people["owner"], "archive", projects["mine"]) is False
        assert people["owner"].has_perm("projects.archive_project", projects["mine"]) is False
    finally:
        permissions._actions.clear()
        permissions._actions.update(saved)
