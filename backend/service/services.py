"""Writes on service requests (工单): log one (routing rules pick the engineer), edit it, assign it, move it
through its states (one event each, refusals are 409 naming the state), add notes and files, link the
knowledge article that solved it, and the knowledge base's view of a resolved request as a proposal source.
The SLA clocks move with the states (``backend.service.sla``); closing issues the satisfaction survey
(``backend.service.survey``). Reads live in ``selectors``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import User
from backend.core.errors import NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from backend.core.notifications import notify
from backend.core.permissions import can, require, visible_to
from backend.core.services import sequence_next
from backend.core.uploads import check_upload
from backend.customers.models import Contact, Customer
from backend.knowledge.models import Article
from backend.projects.models import Project
from backend.service import sla
from backend.service.choices import Category, Channel, RequestStatus, ServicePriority
from backend.service.models import RequestAttachment, RequestEvent, RequestNote, ServiceRequest
from backend.service.selectors import coverage_of
from backend.service.survey import survey_issue
from workflows.routing.services import routing_assign

S = RequestStatus
MAX_FILES = 10

# notification texts (registered with core.notifications in AppConfig.ready)
MESSAGES = {
    "service_assigned": gettext_lazy("Service request %(code)s (%(customer)s) was assigned to you: %(subject)s."),
    "service_transition": gettext_lazy("Service request %(code)s is now %(state)s (%(actor)s)."),
}

# Transitions users call by name; assigning has its own service (it names the engineer).
USER_TRANSITIONS = ("start", "wait_for_customer", "resolve", "close", "reopen")
TRANSITION_LABELS = {
    "assign": gettext_lazy("Assign"),
    "start": gettext_lazy("Start work"),
    "wait_for_customer": gettext_lazy("Wait for the customer"),
    "resolve": gettext_lazy("Resolve"),
    "close": gettext_lazy("Close the request"),
    "reopen": gettext_lazy("Reopen"),
}
EDITABLE_FIELDS = (
    "subject",
    "description",
    "contact",
    "caller_name",
    "caller_phone",
    "project",
    "product",
    "channel",
    "category",
    "priority",
)


def _code() -> str:
    year = timezone.localdate().year
    return f"SR-{year}-{sequence_next(key=f'service-{year}'):05d}"


def _url(request: ServiceRequest) -> str:
    return f"/service/{request.pk}/"


def _event(
    request: ServiceRequest, *, name: str, source: str, actor: User, comment: str = "", when: datetime | None = None
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        transition=name,
        source=source,
        target=request.status,
        actor=actor,
        comment=comment,
        created_at=when or timezone.now(),
    )


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        message = _("Unknown %(field)s %(value)s.") % {"field": field, "value": value}
        raise ValidationFailed(message, fields={field: [message]}, code=f"unknown_{field}")
    return value


def _check(actor: User, request: ServiceRequest) -> None:
    """The request's links hold together: contact and project of its customer, and nothing the actor cannot see."""
    request.subject = (request.subject or "").strip()
    if not request.subject:
        message = _("A service request needs a subject.")
        raise ValidationFailed(message, fields={"subject": [message]}, code="subject_required")
    if len(request.subject) > 200:
        message = _("The subject is at most 200 characters.")
        raise ValidationFailed(message, fields={"subject": [message]}, code="subject_too_long")
    _choice(request.channel, Channel, "channel")
    _choice(request.category, Category, "category")
    _choice(request.priority, ServicePriority, "priority")
    if not can(actor, "view", request.customer):
        message = _("You cannot log a request for a customer you cannot see.")
        raise ValidationFailed(message, fields={"customer": [message]}, code="customer_not_visible")
    if request.contact is not None and request.contact.customer_id != request.customer_id:
        message = _("Contact %(contact)s is not a contact of %(customer)s.") % {
            "contact": request.contact.name,
            "customer": request.customer.name,
        }
        raise ValidationFailed(message, fields={"contact": [message]}, code="contact_of_other_customer")
    if request.project is not None and request.project.customer_id != request.customer_id:
        message = _("Project %(project)s is not a project of %(customer)s.") % {
            "project": request.project.code,
            "customer": request.customer.name,
        }
        raise ValidationFailed(message, fields={"project": [message]}, code="project_of_other_customer")


def _assignee_ok(assignee: User) -> None:
    if not assignee.is_active:
        message = _("%(user)s is no longer active and cannot take requests.") % {"user": assignee}
        raise ValidationFailed(message, fields={"assignee": [message]}, code="assignee_inactive")


def _notify_assignee(request: ServiceRequest, actor: User) -> None:
    if request.assignee_id is None:
        return
    notify(
        recipients=[request.assignee_id],
        kind="service_assigned",
        params={"code": request.code, "customer": request.customer.name, "subject": request.subject},
        url=_url(request),
        exclude=actor,
    )


@transaction.atomic
def request_create(
    *,
    actor: User,
    customer: Customer,
    subject: str,
    description: str = "",
    contact: Contact | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    project: Project | None = None,
    product: str = "",
    channel: str = Channel.HOTLINE,
    category: str = Category.OTHER,
    priority: str = ServicePriority.NORMAL,
    assignee: User | None = None,
    now: datetime | None = None,
) -> ServiceRequest:
    """Log a request. Without an assignee, the routing rules for service requests pick one (by category,
    region, industry, product, customer); when none matches, the request waits unassigned in its category's
    queue. The SLA clocks start at ``now``; the project's warranty decides whether the work is covered."""
    now = now or timezone.now()
    request = ServiceRequest(
        code="pending",
        customer=customer,
        subject=subject,
        description=(description or "").strip(),
        contact=contact,
        caller_name=(caller_name or "").strip()[:100],
        caller_phone=(caller_phone or "").strip()[:30],
        project=project,
        product=(product or "").strip()[:100],
        channel=channel,
        category=category,
        priority=priority,
        created_by=actor,
    )
    _check(actor, request)
    if assignee is not None:
        require(actor, "assign", request, _("Only the service desk assigns requests."))
        _assignee_ok(assignee)
    else:
        values = {
            "category": category,
            "region": customer.region,
            "industry": customer.industry,
            "product": request.product,
            "customer": customer.pk,
        }
        decision = routing_assign(target="service_request", values=values, project=project)
        assignee = decision.user
        request.routing_rule = decision.rule
    request.coverage, request.warranty_ends_on = coverage_of(project, now.date())
    request.save()
    ServiceRequest.objects.filter(pk=request.pk).update(code=_code(), created_at=now, status_changed_at=now)
    request.refresh_from_db()
    sla.sla_start(request, now)
    request.save()
    _event(request, name="create", source="", actor=actor, when=now)
    if assignee is not None:
        _assign(request, assignee=assignee, actor=actor, now=now)
    return request


def _locked(request_id: int) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("customer").get(pk=request_id)


@transaction.atomic
def request_update(*, actor: User, request: ServiceRequest, now: datetime | None = None, **data: Any) -> ServiceRequest:
    """Change the editable fields; a new priority or customer tier resets the SLA targets (the clocks keep
    the time already used), a new project re-decides the warranty coverage."""
    now = now or timezone.now()
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        message = _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)}
        raise ValidationFailed(message, code="not_editable")
    request = _locked(request.pk)
    require(actor, "change", request, _("You may not change service request %(code)s.") % {"code": request.code})
    if request.status == S.CLOSED:
        raise TransitionRefused(
            _("Service request %(code)s is closed; reopen it to change it.") % {"code": request.code},
            extra={"status": request.status},
        )
    before = (request.priority, request.project_id)
    for name, value in data.items():
        setattr(request, name, value.strip() if isinstance(value, str) else value)
    _check(actor, request)
    if request.project_id != before[1]:
        request.coverage, request.warranty_ends_on = coverage_of(
            request.project, timezone.localdate(request.created_at)
        )
    if request.priority != before[0]:
        sla.sla_start(request, now)
    request.save()
    return request


def _assign(request: ServiceRequest, *, assignee: User, actor: User, now: datetime, comment: str = "") -> None:
    source = request.status
    request.assignee = assignee
    name = "reassign"
    if request.status == S.NEW:
        request.assign()
        request.status_changed_at = now
        name = "assign"
    request.save()
    _event(request, name=name, source=source, actor=actor, comment=comment or str(assignee), when=now)
    _notify_assignee(request, actor)


@transaction.atomic
def request_assign(
    *, actor: User, request: ServiceRequest, assignee: User, comment: str = "", now: datetime | None = None
) -> ServiceRequest:
    """Give the request to ``assignee`` (the service desk only); a new request becomes assigned."""
    request = _locked(request.pk)
    require(actor, "assign", request, _("Only the service desk assigns requests."))
    if request.status in (S.RESOLVED, S.CLOSED):
        raise TransitionRefused(
            _("Service request %(code)s is %(state)s; reopen it before assigning it.")
            % {"code": request.code, "state": S(request.status).label},
            extra={"status": request.status},
        )
    _assignee_ok(assignee)
    if request.assignee_id == assignee.pk:
        return request
    _assign(request, assignee=assignee, actor=actor, now=now or timezone.now(), comment=comment)
    return request


def _refuse(request: ServiceRequest, message: str) -> TransitionRefused:
    return TransitionRefused(
        _("Service request %(code)s is %(state)s: %(message)s")
        % {"code": request.code, "state": S(request.status).label, "message": message},
        extra={"status": request.status},
    )


def _sources(name: str) -> str:
    transition = next(t for t in ServiceRequest().get_all_status_transitions() if t.name == name)
    sources = transition.source if isinstance(transition.source, list | tuple | set) else [transition.source]
    return "、".join(str(S(s).label) for s in S if s in {str(x) for x in sources}) or "-"


@transaction.atomic
def request_transition(
    *,
    actor: User,
    request_id: int,
    name: str,
    comment: str = "",
    solution: str = "",
    now: datetime | None = None,
) -> ServiceRequest:
    """Move a request: start (also resumes after waiting), wait_for_customer (the clocks pause), resolve (needs
    the solution; stops the clocks), close (sends the survey), reopen. Refusals are 409 naming the state."""
    now = now or timezone.now()
    request = _locked(request_id)
    if name == "assign":
        raise ValidationFailed(_("Assign a request with its assignee, not as a plain transition."), code="use_assign")
    if name not in USER_TRANSITIONS:
        raise ValidationFailed(_("Unknown transition '%(name)s'.") % {"name": name}, code="unknown_transition")
    label = TRANSITION_LABELS[name]
    allowed = [t.name for t in request.get_available_status_transitions()]
    if name not in allowed:
        raise _refuse(
            request, _("'%(name)s' is only possible from %(sources)s.") % {"name": label, "sources": _sources(name)}
        )
    require(actor, "transition", request, _("You may not move service request %(code)s.") % {"code": request.code})
    if name in ("start", "wait_for_customer", "resolve") and request.assignee_id is None:
        raise _refuse(request, _("assign it to an engineer first."))
    solution = (solution or "").strip()
    if name == "resolve":
        solution = solution or request.solution
        if not solution:
            raise _refuse(request, _("describe the solution before resolving it."))
        request.solution = solution
    source = request.status
    getattr(request, name)()
    request.status_changed_at = now
    if name == "start":
        sla.sla_resume(request, now)
        sla.sla_first_response(request, now)
    elif name == "wait_for_customer":
        sla.sla_first_response(request, now)
        sla.sla_pause(request, now)
    elif name == "resolve":
        sla.sla_resolve(request, now)
    elif name == "close":
        request.closed_at = now
    elif name == "reopen":
        request.closed_at = None
        sla.sla_reopen(request, now)
    request.save()
    _event(request, name=name, source=source, actor=actor, comment=comment, when=now)
    if name == "close":
        survey_issue(request=request, now=now)
    watchers = {request.assignee_id, request.created_by_id} - {None}
    notify(
        recipients=sorted(watchers),
        kind="service_transition",
        params={"code": request.code, "state": S(request.status).label, "actor": actor},
        url=_url(request),
        exclude=actor,
    )
    return request


@transaction.atomic
def request_note_add(
    *, actor: User, request: ServiceRequest, body: str, public: bool = False, now: datetime | None = None
) -> RequestNote:
    """A note on the work; the first reply to the customer (``public``) is the first response."""
    now = now or timezone.now()
    request = _locked(request.pk)
    require(actor, "change", request, _("You may not add notes to service request %(code)s.") % {"code": request.code})
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(_("A note needs some text."), fields={"body": [_("required")]}, code="empty_note")
    if request.status == S.CLOSED:
        raise _refuse(request, _("reopen it to add notes."))
    note = RequestNote.objects.create(request=request, author=actor, body=text, public=public, created_at=now)
    if public and request.first_response_at is None:
        sla.sla_first_response(request, now)
        request.save()
    return note


@transaction.atomic
def request_attach(*, actor: User, request: ServiceRequest, name: str, data: bytes) -> RequestAttachment:
    """Attach a file (the same content checks as every upload)."""
    request = _locked(request.pk)
    require(
        actor, "change", request, _("You may not attach files to service request %(code)s.") % {"code": request.code}
    )
    if request.attachments.count() >= MAX_FILES:
        message = _("At most %(max)s files can be attached to one request.") % {"max": MAX_FILES}
        raise ValidationFailed(message, fields={"file": [message]}, code="too_many_files")
    sniffed = check_upload(name=name, data=data)
    attachment = RequestAttachment(
        request=request,
        name=Path(name).name[:255] or "file",
        content_type=sniffed.content_type,
        size=len(data),
        uploaded_by=actor,
    )
    attachment.file.save(f"{Path(attachment.name).stem[:80] or 'file'}.{sniffed.kind}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def request_link_article(*, actor: User, request: ServiceRequest, article: Article | None) -> ServiceRequest:
    """Record the knowledge article that solved the request (None unlinks it)."""
    request = _locked(request.pk)
    require(actor, "change", request, _("You may not change service request %(code)s.") % {"code": request.code})
    if article is not None and not can(actor, "view", article):
        message = _("You cannot link an article you cannot see.")
        raise ValidationFailed(message, fields={"article": [message]}, code="article_not_visible")
    request.article = article
    request.save(update_fields=["article", "updated_at"])
    _event(
        request,
        name="link_article" if article else "unlink_article",
        source=request.status,
        actor=actor,
        comment=article.title if article else "",
    )
    return request


# --- the knowledge base's view of a request (registered as a proposal source in apps.py) -----------------


def request_proposal_source(*, actor: User, object_id: int) -> dict[str, Any]:
    """What proposing a resolved request to the knowledge base copies: the problem and its solution, with a
    link back to its project."""
    requests = visible_to(actor, ServiceRequest.objects.select_related("customer", "project"))
    request = requests.filter(pk=object_id).first()
    if request is None:
        raise NotFound(_("No such service request."))
    if request.status not in (S.RESOLVED, S.CLOSED):
        raise _refuse(request, _("only a resolved request can be proposed to the knowledge base."))
    if not can(actor, "change", request):
        raise PermissionDenied(_("You may not propose service request %(code)s.") % {"code": request.code})
    first = request.attachments.order_by("pk").first()
    body = "\n\n".join(
        part
        for part in (
            f"## {_('Problem')}\n\n{request.description or request.subject}",
            f"## {_('Solution')}\n\n{request.solution}",
        )
    )
    return {
        "project": request.project,
        "industry": request.customer.industry,
        "title": request.subject,
        "summary": _("From service request %(code)s (%(category)s, %(customer)s).")
        % {"code": request.code, "category": Category(request.category).label, "customer": request.customer.name},
        "body": body,
        "file": (first.name, first.file) if first else None,
    }
