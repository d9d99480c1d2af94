"""Knowledge pages: search results (facets, highlights), the category browser, the article page (with
versions, attachments, linked projects), the editor with a live preview, the review queue, proposals
from project records, and the project-page fragment of suggested/accepted articles.

Thin: selectors read, services write; a service's refusal is shown on the page, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.choices import Industry
from backend.core.errors import NotFound, ValidationFailed
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.knowledge import selectors, services
from backend.knowledge.choices import ArticleStatus, SourceKind
from backend.knowledge.forms import ArticleForm, AttachmentForm, ReviewForm
from backend.knowledge.models import Article, ArticleAttachment, ArticleVersion, Category
from backend.knowledge.rendering import check_body, render_markdown
from backend.search.selectors import search_for_user

TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "withdraw": gettext_lazy("Withdraw from review"),
    "publish": gettext_lazy("Publish"),
    "return": gettext_lazy("Return to the author"),
    "archive": gettext_lazy("Archive"),
}


def _article_or_404(request: AuthenticatedRequest, pk: int):
    try:
        return selectors.article_detail(user=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such article.")) from None


def _back(request: AuthenticatedRequest, default: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- search ---------------------------------------------------------------------------------------------


@login_required
def search_page(request: AuthenticatedRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "").strip() for name in ("q", "type", "category", "keyword", "industry")}
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = None
    error = ""
    with refused(request, message=False) as refusal:
        page = search_for_user(
            user=request.user,
            text=params["q"],
            types=[params["type"]] if params["type"] else [],
            category=params["category"],
            keyword=params["keyword"],
            industry=params["industry"],
            page=page_number,
        )
    if refusal.refusal is not None:  # shown where the results would be
        error = refusal.refusal.message
    industries = dict(Industry.choices)
    query = request.GET.copy()
    query.pop("page", None)
    facet_links: dict[str, list[dict[str, Any]]] = {}
    if page:
        for name, values in page.result.facets.items():
            links = []
            for value in values:
                selected = params.get(name) == value.value
                q = query.copy()
                if selected:
                    q.pop(name, None)
                else:
                    q[name] = value.value
                links.append({"value": value, "selected": selected, "url": f"?{q.urlencode()}"})
            facet_links[name] = links
    return render(
        request,
        "knowledge/search.html",
        {
            "params": params,
            "page": page,
            "error": error,
            "facet_links": facet_links,
            "industries": industries,
            "base_query": query.urlencode(),
        },
    )


# --- browsing and reading -----------------------------------------------------------------------------


@login_required
def browser(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    tree = selectors.category_tree_for(user=request.user)
    current = None
    if pk is not None:
        current = Category.objects.filter(pk=pk).first()
        if current is None:
            raise Http404(_("No such category."))
    filters: dict[str, Any] = {"status": ArticleStatus.PUBLISHED}
    if current:
        filters["category"] = current.pk
    keyword = request.GET.get("keyword", "")
    if keyword.isdigit():
        filters["keyword"] = int(keyword)
    articles = selectors.article_list_visible(user=request.user, filters=filters).order_by("-published_at", "-pk")
    mine = (
        selectors.article_list_visible(user=request.user, filters={"author": request.user.pk})
        .exclude(status=ArticleStatus.PUBLISHED)
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "knowledge/browser.html",
        {
            "nodes": selectors.flatten(tree),
            "current": current,
            "articles": articles[:100],
            "mine": mine,
            "keywords": selectors.keywords_in_use(user=request.user),
            "is_kbadmin": can(request.user, "review", Article),
            "review_count": selectors.review_queue(user=request.user).count(),
        },
    )


@login_required
def article_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "versions": article.versions.select_related("edited_by").order_by("-version"),
            "projects": selectors.article_projects(user=request.user, article=article),
            "transitions": [(n, TRANSITION_LABELS[n]) for n in services.allowed_transitions(request.user, article)],
            "can_edit": can(request.user, "change", article),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
def article_version(request: AuthenticatedRequest, pk: int, version: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    snapshot = ArticleVersion.objects.filter(article=article, version=version).select_related("edited_by").first()
    if snapshot is None:
        raise Http404(_("No such version."))
    return render(
        request,
        "knowledge/version.html",
        {"article": article, "snapshot": snapshot, "body_html": render_markdown(snapshot.body)},
    )


@login_required
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = visible_to(request.user, ArticleAttachment.objects.all()).filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )


# --- writing --------------------------------------------------------------------------------------------


def _form_data(form: ArticleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "industry": data["industry"],
        "category": data["category"].pk if data["category"] else None,
        "keywords": data["keywords"],
        "visibility": data["visibility"],
        "departments": [d.pk for d in data["departments"]],
        "roles": list(data["roles"]),
        "users": [u.pk for u in data["users"]],
    }


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        with refused(request, form=form):
            article = services.article_create(
                author=request.user,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                industry=data["industry"],
                category_id=data["category"],
                keywords=data["keywords"],
                visibility=data["visibility"],
                department_ids=data["departments"],
                roles=data["roles"],
                user_ids=data["users"],
            )
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    if not can(request.user, "change", article):
        messages.error(request, _("You may not edit this article now."))
        return redirect("knowledge:article", pk=pk)
    form = ArticleForm(request.POST or None, article=article)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.article_update(
                article_id=article.pk,
                actor=request.user,
                data=_form_data(form),
                comment=form.cleaned_data.get("comment", ""),
            )
            messages.success(request, _("Article saved."))
            return redirect("knowledge:article", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_preview(request: AuthenticatedRequest) -> HttpResponse:
    """The editor's preview: the posted Markdown rendered and sanitized exactly as it will be shown."""
    body = request.POST.get("body", "")
    try:
        check_body(body)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_markdown(body))


@login_required
@require_POST
def article_transition(request: AuthenticatedRequest, pk: int, name: str) -> HttpResponse:
    article = _article_or_404(request, pk)
    with refused(request):
        services.article_transition(
            article_id=article.pk, actor=request.user, name=name, comment=request.POST.get("comment", "")
        )
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITION_LABELS.get(name, name)})
    return redirect("knowledge:article", pk=pk)


@login_required
@require_POST
def attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    article = _article_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with refused(request):
            services.article_attachment_add(
                article_id=article.pk, actor=request.user, name=upload.name, data=upload.read()
            )
            messages.success(request, _("Attachment added; its text is now searchable."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("knowledge:article", pk=pk)


# --- review queue and proposals ---------------------------------------------------------------------------


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    if not can(request.user, "review", Article):
        raise Http404(_("The review queue is for knowledge admins."))
    articles = list(selectors.review_queue(user=request.user))
    forms = {a.pk: ReviewForm(article=a, prefix=f"a{a.pk}") for a in articles}
    return render(request, "knowledge/review_queue.html", {"items": [(a, forms[a.pk]) for a in articles]})


@login_required
@require_POST
def review_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not can(request.user, "review", Article):
        raise Http404(_("The review queue is for knowledge admins."))
    article = _article_or_404(request, pk)
    form = ReviewForm(request.POST, article=article, prefix=f"a{pk}")
    if form.is_valid():
        data = form.cleaned_data
        with refused(request, heading=f"{article.title}:"):
            services.article_review(
                article_id=pk,
                actor=request.user,
                decision=data["decision"],
                category_id=data["category"].pk if data["category"] else None,
                keywords=data["keywords"],
                industry=data["industry"],
                visibility=data["visibility"],
                department_ids=[d.pk for d in data["departments"]],
                roles=list(data["roles"]),
                user_ids=[u.pk for u in data["users"]],
                comment=data["comment"],
            )
            messages.success(request, _("%(title)s: decision recorded.") % {"title": article.title})
    else:
        messages.error(request, _("%(title)s: check the review form.") % {"title": article.title})
    return redirect("knowledge:review")


@login_required
@require_POST
def propose(request: AuthenticatedRequest, kind: str, object_id: int) -> HttpResponse:
    """Propose a project document, attachment, deliverable or win/loss lesson to the knowledge base."""
    if kind not in SourceKind.values or kind == SourceKind.MANUAL:
        raise Http404(_("Nothing of that kind can be proposed."))
    with refused(request):  # a record the user does not see is the 404 page
        article = services.article_propose(
            actor=request.user,
            kind=kind,
            object_id=object_id,
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(
            request,
            _("Proposed to the knowledge base: %(title)s. A knowledge admin will review it.")
            % {"title": article.title},
        )
    return redirect(_back(request, reverse("knowledge:browser")))


# --- project page fragment --------------------------------------------------------------------------------


def project_links_context(request: AuthenticatedRequest, project) -> dict[str, Any]:
    """Context for ``knowledge/_project_links.html`` on the project page: accepted and suggested articles
    the user may read, and whether the user may accept/dismiss them."""
    links = selectors.project_links(user=request.user, project=project)
    return {
        "knowledge_project": project,
        "knowledge_accepted": links["accepted"],
        "knowledge_suggested": links["suggested"],
        "knowledge_can_decide": can(request.user, "decide_links", project),
    }


@login_required
@require_POST
def link_decide(request: AuthenticatedRequest, pk: int, decision: str) -> HttpResponse:
    """Accept or dismiss a suggestion; an htmx request gets the refreshed fragment, others a redirect."""
    from backend.knowledge.models import ArticleLink

    link = visible_to(request.user, ArticleLink.objects.select_related("project")).filter(pk=pk).first()
    if link is None:
        raise Http404(_("No such link."))
    htmx = bool(request.headers.get("HX-Request"))
    with refused(request, message=not htmx) as refusal:
        services.link_decide(link_id=pk, actor=request.user, decision=decision)
    if htmx and refusal.refusal is not None:
        return HttpResponse(refusal.refusal.message, status=refusal.status)
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_project_links.html", project_links_context(request, link.project))
    return redirect(_back(request, reverse("projects:detail", args=[link.project_id])))
