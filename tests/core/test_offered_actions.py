"""Every button a page offers is one the service accepts, and an action the permission layer refuses is not
offered. On the demo data, each demo role walks the project pages (every tab, a project in each state it can
see), the review pages and the board; every form posted from them is checked against the permission layer,
and the first of each kind is posted for real (rolled back after) to prove the service does not refuse it
for want of permission."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import resolve, reverse

from backend.core import refusals
from backend.core.permissions import can
from backend.docs_templates.models import DocumentTemplate, GeneratedDocument
from backend.milestones.models import Deliverable, Milestone, Task
from backend.projects.models import Project
from workflows.models import Review

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]

ROLES = ("bidmgr", "presales", "director", "pm", "engineer", "finance", "legal", "exec", "quality")
TABS = ("overview", "team", "competitors", "bids", "milestones", "payments", "documents", "knowledge", "checklist")
PERMISSION_CODES = {"permission_denied", "own_review"}


class Forms(HTMLParser):
    """The POST forms of a page: their action and the values a user submits without typing."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "data": {}, "typed": set(), "buttons": []})
            return
        if not self.forms:
            return
        data, name = self.forms[-1]["data"], a.get("name")
        submits = tag == "button" or (tag == "input" and (a.get("type") or "").lower() == "submit")
        if submits and name and (a.get("type") or "submit").lower() == "submit":
            self.forms[-1]["buttons"].append((name, a.get("value") or ""))
        elif tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data[name] = a.get("value") or "on"
            elif kind == "file":
                self.forms[-1]["typed"].add(name)
            elif kind not in ("submit", "button"):
                data[name] = a.get("value") or ""
                if "required" in a and not data[name]:
                    self.forms[-1]["typed"].add(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if ("selected" in a or self._select not in data) and a.get("value"):
                data[self._select] = a.get("value")
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, text: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["data"][self._textarea] += text


def _forms(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def permission_of(user, name: str, kwargs: dict[str, Any], data: dict[str, Any]) -> bool | None:
    """What the permission layer says about the action a form posts to (None: an action anyone who sees the
    page may take, e.g. proposing a record to the knowledge base)."""
    project = Project.objects.filter(pk=kwargs.get("pk")).first()
    simple = {
        "projects:forecast": "adjust_forecast",
        "projects:transition": "transition",
        "milestones:acceptance-add": "record_acceptance",
        "payments:payment-term-add": "record_payment",
        "payments:invoice-add": "record_payment",
        "payments:receipt-add": "record_payment",
        "payments:write-off": "write_off",
        "docs_templates:generate": "generate_documents",
    }
    if name in simple:
        return can(user, simple[name], project)
    if name.startswith("projects:") or name.startswith("bids:"):
        return can(user, "change", project)
    if name == "milestones:milestone-transition":
        milestone = Milestone.objects.get(pk=kwargs["milestone_pk"])
        transition = next(t for t in milestone.get_all_status_transitions() if t.name == data.get("transition"))
        return bool(transition.has_perm(milestone, user))
    if name in ("milestones:milestone-plan",):
        return can(user, "judge", Milestone.objects.get(pk=kwargs["milestone_pk"]))
    if name == "milestones:deliverable-upload":
        return can(user, "work", Milestone.objects.get(pk=kwargs["milestone_pk"]))
    if name in ("milestones:deliverable-version-add", "milestones:deliverable-submit"):
        return can(user, "work", Deliverable.objects.get(pk=kwargs["deliverable_pk"]).milestone)
    if name == "milestones:deliverable-review":
        return can(user, "judge", Deliverable.objects.get(pk=kwargs["deliverable_pk"]).milestone)
    if name == "milestones:task-status":
        return can(user, "change", Task.objects.get(pk=kwargs["task_pk"]))
    if name == "docs_templates:approve":
        return can(user, "approve", GeneratedDocument.objects.get(pk=kwargs["pk"]))
    if name == "docs_templates:activate":
        return can(user, "manage", DocumentTemplate)
    if name == "reviews:decide":
        return can(user, "decide", Review.objects.get(pk=kwargs["pk"]))
    if name == "knowledge:link-decide":
        from backend.knowledge.models import ArticleLink

        return can(user, "decide_links", ArticleLink.objects.get(pk=kwargs["pk"]).project)
    if name in ("knowledge:propose", "logout", "set_language", "notifications:read-all"):
        return None
    raise AssertionError(f"no permission known for the form posting to {name}")


@pytest.fixture
def demo(demo_data):
    from backend.accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=ROLES)}


@pytest.fixture
def refusals_seen(monkeypatch):
    seen: list[refusals.Refusal] = []
    original = refusals.refusal_of

    def record(exc):
        refusal = original(exc)
        seen.append(refusal)
        return refusal

    monkeypatch.setattr(refusals, "refusal_of", record)
    return seen


def _sample_projects() -> list[Project]:
    """One project in each state the demo has (the most recently changed)."""
    chosen: dict[str, Project] = {}
    for project in Project.objects.order_by("-status_changed_at", "-pk"):
        chosen.setdefault(project.status, project)
    return list(chosen.values())


def _pages(user, projects: list[Project]) -> list[str]:
    pages = [reverse("projects:board"), reverse("reviews:inbox")]
    for project in projects:
        if can(user, "view", project):
            pages += [reverse("projects:detail", args=[project.pk]) + f"?tab={tab}" for tab in TABS]
    for review in Review.objects.filter(status="pending"):
        if can(user, "view", review):
            pages.append(reverse("reviews:detail", args=[review.pk]))
    return pages


def _refused_is_not_offered(user, page: str, html: str) -> None:
    """The converse, for the buttons that decide most: moving a project, deciding a review, approving a
    document, working on or judging a milestone, managing the templates."""
    match = resolve(urlsplit(page).path)
    tab = dict(pair.split("=") for pair in urlsplit(page).query.split("&") if pair).get("tab")
    assert (reverse("docs_templates:templates") in html) == can(user, "manage", DocumentTemplate)
    if match.url_name == "detail" and match.namespace == "reviews":
        review = Review.objects.get(pk=match.kwargs["pk"])
        assert (reverse("reviews:decide", args=[review.pk]) in html) == can(user, "decide", review), page
    if match.url_name != "detail" or match.namespace != "projects":
        return
    project = Project.objects.get(pk=match.kwargs["pk"])
    if tab == "overview":
        for name in (t.name for t in project.get_available_user_status_transitions(user)):
            assert reverse("projects:transition", args=[project.pk, name]) in html, (page, name)
        if not can(user, "transition", project):
            assert "/transitions/" not in html, page
    elif tab == "documents":
        for document in GeneratedDocument.objects.filter(project=project, milestone__isnull=True):
            offered = reverse("docs_templates:approve", args=[document.pk]) in html
            assert offered == (can(user, "approve", document) and document.status != "approved"), (page, document)
    elif tab == "milestones":
        for milestone in project.milestones.all():
            if not (can(user, "work", milestone) or can(user, "judge", milestone)):
                url = reverse("milestones:milestone-transition", args=[project.pk, milestone.pk])
                assert url not in html, (page, milestone)


def test_pages_offer_exactly_what_the_permission_layer_allows(client, demo, refusals_seen):
    offered_kinds: dict[str, set[str]] = {}
    posted = 0
    projects = _sample_projects()
    for username, user in demo.items():
        client.force_login(user)
        tried: set[str] = set()  # the first form of each kind is posted, per role
        for page in _pages(user, projects):
            response = client.get(page)
            assert response.status_code == 200, (username, page)
            assert response.wsgi_request.user == user  # not the login page
            html = response.content.decode()
            _refused_is_not_offered(user, page, html)
            for form in _forms(html):
                match = resolve(urlsplit(form["action"]).path)
                name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
                presses = [{**form["data"], key: value} for key, value in form["buttons"]] or [form["data"]]
                answers = {permission_of(user, name, match.kwargs, pressed) for pressed in presses}
                assert False not in answers, f"{username} is offered {name} on {page} but may not do it"
                allowed = answers.pop()
                offered_kinds.setdefault(username, set()).add(name)
                if allowed is None or name in tried:
                    continue
                tried.add(name)
                data = {**presses[0], **{field: "走查 walk-through" for field in form["typed"]}}
                for field in ("comment", "note", "reason"):
                    if field in data and not data[field]:
                        data[field] = "走查 walk-through"
                before = len(refusals_seen)
                with transaction.atomic():
                    answer = client.post(form["action"], data)
                    transaction.set_rollback(True)
                posted += 1
                codes = {r.code for r in refusals_seen[before:]}
                assert answer.status_code != 403 and not codes & PERMISSION_CODES, (
                    f"{username}: {name} offered on {page} was refused: {[r.message for r in refusals_seen[before:]]}"
                )
    # the walk saw what each role does (so it cannot pass by seeing nothing)
    assert "projects:transition" in offered_kinds["bidmgr"]
    assert "reviews:decide" in offered_kinds["director"] or "reviews:decide" in offered_kinds["exec"]
    assert "milestones:milestone-transition" in offered_kinds["pm"]
    assert "payments:receipt-add" in offered_kinds["finance"]
    assert not {"projects:transition", "projects:member-add"} & offered_kinds["legal"]
    assert posted > 50
