"""Activity pages: the team calendar (month grid, week, agenda; a department view for heads), an activity
with its complete / cancel / reopen buttons, the create and edit forms, the project tab with its quick add,
the calendar-feed settings and the iCalendar feed itself. Thin: selectors read, services write."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts.http import AuthenticatedRequest
from backend.activities import selectors, services
from backend.activities.forms import ActivityForm, CompleteForm
from backend.activities.ical import feed_bytes
from backend.activities.models import Activity, CalendarFeed
from backend.core.bounds import date_outside
from backend.core.permissions import can, visible_to
from backend.core.refusals import refused, safe_back
from backend.projects.models import Project

VIEWS = ("month", "week", "agenda")
AGENDA_DAYS = 30


def _anchor(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()
    return timezone.localdate() if date_outside(day) else day


@login_required
def calendar_page(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "month"
    anchor = _anchor(request)
    is_head = bool(selectors.department_people_ids(user=user))
    department = request.GET.get("scope") == "department" and is_head
    if view == "month":
        weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)
        start, end = weeks[0][0], weeks[-1][-1]
        previous = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        following = (anchor.replace(day=28) + timedelta(days=4)).replace(day=1)
    elif view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=6)
        weeks = [[start + timedelta(days=i) for i in range(7)]]
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
    else:
        start, end = anchor, anchor + timedelta(days=AGENDA_DAYS - 1)
        weeks = []
        previous, following = anchor - timedelta(days=AGENDA_DAYS), anchor + timedelta(days=AGENDA_DAYS)
    entries = selectors.calendar_entries(user=user, start=start, end=end, department=department)
    by_day: dict[date, list[selectors.Entry]] = {}
    for entry in entries:
        by_day.setdefault(timezone.localdate(entry.start), []).append(entry)
    context = {
        "view": view,
        "department": department,
        "is_head": is_head,
        "anchor": anchor,
        "today": timezone.localdate(),
        "start": start,
        "end": end,
        "previous": previous,
        "following": following,
        "grid": [[{"day": day, "entries": by_day.get(day, [])} for day in week] for week in weeks],
        "agenda": [(day, by_day[day]) for day in sorted(by_day)],
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "activities/calendar.html", context)


def _activity_or_404(request: AuthenticatedRequest, pk: int) -> Activity:
    return get_object_or_404(selectors.activity_list_visible(user=request.user), pk=pk)


@login_required
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    context = {
        "activity": activity,
        "can_change": can(request.user, "change", activity),
        "can_complete": can(request.user, "complete", activity),
        "complete_form": CompleteForm(),
    }
    return render(request, "activities/detail.html", context)


def _form_data(form: ActivityForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for name in ("customer", "contact", "project"):
        data.setdefault(name, None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: AuthenticatedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"starts_at": timezone.localtime().replace(minute=0, second=0, microsecond=0)}
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            activity = services.activity_create(actor=request.user, **_form_data(form))
            messages.success(request, _("Activity %(subject)s created.") % {"subject": activity.subject})
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": None}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    if not can(request.user, "change", activity):
        raise Http404
    initial = {
        "kind": activity.kind,
        "subject": activity.subject,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at) if activity.ends_at else None,
        "all_day": activity.all_day,
        "priority": activity.priority,
        "attendees": list(activity.attendees.all()),
        "customer": activity.customer,
        "contact": activity.contact,
        "project": activity.project,
        "notes": activity.notes,
    }
    form = ActivityForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refused(request, form=form):
            services.activity_update(actor=request.user, activity=activity, data=_form_data(form))
            messages.success(request, _("Activity saved."))
            return redirect("activities:detail", pk=activity.pk)
    context = {"form": form, "activity": activity}
    return render(request, "activities/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def activity_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    activity = _activity_or_404(request, pk)
    with refused(request):
        if action == "complete":
            form = CompleteForm(request.POST)
            notes = form.cleaned_data["notes"] if form.is_valid() else ""
            done = services.activity_complete(actor=request.user, activity=activity, notes=notes)
            if done.interaction_id:
                messages.success(request, _("Done; the interaction was recorded on the customer."))
            else:
                messages.success(request, _("Done."))
        elif action == "cancel":
            services.activity_cancel(actor=request.user, activity=activity)
            messages.success(request, _("Activity cancelled."))
        elif action == "reopen":
            services.activity_reopen(actor=request.user, activity=activity)
            messages.success(request, _("Activity reopened."))
        else:
            raise Http404
    return redirect(safe_back(request) or reverse("activities:detail", args=[activity.pk]))


# --- the project tab ----------------------------------------------------------------------------------------


def project_activities_context(request: AuthenticatedRequest, project: Project) -> dict[str, Any]:
    """What ``activities/_project_activities_tab.html`` needs: ``project``, ``activities`` (visible, newest
    first, each with ``may_change``) and the quick-add ``activity_form``."""
    initial = {"starts_at": timezone.localtime().replace(minute=0, second=0, microsecond=0)}
    return {
        "project": project,
        "activities": list(selectors.project_activities(project=project, user=request.user)[:100]),
        "activity_form": ActivityForm(user=request.user, project=project, initial=initial, prefix="activity"),
    }


@login_required
@require_POST
def project_activity_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_to(request.user, Project.objects.all()), pk=pk)
    form = ActivityForm(request.POST, user=request.user, project=project, prefix="activity")
    back = reverse("projects:detail", args=[project.pk]) + "?tab=activities"
    if not form.is_valid():
        messages.error(request, _("The activity was not added: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect(back)
    with refused(request):
        services.activity_create(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("Activity added."))
    return redirect(back)


# --- the calendar feed ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthenticatedRequest) -> HttpResponse:
    """The user's calendar subscription: the secret address, regenerate, revoke."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar address was revoked; subscriptions to it stop."))
        else:
            services.calendar_feed_regenerate(user=request.user)
            messages.success(request, _("A new calendar address was made; the old one no longer works."))
        return redirect("activities:feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("activities:ical", args=[feed.token])) if feed else ""
    return render(request, "activities/feed.html", {"feed": feed, "feed_url": url})


def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of the token's user; no login (the token is the secret); 404 once revoked."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    response = HttpResponse(feed_bytes(user=feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sicrm.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
