"""Sharing rules (issue 13 item 4): a rule opens exactly the projects matching all its criteria to exactly its
grantee — in the project list, the project page, the search, a report — and nothing more; its preview; the
rules page and API for administrators only; rows of the old shape migrated."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backend.core.errors import PermissionDenied, ValidationFailed
from backend.projects.models import Project, ProjectMember, ProjectSharingRule
from backend.projects.selectors import project_list_visible
from backend.projects.sharing import services
from backend.search.base import reset_backend
from backend.search.embedded import EmbeddedBackend
from backend.search.selectors import search_for_user
from tests.factories import CustomerFactory, DepartmentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, make_user):
    """Sales (with East below it) and Delivery own five projects of an owner who is nobody's colleague;
    Presales (two members) and a pm, an engineer and an outsider read them only through rules."""
    sales = DepartmentFactory(name="Sales")
    east = DepartmentFactory(name="Sales East", parent=sales)
    delivery = DepartmentFactory(name="Delivery")
    presales = DepartmentFactory(name="Presales")
    presales_team = DepartmentFactory(name="Presales team", parent=presales)
    owner = UserFactory(username="owner")
    tier_a = CustomerFactory(name="甲级客户", tier="A", owner=owner)
    tier_b = CustomerFactory(name="乙级客户", tier="B", owner=owner)
    untiered = CustomerFactory(name="未分级客户", tier="", owner=owner)

    def project(name, department, industry, region, customer):
        return ProjectFactory(
            name=name, owner=owner, department=department, industry=industry, region=region, customer=customer
        )

    projects = {
        "P1": project("P1", east, "energy", "east", tier_a),
        "P2": project("P2", sales, "energy", "north", tier_b),
        "P3": project("P3", delivery, "finance", "east", tier_a),
        "P4": project("P4", delivery, "energy", "east", untiered),
        "P5": project("P5", None, "government", "south", tier_b),
    }
    people = {
        "reader": make_user("reader", "bid_manager", department=presales),
        "reader2": make_user("reader2", "engineer", department=presales),
        "below": make_user("below", "engineer", department=presales_team),
        "pm": make_user("pm", "pm"),
        "solo": make_user("solo", "engineer"),
        "outsider": make_user("outsider", "bid_manager"),
        "admin": make_user("admin", "admin"),
    }
    ProjectMember.objects.create(project=projects["P3"], user=people["solo"], role="engineer")
    return {
        **projects,
        **people,
        "owner": owner,
        "sales": sales,
        "east": east,
        "delivery": delivery,
        "presales": presales,
        "tier_a": tier_a,
        "tier_b": tier_b,
    }


def fresh(user):
    """The user as a new request loads it (roles, headed departments and rules are cached per user object)."""
    return type(user).objects.get(pk=user.pk)


def names(user) -> set[str]:
    return set(project_list_visible(user=fresh(user)).values_list("name", flat=True))


def grant(world, **data) -> ProjectSharingRule:
    return services.sharing_rule_create(actor=world["admin"], data=data)


# --- the list selector: each criterion, combinations (AND), each grantee -------------------------------


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"industry": "energy"}, {"P1", "P2", "P4"}),
        ({"region": "east"}, {"P1", "P3", "P4"}),
        ({"department": "sales", "include_subdepartments": True}, {"P1", "P2"}),
        ({"department": "sales", "include_subdepartments": False}, {"P2"}),
        ({"customer": "tier_a"}, {"P1", "P3"}),
        ({"customer_tier": "B"}, {"P2", "P5"}),
        ({"industry": "energy", "region": "east"}, {"P1", "P4"}),
        ({"industry": "energy", "customer_tier": "A", "department": "sales"}, {"P1"}),
        ({"industry": "finance", "region": "north"}, set()),
    ],
)
def test_a_rule_opens_exactly_the_projects_matching_all_its_criteria(world, criteria, expected):
    data = {k: world[v] if k in ("department", "customer") else v for k, v in criteria.items()}
    assert names(world["reader"]) == set()
    grant(world, grantee_department=world["presales"], **data)
    assert names(world["reader"]) == expected
    assert names(world["reader2"]) == expected  # every member of the department
    assert names(world["below"]) == set()  # a department grantee is its members, not those below it
    assert names(world["outsider"]) == set()
    assert names(world["pm"]) == set()


def test_a_role_grantee_opens_to_every_holder_of_the_role_and_nobody_else(world, make_user):
    other_pm = make_user("pm2", "pm", department=world["delivery"])
    grant(world, grantee_role="pm", customer_tier="A")
    assert names(world["pm"]) == {"P1", "P3"}
    assert names(other_pm) == {"P1", "P3"}
    assert names(world["reader"]) == set()
    assert names(world["solo"]) == {"P3"}  # their own membership, nothing from the rule


def test_a_user_grantee_opens_to_that_user_only(world):
    grant(world, grantee_user=world["solo"], region="east")
    assert names(world["solo"]) == {"P1", "P3", "P4"}
    assert names(world["reader"]) == set()
    assert names(world["pm"]) == set()


def test_rules_add_up_and_deleting_one_closes_what_only_it_opened(world):
    first = grant(world, grantee_department=world["presales"], industry="government")
    grant(world, grantee_user=world["reader"], customer=world["tier_a"])
    assert names(world["reader"]) == {"P1", "P3", "P5"}
    assert names(world["reader2"]) == {"P5"}
    services.sharing_rule_update(actor=world["admin"], rule_id=first.pk, data={"industry": "finance"})
    assert names(world["reader2"]) == {"P3"}
    services.sharing_rule_delete(actor=world["admin"], rule_id=first.pk)
    assert names(world["reader"]) == {"P1", "P3"}
    assert names(world["reader2"]) == set()


def test_a_rule_grants_reading_only_and_shares_no_customer(world):
    from backend.core.permissions import can, visible_to
    from backend.customers.models import Customer

    grant(world, grantee_user=world["outsider"], industry="energy")
    p1 = Project.objects.get(name="P1")
    assert can(fresh(world["outsider"]), "view", p1)
    assert not can(world["outsider"], "change", p1)
    assert not visible_to(world["outsider"], Customer.objects.all()).exists()


# --- the project page and what follows the project -------------------------------------------------------


def test_the_project_page_answers_200_for_a_shared_project_and_404_for_the_rest(world, client):
    grant(world, grantee_department=world["presales"], industry="energy", region="east")
    client.force_login(world["reader"])
    assert client.get(f"/projects/{world['P1'].pk}/").status_code == 200
    assert client.get(f"/projects/{world['P4'].pk}/").status_code == 200
    assert client.get(f"/projects/{world['P2'].pk}/").status_code == 404
    assert client.get(f"/projects/{world['P3'].pk}/").status_code == 404
    listing = client.get("/projects/")
    assert listing.status_code == 200
    assert {p.name for p in listing.context["page"]} == {"P1", "P4"}


def test_project_events_follow_the_shared_project(world):
    from backend.core.permissions import visible_to
    from backend.projects.models import ProjectEvent

    for key in ("P1", "P3"):
        ProjectEvent.objects.create(
            project=world[key], kind="note", source="tender", target="tender", comment=key, actor=world["owner"]
        )
    grant(world, grantee_user=world["outsider"], customer=world["tier_a"], industry="energy")
    assert set(
        visible_to(fresh(world["outsider"]), ProjectEvent.objects.all()).values_list("project__name", flat=True)
    ) == {"P1"}


# --- search ----------------------------------------------------------------------------------------------


@pytest.fixture
def search_backend() -> Iterator[EmbeddedBackend]:
    path = Path(settings.VAR_DIR) / "search-tests" / uuid.uuid4().hex[:12]
    backend = EmbeddedBackend(path)
    backend.ensure()
    reset_backend(backend)
    yield backend
    reset_backend(None)
    shutil.rmtree(path, ignore_errors=True)


def found(user) -> set[str]:
    page = search_for_user(user=fresh(user), text="", types=["project"], page_size=100)
    return {hit.title.split(" ", 1)[1] for hit in page.result.hits}


def test_search_follows_the_rule_when_it_is_created_changed_and_deleted(
    world, search_backend, django_capture_on_commit_callbacks
):
    from backend.search.services import search_reindex

    search_reindex(backend=search_backend)
    assert found(world["reader"]) == set()
    assert found(world["admin"]) == {"P1", "P2", "P3", "P4", "P5"}
    with django_capture_on_commit_callbacks(execute=True):
        rule = grant(world, grantee_department=world["presales"], industry="energy", region="east")
    assert Project.objects.filter(search_dirty=True).count() == 0  # the flush after commit indexed them
    assert found(world["reader"]) == {"P1", "P4"} == names(world["reader"])
    assert found(world["pm"]) == set()
    with django_capture_on_commit_callbacks(execute=True):
        services.sharing_rule_update(actor=world["admin"], rule_id=rule.pk, data={"region": "north"})
    assert found(world["reader"]) == {"P2"} == names(world["reader"])
    with django_capture_on_commit_callbacks(execute=True):
        services.sharing_rule_update(
            actor=world["admin"], rule_id=rule.pk, data={"grantee_department": None, "grantee_role": "pm"}
        )
    assert found(world["reader"]) == set()
    assert found(world["pm"]) == {"P2"}
    with django_capture_on_commit_callbacks(execute=True):
        services.sharing_rule_delete(actor=world["admin"], rule_id=rule.pk)
    assert found(world["pm"]) == set()


def test_a_rule_change_marks_exactly_the_projects_it_matched_or_matches(world, django_capture_on_commit_callbacks):
    rule = grant(world, grantee_user=world["pm"], industry="government")
    Project.objects.update(search_dirty=False)
    services.sharing_rule_update(actor=world["admin"], rule_id=rule.pk, data={"industry": "finance"})
    assert set(Project.objects.filter(search_dirty=True).values_list("name", flat=True)) == {"P5", "P3"}


def test_a_customer_changing_tier_moves_its_projects_in_and_out_of_a_tier_rule(
    world, search_backend, django_capture_on_commit_callbacks
):
    from backend.customers.services import customer_grade_set
    from backend.projects.sharing.services import sharing_customers_retiered
    from backend.search.services import search_reindex

    grant(world, grantee_role="pm", customer_tier="A")
    search_reindex(backend=search_backend)
    assert found(world["pm"]) == {"P1", "P3"} == names(world["pm"])
    # by hand (one save: the search watches the tier)
    with django_capture_on_commit_callbacks(execute=True):
        customer_grade_set(actor=world["admin"], customer=world["tier_b"], tier="A")
    assert found(world["pm"]) == {"P1", "P2", "P3", "P5"} == names(world["pm"])
    # by the nightly ranking (a bulk update, no signals): the projects are marked and flushed
    with django_capture_on_commit_callbacks(execute=True):
        type(world["tier_a"]).objects.filter(pk=world["tier_a"].pk).update(tier="C")
        assert sharing_customers_retiered(customer_ids=[world["tier_a"].pk]) == 2
    assert found(world["pm"]) == {"P2", "P5"} == names(world["pm"])


# --- reports ---------------------------------------------------------------------------------------------


def test_the_funnel_report_counts_the_shared_projects_and_no_others(world, client_for):
    def deals_now(user) -> int:
        response = client_for(fresh(user)).get(
            "/api/v1/reports/funnel/", {"date_from": "2020-01-01", "date_to": "2030-12-31"}
        )
        assert response.status_code == 200, response.content
        now = next(t for t in response.json()["tables"] if t["key"] == "now")
        return sum(row["deals"] for row in now["rows"])

    assert deals_now(world["reader"]) == 0
    grant(world, grantee_department=world["presales"], industry="energy")
    assert deals_now(world["reader"]) == 3
    grant(world, grantee_user=world["reader"], customer_tier="B")
    assert deals_now(world["reader"]) == 4  # P1, P2, P4 and P5 (P2 counted once)
    assert deals_now(world["outsider"]) == 0


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"grantee_role": "pm"}, "no_criterion"),
        ({"industry": "energy"}, "no_grantee"),
        ({"industry": "energy", "grantee_role": "pm", "grantee_user": "solo"}, "two_grantees"),
    ],
)
def test_a_rule_without_criterion_or_with_no_or_two_grantees_is_refused(world, data, code):
    data = {k: world[v] if k == "grantee_user" else v for k, v in data.items()}
    with pytest.raises(ValidationFailed) as err:
        grant(world, **data)
    assert err.value.code == code
    assert ProjectSharingRule.objects.count() == 0


def test_only_an_administrator_writes_rules(world):
    with pytest.raises(PermissionDenied):
        services.sharing_rule_create(actor=world["reader"], data={"industry": "energy", "grantee_role": "pm"})
    assert ProjectSharingRule.objects.count() == 0


# --- preview ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_rules(world):
    return [
        grant(world, grantee_department=world["presales"], industry="energy"),
        grant(world, grantee_user=world["solo"], region="east"),
        grant(world, grantee_role="pm", customer_tier="A"),
    ]


def test_the_rules_page_shows_what_each_rule_opens(world, three_rules, client):
    client.force_login(world["admin"])
    response = client.get("/projects/sharing-rules/")
    assert response.status_code == 200
    figures = [(p.projects, p.users, p.gained) for _rule, p in response.context["rows"]]
    # energy: P1 P2 P4 to Presales' 2 members (not the one in the team below); east: P1 P3 P4 to solo, who
    # sees P3 already; tier A: P1 P3 to the 1 pm
    assert figures == [(3, 2, None), (3, 1, 2), (2, 1, None)]
    body = response.content.decode()
    assert f'id="rule-{three_rules[1].pk}"' in body


def test_the_preview_of_a_user_grantee_counts_only_what_the_rule_adds(world, three_rules, client):
    client.force_login(world["admin"])
    # reader already reads energy (P1 P2 P4) through Presales: region east adds only P3
    response = client.post("/projects/sharing-rules/preview/", {"region": "east", "grantee_user": world["reader"].pk})
    assert response.status_code == 200
    preview = response.context["draft"][1]
    assert (preview.projects, preview.users, preview.gained) == (3, 1, 1)
    assert 'data-figure="gained">1<' in response.content.decode()
    # editing solo's own rule: without it solo sees P3 only, so the rule still adds P1 and P4
    response = client.post(
        f"/projects/sharing-rules/{three_rules[1].pk}/",
        {"region": "east", "grantee_user": world["solo"].pk, "action": "preview", "include_subdepartments": "on"},
    )
    assert response.status_code == 200
    assert (response.context["draft"][1].gained, response.context["draft"][1].projects) == (2, 3)
    assert ProjectSharingRule.objects.get(pk=three_rules[1].pk).region == "east"


def test_a_refused_preview_and_save_show_the_message_and_write_nothing(world, client):
    client.force_login(world["admin"])
    response = client.post("/projects/sharing-rules/", {"grantee_role": "pm", "action": "save"})
    assert response.status_code == 400
    assert "at least one criterion" in response.content.decode()
    response = client.post("/projects/sharing-rules/preview/", {"industry": "energy"})
    assert "Choose who is granted access" in response.content.decode()
    assert ProjectSharingRule.objects.count() == 0


def test_the_page_saves_a_rule(world, client):
    client.force_login(world["admin"])
    response = client.post(
        "/projects/sharing-rules/", {"industry": "energy", "grantee_role": "pm", "action": "save"}, follow=True
    )
    assert response.status_code == 200
    rule = ProjectSharingRule.objects.get()
    assert (rule.industry, rule.grantee_role, rule.grantee_department_id, rule.grantee_user_id) == (
        "energy",
        "pm",
        None,
        None,
    )
    assert names(world["pm"]) == {"P1", "P2", "P4"}


def test_the_rules_page_speaks_chinese(world, three_rules, client):
    client.force_login(world["admin"])
    response = client.get("/projects/sharing-rules/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert "共享规则" in body
    assert "Sharing rules" not in body


def test_the_rules_page_runs_the_same_queries_for_3_rules_as_for_9(
    world, three_rules, client, count_queries, make_user
):
    client.force_login(world["admin"])
    client.get("/projects/sharing-rules/")  # the session and the language are settled
    with_three = count_queries(lambda: client.get("/projects/sharing-rules/"))
    for i in range(6):
        user = make_user(f"grantee{i}", "engineer", department=world["east"])
        if i % 3 == 0:
            grant(world, grantee_user=user, industry="energy", department=world["sales"])
        elif i % 3 == 1:
            grant(world, grantee_role="engineer", region="east", customer=world["tier_a"])
        else:
            grant(world, grantee_department=world["delivery"], customer_tier="B")
    with_nine = count_queries(lambda: client.get("/projects/sharing-rules/"))
    assert with_nine == with_three


# --- access ----------------------------------------------------------------------------------------------


def test_non_administrators_get_404_on_the_page_and_nothing_but_refusals_from_the_api(
    world, three_rules, client, client_for
):
    for who in ("reader", "director"):
        user = world.get(who) or UserFactory(username="dir", roles=["director"])
        client.force_login(user)
        assert client.get("/projects/sharing-rules/").status_code == 404
        assert client.post("/projects/sharing-rules/preview/", {"industry": "energy"}).status_code == 404
        assert client.post(f"/projects/sharing-rules/{three_rules[0].pk}/delete/").status_code == 404
        api = client_for(user)
        listing = api.get("/api/v1/sharing-rules/")  # like every list: filtered by visibility, here to nothing
        assert listing.status_code == 200
        assert listing.json()["count"] == 0
        assert api.get(f"/api/v1/sharing-rules/{three_rules[0].pk}/").status_code == 404
        response = api.post("/api/v1/sharing-rules/", {"industry": "energy", "grantee_role": "pm"}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
        preview = api.post(
            "/api/v1/sharing-rules/preview/", {"industry": "energy", "grantee_role": "pm"}, format="json"
        )
        assert preview.status_code == 403
        assert (
            api.patch(f"/api/v1/sharing-rules/{three_rules[0].pk}/", {"region": "east"}, format="json").status_code
            == 404
        )
        assert api.delete(f"/api/v1/sharing-rules/{three_rules[0].pk}/").status_code == 404
    assert ProjectSharingRule.objects.count() == 3
    assert "nav-sharing-rules" not in client.get("/projects/").content.decode()
    client.force_login(world["admin"])
    assert "nav-sharing-rules" in client.get("/projects/").content.decode()


# --- API -------------------------------------------------------------------------------------------------


def test_the_api_creates_lists_changes_and_deletes_rules(world, client_for):
    api = client_for(world["admin"])
    response = api.post(
        "/api/v1/sharing-rules/",
        {"department": world["sales"].pk, "include_subdepartments": True, "grantee_user": world["pm"].pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["grantee_kind"], body["department"], body["grantee_user"]) == (
        "user",
        world["sales"].pk,
        world["pm"].pk,
    )
    assert names(world["pm"]) == {"P1", "P2"}
    listing = api.get("/api/v1/sharing-rules/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [r["id"] for r in rows] == [body["id"]]
    response = api.patch(f"/api/v1/sharing-rules/{body['id']}/", {"include_subdepartments": False}, format="json")
    assert response.status_code == 200, response.content
    assert names(world["pm"]) == {"P2"}
    preview = api.post(
        "/api/v1/sharing-rules/preview/",
        {"industry": "energy", "grantee_department": world["presales"].pk},
        format="json",
    )
    assert preview.json() == {"projects": 3, "users": 2, "gained": None}
    assert api.delete(f"/api/v1/sharing-rules/{body['id']}/").status_code == 204
    assert names(world["pm"]) == set()


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        ({"grantee_role": "pm"}, "no_criterion", "at least one criterion"),
        ({"region": "east"}, "no_grantee", "Choose who is granted access"),
        (
            {"region": "east", "grantee_role": "pm", "grantee_department": "presales"},
            "two_grantees",
            "only one grantee",
        ),
    ],
)
def test_the_api_refuses_a_bad_rule_with_400(world, client_for, data, code, words):
    data = {k: world[v].pk if k == "grantee_department" else v for k, v in data.items()}
    response = client_for(world["admin"]).post("/api/v1/sharing-rules/", data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["detail"]
    assert ProjectSharingRule.objects.count() == 0
    rule = grant(world, grantee_role="pm", industry="energy")
    response = client_for(world["admin"]).patch(
        f"/api/v1/sharing-rules/{rule.pk}/", {"grantee_user": world["solo"].pk}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "two_grantees")
    assert ProjectSharingRule.objects.get().grantee_user_id is None


def test_the_schema_describes_the_sharing_rules(client_for, world):
    schema = client_for(world["admin"]).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/sharing-rules/", "/api/v1/sharing-rules/{id}/", "/api/v1/sharing-rules/preview/"} <= set(paths)


# --- migration of the old rows -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rules_of_the_old_shape_are_migrated_and_still_work(make_user):
    executor = MigrationExecutor(connection)
    before = [("projects", "0012_localized_names")]
    # every app back to its latest migration: stepping projects back also undid the apps that depend on it
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    Department = old_apps.get_model("accounts", "Department")
    Rule = old_apps.get_model("projects", "ProjectSharingRule")
    implementation = Department.objects.create(name="Implementation")
    Rule.objects.create(department=implementation, industry="energy")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
    rule = ProjectSharingRule.objects.get()
    assert (rule.grantee_department_id, rule.department_id, rule.industry) == (implementation.pk, None, "energy")
    reader = make_user("reader", "pm", department_id=implementation.pk)
    ProjectFactory(name="能源项目", industry="energy")
    ProjectFactory(name="金融项目", industry="finance")
    assert names(reader) == {"能源项目"}
