"""Project pages: list with filters, create, the kanban board and its moves, the project page with its tabs
and every form posted from it — refusals shown as messages, never a 500, outsiders answered 404."""

import html
import itertools
import json

import pytest
from django.urls import reverse

from backend.bids.models import WinLossRecord
from backend.projects import services
from backend.projects.choices import BOARD_COLUMNS, Status
from backend.projects.models import (
    Competitor,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectPartner,
)
from tests.factories import CustomerFactory, ProjectFactory, UserFactory, set_status
from workflows.models import RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    customer = CustomerFactory(owner=org["bidmgr"], name="北京银行 Bank of Beijing")
    return services.project_create(
        actor=org["bidmgr"], name="核心网络改造 Core network", customer=customer, estimated_amount=2_000_000
    )


@pytest.fixture
def web(client, org):
    client.force_login(org["bidmgr"])
    return client


def login_as(client, user):
    client.force_login(user)
    return client


def tick_required(project, actor):
    for item in project.checklist.filter(stage=project.status, required=True):
        services.checklist_set_done(actor=actor, item=item, done=True)


_codes = itertools.count(1)


def make_project(**kwargs):
    """A project from the factory, with a code that never collides with those project_create numbers."""
    return ProjectFactory(code=f"X-{next(_codes):05d}", **kwargs)


def url(name, *args):
    return reverse(f"projects:{name}", args=args)


# --- list and create -----------------------------------------------------------------------------------------


def test_login_required(client):
    response = client.get(url("list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_searches_filters_and_paginates(web, org, project):
    other = make_project(name="Hospital HIS upgrade", industry="healthcare", owner=org["bidmgr"])
    set_status(other, Status.BIDDING)
    foreign = make_project(name="Someone else's deal", owner=org["outsider"])
    page = web.get(url("list")).content.decode()
    assert project.code in page and "Hospital HIS upgrade" in page
    assert "Someone else" not in page  # not visible to bidmgr
    assert foreign.code not in page

    assert "Hospital" not in web.get(url("list"), {"q": "core network"}).content.decode()
    assert "Hospital" in web.get(url("list"), {"q": "HIS"}).content.decode()
    by_status = web.get(url("list"), {"status": ["bidding", "pursuit"]}).content.decode()
    assert "Hospital" in by_status and project.code not in by_status
    by_industry = web.get(url("list"), {"industry": "healthcare"}).content.decode()
    assert "Hospital" in by_industry and project.code not in by_industry

    partial = web.get(url("list"), {"q": "HIS"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Hospital" in partial and '<nav class="navbar' not in partial

    bad = web.get(url("list"), {"industry": "astrology", "status": "nowhere", "page": "x"})
    assert bad.status_code == 200 and "astrology" in bad.content.decode()


def test_list_mine_and_pagination(client, org):
    director = org["director"]  # sees every project
    for i in range(30):
        make_project(name=f"Zeta {i:02d}", owner=org["bidmgr"])
    make_project(name="Director's own", owner=director)
    login_as(client, director)
    first = client.get(url("list")).content.decode()
    second = client.get(url("list"), {"page": 2}).content.decode()
    assert "Director&#x27;s own" in first and "Zeta 06" in first and "Zeta 05" not in first
    assert "Zeta 05" in second and "Zeta 06" not in second
    mine = client.get(url("list"), {"mine": "true"}).content.decode()
    assert "Director&#x27;s own" in mine and "Zeta" not in mine


def test_list_shows_the_routing_rule(web, org):
    RoutingRule.objects.create(name="华北金融 North finance", industry="finance", assign_bid_manager=org["head"])
    project = services.project_create(actor=org["bidmgr"], name="Routed", customer=CustomerFactory(owner=org["bidmgr"]))
    assert project.routing_rule is not None
    assert "华北金融 North finance" in web.get(url("list")).content.decode()
    assert "华北金融 North finance" in web.get(url("detail", project.pk)).content.decode()


def test_create_a_project_through_the_page(web, org):
    customer = CustomerFactory(owner=org["bidmgr"], name="天津港 Tianjin Port")
    hidden = CustomerFactory(owner=org["outsider"], name="Hidden customer")
    form = web.get(url("create")).content.decode()
    assert "Tianjin Port" in form and "Hidden customer" not in form

    refused = web.post(url("create"), {"name": "Smuggled", "customer": hidden.pk, "source": "tender"})
    assert refused.status_code == 400 and not Project.objects.filter(name="Smuggled").exists()
    empty = web.post(url("create"), {"name": "", "customer": "abc", "probability": "400"})
    assert empty.status_code == 400

    response = web.post(
        url("create"),
        {
            "name": "智慧港口 Smart port",
            "customer": customer.pk,
            "source": "tender",
            "industry": "",
            "region": "",
            "estimated_amount": "3500000",
            "currency": "CNY",
            "probability": "30",
        },
    )
    project = Project.objects.get(name="智慧港口 Smart port")
    assert response.status_code == 302 and response["Location"] == url("detail", project.pk)
    assert project.owner == org["bidmgr"] and project.industry == customer.industry
    assert project.checklist.exists()


def test_edit_form_renders_for_an_editor(web, project):
    page = web.get(url("edit", project.pk)).content.decode()
    assert "核心网络改造 Core network" in page and 'name="probability"' in page


def test_edit_the_project(web, org, project):
    response = web.post(
        url("edit", project.pk),
        {
            "name": "核心网络改造二期",
            "source": "referral",
            "industry": "finance",
            "region": "north",
            "estimated_amount": "2500000",
            "currency": "CNY",
            "probability": "55",
            "expected_close_date": "2026-12-31",
            "description": "Phase two",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.probability, str(project.expected_close_date)) == (
        "核心网络改造二期",
        55,
        "2026-12-31",
    )
    assert web.post(url("edit", project.pk), {"name": "", "probability": "-3"}).status_code == 400


def test_a_viewer_cannot_edit(client, org, project):
    login_as(client, org["exec"])  # sees every project but is no editor
    response = client.get(url("edit", project.pk), follow=True)
    assert "You may not change project" in response.content.decode()


def test_outsider_gets_404_everywhere(client, org, project):
    login_as(client, org["outsider"])
    item = project.checklist.first()
    assert client.get(url("detail", project.pk)).status_code == 404
    assert client.get(url("edit", project.pk)).status_code == 404
    assert client.post(url("transition", project.pk, "abandon"), {"abandon-comment": "x"}).status_code == 404
    assert client.post(url("checklist-toggle", project.pk, item.pk), {"done": "1"}).status_code == 404
    assert client.post(url("member-add", project.pk), {}).status_code == 404
    assert client.post(url("board-move", project.pk), {"target": "pursuit"}).status_code == 404
    assert client.get(url("detail", 999999)).status_code == 404


# --- project page and its tabs -------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", ["overview", "team", "competitors", "bids", "checklist", "history", "nonsense"])
def test_every_tab_renders(web, project, tab):
    response = web.get(url("detail", project.pk), {"tab": tab})
    assert response.status_code == 200
    assert project.name in response.content.decode()


def test_overview_shows_state_rule_and_transitions(web, org, project):
    page = web.get(url("detail", project.pk)).content.decode()
    assert 'data-status="tender"' in page and "in this state since" in page
    # submit_initiation is blocked by the checklist: shown disabled with the reason; abandon is available
    assert "Submit for initiation" in page and "required checklist item" in page
    assert 'id="transition-abandon"' in page
    tick_required(project, org["bidmgr"])
    page = web.get(url("detail", project.pk)).content.decode()
    assert 'id="transition-submit_initiation"' in page


def test_transition_refusal_is_shown_not_a_500(web, project):
    response = web.post(url("transition", project.pk, "submit_initiation"), {"submit_initiation-comment": "go"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Register the tender" in page and "Tender" in page
    project.refresh_from_db()
    assert project.status == Status.TENDER


def test_checklist_tick_then_submit_initiation(web, org, project):
    item = project.checklist.get(stage="tender", required=True)
    response = web.post(url("checklist-toggle", project.pk, item.pk), {"done": "1"})
    assert response.status_code == 302 and "tab=checklist" in response["Location"]
    item.refresh_from_db()
    assert item.done and item.done_by == org["bidmgr"]
    page = web.get(url("detail", project.pk), {"tab": "checklist"}).content.decode()
    assert "current stage" in page and "Reopen" in page

    response = web.post(url("transition", project.pk, "submit_initiation"), {"submit_initiation-comment": "请审批"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.INITIATION_REVIEW
    review = project.reviews.get()
    page = web.get(url("detail", project.pk)).content.decode()
    assert reverse("reviews:detail", args=[review.pk]) in page and "is pending" in page

    # untick is possible too, and bad input is no 500
    assert web.post(url("checklist-toggle", project.pk, item.pk), {"done": "0"}).status_code == 302
    item.refresh_from_db()
    assert not item.done
    assert web.post(url("checklist-toggle", project.pk, 999999), {"done": "1"}).status_code == 404


def test_lose_needs_the_win_loss_fields(web, org, project, reasons):
    set_status(project, Status.BIDDING)
    page = web.get(url("detail", project.pk), {"transition": "lose"}).content.decode()
    assert 'class="collapse show mt-3" id="transition-lose"' in page and "Primary reason" in page

    missing = web.post(url("transition", project.pk, "lose"), {"lose-comment": "lost on price"})
    assert missing.status_code == 400
    project.refresh_from_db()
    assert project.status == Status.BIDDING

    rival = Competitor.objects.create(name="东软 Neusoft")
    response = web.post(
        url("transition", project.pk, "lose"),
        {
            "lose-comment": "lost on price",
            "lose-primary_reason": "price",
            "lose-secondary_reasons": ["relationship", "timing"],
            "lose-winning_competitor": rival.pk,
            "lose-winning_price": "1800000",
            "lose-our_price": "2100000",
            "lose-lessons": "Bid earlier.",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.LOST
    record = WinLossRecord.objects.get(project=project)
    assert record.outcome == "lost" and record.winning_competitor == rival
    assert set(record.secondary_reasons.values_list("code", flat=True)) == {"relationship", "timing"}
    assert "Bid earlier." in web.get(url("detail", project.pk)).content.decode()


def test_abandon_without_a_reason_is_refused_on_the_form(web, project, reasons):
    response = web.post(url("transition", project.pk, "abandon"), {"abandon-primary_reason": "timing"})
    assert response.status_code == 400
    assert "Say why the project is abandoned" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.TENDER


def test_gated_and_unknown_transitions_are_refused(web, project):
    set_status(project, Status.INITIATION_REVIEW)
    gated = web.post(url("transition", project.pk, "approve_initiation"), {})
    assert gated.status_code == 409 and "review gate" in gated.content.decode()
    unknown = web.post(url("transition", project.pk, "teleport"), {})
    assert unknown.status_code == 400 and "Unknown transition" in unknown.content.decode()
    project.refresh_from_db()
    assert project.status == Status.INITIATION_REVIEW


def test_a_viewer_is_refused_a_transition(client, org, project):
    set_status(project, Status.BIDDING)
    login_as(client, org["exec"])
    response = client.post(url("transition", project.pk, "award"), {})
    assert response.status_code == 403 and "You may not move project" in response.content.decode()


def test_team_add_and_remove(web, org, project):
    presales = UserFactory(username="presales", first_name="Pre", last_name="Sales", roles=["presales"])
    response = web.post(url("member-add", project.pk), {"member-user": presales.pk, "member-role": "presales"})
    assert response.status_code == 302
    member = ProjectMember.objects.get(project=project, user=presales)
    assert "Pre Sales" in web.get(url("detail", project.pk), {"tab": "team"}).content.decode()

    duplicate = web.post(url("member-add", project.pk), {"member-user": presales.pk, "member-role": "presales"})
    assert duplicate.status_code == 409 and "already on the team" in duplicate.content.decode()
    bad = web.post(url("member-add", project.pk), {"member-user": "x", "member-role": "wizard"})
    assert bad.status_code == 400

    owner = project.members.get(role="owner")
    refused = web.post(url("member-remove", project.pk, owner.pk), follow=True)
    assert "The owner cannot be removed" in refused.content.decode()
    assert web.post(url("member-remove", project.pk, member.pk)).status_code == 302
    assert not ProjectMember.objects.filter(pk=member.pk).exists()


def test_competitors_and_partners(web, org, project):
    catalogue = Competitor.objects.create(name="华为 Huawei")
    by_name = web.post(
        url("competitor-add", project.pk),
        {"competitor-competitor_name": "新华三 H3C", "competitor-threat_level": "high", "competitor-solution": "SDN"},
    )
    assert by_name.status_code == 302
    from_catalogue = web.post(
        url("competitor-add", project.pk),
        {"competitor-competitor": catalogue.pk, "competitor-threat_level": "low"},
    )
    assert from_catalogue.status_code == 302
    assert project.competitors.count() == 2
    duplicate = web.post(
        url("competitor-add", project.pk), {"competitor-competitor": catalogue.pk, "competitor-threat_level": "low"}
    )
    assert duplicate.status_code == 400 and "already listed" in duplicate.content.decode()
    nothing = web.post(url("competitor-add", project.pk), {"competitor-threat_level": "low"})
    assert nothing.status_code == 400

    entry = ProjectCompetitor.objects.get(project=project, competitor=catalogue)
    edit = web.post(
        url("competitor-edit", project.pk, entry.pk),
        {f"pc{entry.pk}-threat_level": "high", f"pc{entry.pk}-bid_price": "1990000", f"pc{entry.pk}-solution": "CT"},
    )
    assert edit.status_code == 302
    entry.refresh_from_db()
    assert entry.threat_level == "high" and entry.bid_price == 1_990_000
    bad_edit = web.post(url("competitor-edit", project.pk, entry.pk), {f"pc{entry.pk}-threat_level": "apocalyptic"})
    assert bad_edit.status_code == 400

    note = web.post(
        url("competitor-note-add", project.pk, entry.pk),
        {f"note{entry.pk}-stage": "tender", f"note{entry.pk}-note": "华为已做过现场演示"},
    )
    assert note.status_code == 302 and entry.notes.get().note == "华为已做过现场演示"
    assert web.post(url("competitor-note-add", project.pk, entry.pk), {f"note{entry.pk}-note": ""}).status_code == 400

    partner = web.post(
        url("partner-add", project.pk),
        {"partner-partner_name": "深信服 Sangfor", "partner-role": "vendor", "partner-amount": "300000"},
    )
    assert partner.status_code == 302 and ProjectPartner.objects.get(project=project).partner.name == "深信服 Sangfor"

    page = web.get(url("detail", project.pk), {"tab": "competitors"}).content.decode()
    for text in ("新华三 H3C", "华为 Huawei", "华为已做过现场演示", "深信服 Sangfor", "Threat: High"):
        assert text in page

    other = make_project(owner=org["bidmgr"])
    assert web.post(url("competitor-edit", other.pk, entry.pk), {}).status_code == 404


def test_history_shows_decisions_with_their_gate_and_stage_durations(web, org, project):
    from workflows.services import review_decide

    tick_required(project, org["bidmgr"])
    services.project_transition(project_id=project.pk, name="submit_initiation", actor=org["bidmgr"])
    review = project.reviews.get()
    review_decide(review_id=review.pk, actor=org["director"], decision="approve", comment="同意立项")
    page = web.get(url("detail", project.pk), {"tab": "history"}).content.decode()
    assert "Initiation approved" in page and "同意立项" in page
    assert review.gate.name in page and reverse("reviews:detail", args=[review.pk]) in page
    assert 'id="stage-durations"' in page and "Pursuit" in page and "Submit for initiation" in page


# --- the kanban board ----------------------------------------------------------------------------------------


def test_board_has_a_column_per_state_with_counts(web, org, project):
    other = make_project(owner=org["bidmgr"], name="Board bidding card")
    set_status(other, Status.BIDDING)
    page = web.get(url("board")).content.decode()
    for state in BOARD_COLUMNS:
        assert f'data-status="{state}" aria-labelledby="column-{state}"' in page
    assert f'id="card-{project.pk}"' in page and "Board bidding card" in page
    assert "北京银行 Bank of Beijing" in page and "2,000,000" in page
    # accessible menu: award is a button posting to the transition, lose links to the project page form
    assert reverse("projects:transition", args=[other.pk, "award"]) in page
    assert f"{url('detail', other.pk)}?tab=overview&amp;transition=lose" in page
    filtered = web.get(url("board"), {"q": "bidding card", "mine": "true"}).content.decode()
    assert "Board bidding card" in filtered and f'id="card-{project.pk}"' not in filtered


def test_board_move_refusals_and_success(web, org, project):
    move = url("board-move", project.pk)
    refused = web.post(move, {"target": "initiation_review"})
    assert refused.status_code == 409 and "Register the tender" in refused.json()["detail"]
    nowhere = web.post(move, {"target": "won"})
    assert nowhere.status_code == 409 and "cannot move from Tender to Won" in nowhere.json()["detail"]
    assert web.post(move, {"target": "moon"}).status_code == 400
    assert web.post(move, {"target": "tender"}).json()["unchanged"] is True

    tick_required(project, org["bidmgr"])
    moved = web.post(move, {"target": "initiation_review"})
    body = moved.json()
    assert moved.status_code == 200 and body["ok"] and body["status"] == "initiation_review"
    assert f'id="card-{project.pk}"' in body["card"]
    project.refresh_from_db()
    assert project.status == Status.INITIATION_REVIEW
    gate_only = web.post(move, {"target": "pursuit"})
    assert gate_only.status_code == 409 and "review is decided" in gate_only.json()["detail"]


def test_board_move_to_lost_sends_the_user_to_the_form(web, project):
    set_status(project, Status.BIDDING)
    body = web.post(url("board-move", project.pk), {"target": "lost"}).json()
    assert body["redirect"].startswith(url("detail", project.pk)) and "transition=lose" in body["redirect"]
    project.refresh_from_db()
    assert project.status == Status.BIDDING


def test_board_move_by_a_viewer_is_forbidden(client, org, project):
    set_status(project, Status.BIDDING)
    login_as(client, org["exec"])
    response = client.post(url("board-move", project.pk), {"target": "negotiation"})
    assert response.status_code == 403 and json.loads(response.content)["detail"]


def test_board_menu_button_moves_and_comes_back(web, org, project):
    set_status(project, Status.BIDDING)
    board = url("board") + "?mine=true"
    response = web.post(url("transition", project.pk, "award"), {"next": board}, follow=True)
    assert response.redirect_chain[-1][0] == board
    assert "now Negotiation" in response.content.decode()
    refused = web.post(url("transition", project.pk, "award"), {"next": board}, follow=True)
    assert refused.redirect_chain[-1][0] == board
    # the refusal names the action as its button does, never the transition's code name
    assert "'Mark as awarded' is only possible from Bidding." in html.unescape(refused.content.decode())
    assert "award'" not in html.unescape(refused.content.decode())
    offsite = web.post(url("transition", project.pk, "award"), {"next": "https://evil.example/"})
    assert offsite.status_code == 409  # an unsafe next is ignored: the project page shows the refusal


# --- queries do not grow -------------------------------------------------------------------------------------


def test_list_and_board_queries_do_not_grow(web, org, count_queries):
    def fill(n):
        for _ in range(n):
            p = make_project(owner=org["bidmgr"])
            ProjectMember.objects.create(project=p, user=org["head"], role="presales")

    fill(5)
    list_five = count_queries(lambda: web.get(url("list")))
    board_five = count_queries(lambda: web.get(url("board")))
    fill(25)  # 30 projects: more than a page
    assert count_queries(lambda: web.get(url("list"))) == list_five
    assert count_queries(lambda: web.get(url("board"))) == board_five


@pytest.mark.parametrize("tab", ["overview", "team", "competitors", "checklist", "history"])
def test_detail_queries_do_not_grow_with_events_and_members(web, org, project, count_queries, tab):
    def fill(n):
        for _ in range(n):
            user = UserFactory()
            ProjectMember.objects.create(project=project, user=user, role="observer")
            ProjectEvent.objects.create(project=project, kind="transition", transition="award", actor=user)
            entry = ProjectCompetitor.objects.create(
                project=project, competitor=Competitor.objects.create(name=user.username)
            )
            entry.notes.create(stage="tender", note="n", author=user)

    fill(2)
    few = count_queries(lambda: web.get(url("detail", project.pk), {"tab": tab}))
    fill(20)
    many = count_queries(lambda: web.get(url("detail", project.pk), {"tab": tab}))
    assert few == many


GARBAGE = {
    "target": "\x00' OR 1=1 --",
    "done": "maybe",
    "next": "javascript:alert(1)",
    "member-user": "-1",
    "member-role": "king",
    "competitor-competitor": "abc",
    "competitor-competitor_name": "x" * 500,
    "competitor-estimated_price": "1e400",
    "partner-partner": "999999",
    "partner-amount": "-5",
    "lose-primary_reason": "astrology",
    "lose-winning_competitor": "nobody",
    "lose-winning_price": "NaN",
    "abandon-secondary_reasons": ["price", "nope"],
    "name": "",
    "customer": "1; DROP TABLE",
    "estimated_amount": "99999999999999999999",
    "probability": "101",
    "currency": "YUAN",
}


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("create", ()),
        ("edit", ("pk",)),
        ("board-move", ("pk",)),
        ("transition", ("pk", "lose")),
        ("transition", ("pk", "abandon")),
        ("transition", ("pk", "x" * 60)),
        ("member-add", ("pk",)),
        ("competitor-add", ("pk",)),
        ("partner-add", ("pk",)),
        ("checklist-toggle", ("pk", "item")),
    ],
)
def test_garbage_never_gives_a_500(web, project, name, extra):
    set_status(project, Status.BIDDING)
    args = [{"pk": project.pk, "item": project.checklist.first().pk}.get(a, a) for a in extra]
    response = web.post(url(name, *args), GARBAGE)
    assert response.status_code < 500
    project.refresh_from_db()
    assert project.status == Status.BIDDING
