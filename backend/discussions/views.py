"""Pages of the discussion board: the board on the project page (a tab) and on the tender page (a section), the
thread page (posts, reply with quote, files; opening it marks it read), starting a thread, editing a post, its
edit history, attaching a file and downloading one. Thin: selectors read, services write; a refusal is shown on
the page (400/409) and what the user may not see is the 404 page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.core.errors import NotFound
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused
from backend.discussions import selectors, services
from backend.discussions.forms import AttachmentForm, PostEditForm, PostForm, ThreadForm
from backend.discussions.models import Post, Thread
from backend.projects.models import Project
from backend.tenders.models import Tender

BOARD_LIMIT = 50  # threads listed on a board; the heading still counts them all


def _files(form: Any) -> list[tuple[str, bytes]]:
    upload = form.cleaned_data.get("file")
    return [(upload.name, upload.read())] if upload else []


def _board(request: AuthenticatedRequest, *, project: Project | None = None, tender: Tender | None = None) -> dict:
    owner = {"project_id": project.pk} if project else {"tender_id": tender.pk if tender else None}
    threads = selectors.thread_list(user=request.user, **owner)
    listed = list(threads[:BOARD_LIMIT])
    unread = selectors.unread_posts(user=request.user, **owner)
    board = {
        "threads": listed,
        "thread_count": threads.count(),  # always asked, so the page's query count does not depend on the data
        "form": ThreadForm(prefix="thread"),
        "unread_posts": unread,
        "action": reverse("discussions:new-on-project", args=[project.pk])
        if project
        else reverse("discussions:new-on-tender", args=[tender.pk if tender else 0]),
    }
    return {"board": board, "unread_posts": unread}


def project_threads_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """The "discussions" tab of the project page."""
    return _board(request, project=project)


def project_unread_badge(request: AuthenticatedRequest, project: Project) -> int:
    """The unread posts the "discussions" tab's label shows, whichever tab is open (one query)."""
    return selectors.unread_posts(user=request.user, project_id=project.pk)


def tender_threads_context(request: AuthenticatedRequest, tender: Tender) -> dict[str, Any]:
    """The discussion section of the tender page."""
    return _board(request, tender=tender)


def _thread_or_404(request: AuthenticatedRequest, pk: int) -> Thread:
    try:
        return selectors.thread_detail(user=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such discussion.")) from None


def _post_or_404(request: AuthenticatedRequest, pk: int) -> Post:
    try:
        return selectors.post_detail(user=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such post.")) from None


def _render_thread(
    request: AuthenticatedRequest, thread: Thread, *, form: PostForm | None = None, status: int = 200
) -> HttpResponse:
    posts = list(selectors.post_list(user=request.user, thread=thread))
    read_upto = getattr(thread, "read_upto", 0) or 0
    for post in posts:
        post.unread = post.pk > read_upto and post.author_id != request.user.pk  # type: ignore[attr-defined]
    if posts and status == 200 and posts[-1].pk > read_upto:  # opening the thread marks it read (a write only if due)
        services.thread_mark_read(user=request.user, thread_id=thread.pk, up_to=posts[-1].pk)
    quote_id = request.GET.get("quote", "")
    if form is None:
        form = PostForm(prefix="reply", initial={"quote": int(quote_id)} if quote_id.isdigit() else {})
    quoting = next((p for p in posts if str(p.pk) == str(form["quote"].value() or "")), None)
    context = {
        "thread": thread,
        "posts": posts,
        "form": form,
        "quoting": quoting,
        "can_post": can(request.user, "post", thread),
        "attachment_form": AttachmentForm(prefix="attachment"),
    }
    return render(request, "discussions/thread.html", context, status=status)


@login_required
@require_GET
def thread_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_thread(request, _thread_or_404(request, pk))


@login_required
@require_POST
def thread_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    thread = _thread_or_404(request, pk)
    form = PostForm(request.POST, request.FILES, prefix="reply")
    if form.is_valid():
        with refused(request, form=form, fields={"files": "file"}) as refusal:
            post = services.post_create(
                actor=request.user,
                thread_id=thread.pk,
                body=form.cleaned_data["body"],
                quote_id=form.cleaned_data.get("quote"),
                files=_files(form),
            )
            return redirect(services.thread_url(thread, post))
        return _render_thread(request, thread, form=form, status=refusal.status)
    return _render_thread(request, thread, form=form, status=400)


def _owner_or_404(request: AuthenticatedRequest, *, project_id: int | None, tender_id: int | None) -> Any:
    if project_id is not None:
        owner = visible_to(request.user, Project.objects.filter(pk=project_id)).first()
    else:
        owner = visible_to(request.user, Tender.objects.filter(pk=tender_id or 0)).first()
    if owner is None:
        raise Http404(_("No such project or tender."))
    return owner


@login_required
@require_http_methods(["GET", "POST"])
def thread_new(
    request: AuthenticatedRequest, project_id: int | None = None, tender_id: int | None = None
) -> HttpResponse:
    """Start a discussion on a project's or tender's board."""
    owner = _owner_or_404(request, project_id=project_id, tender_id=tender_id)
    status = 200
    form = ThreadForm(request.POST or None, request.FILES or None, prefix="thread")
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with refused(request, form=form, fields={"files": "file"}) as refusal:
                thread = services.thread_create(
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    project_id=project_id,
                    tender_id=tender_id,
                    files=_files(form),
                )
                messages.success(request, _("Discussion started: %(title)s.") % {"title": thread.title})
                return redirect(services.thread_url(thread))
            status = refusal.status
    context = {"form": form, "project": owner if project_id else None, "tender": owner if tender_id else None}
    return render(request, "discussions/thread_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Edit one's own post; the previous text stays in its history."""
    post = _post_or_404(request, pk)
    if not can(request.user, "change", post):
        messages.error(request, _("Only the author of a post may edit it."))
        return redirect(services.thread_url(post.thread, post))
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with refused(request, form=form) as refusal:
                services.post_update(actor=request.user, post_id=post.pk, body=form.cleaned_data["body"])
                messages.success(request, _("Post saved; the previous text is kept in its history."))
                return redirect(services.thread_url(post.thread, post))
            status = refusal.status
    return render(request, "discussions/post_edit.html", {"post": post, "form": form}, status=status)


@login_required
@require_GET
def post_history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    revisions = list(selectors.post_history(user=request.user, post=post))
    return render(request, "discussions/post_history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(services.thread_url(post.thread, post))
    upload = form.cleaned_data["file"]
    with refused(request):
        services.post_attachment_add(actor=request.user, post_id=post.pk, name=upload.name, data=upload.read())
        messages.success(request, _("File attached: %(name)s.") % {"name": upload.name})
    return redirect(services.thread_url(post.thread, post))


@login_required
@require_GET
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    try:
        attachment = selectors.attachment_detail(user=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such file.")) from None
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError):
        raise Http404(_("The file is missing.")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
