"""Saving and deleting a user's named filters of a list page (``backend.core.lists``). Thin: the services
decide, a refusal becomes a message on the list, which opens again with the filter the user had."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.core import services
from backend.core.lists import LISTS, clean_query
from backend.core.refusals import refused


def _list_url(list_key: str, query: str) -> str:
    spec = LISTS.get(list_key)
    if spec is None:
        raise Http404(_("There is no such list."))
    query = clean_query(query)
    return reverse(spec.url_name) + (f"?{query}" if query else "")


@login_required
@require_POST
def saved_filter_save(request: HttpRequest, list_key: str) -> HttpResponse:
    query = request.POST.get("query", "")
    back = _list_url(list_key, query)
    with refused(request, heading=_("The filter was not saved.")):
        saved = services.saved_filter_create(
            user=request.user, list_key=list_key, name=request.POST.get("name", ""), query=query
        )
        messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(back)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, list_key: str, pk: int) -> HttpResponse:
    back = _list_url(list_key, request.POST.get("query", ""))
    with refused(request):
        saved = services.saved_filter_delete(user=request.user, pk=pk)
        messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect(back)
