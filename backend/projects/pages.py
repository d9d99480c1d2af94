"""What every page about one project starts with: the project, if the user may see it (404 otherwise)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from backend.accounts.http import acting_user
from backend.projects import selectors
from backend.projects.models import Project


def project_or_404(request: HttpRequest, pk: int) -> Project:
    try:
        return selectors.project_get_visible(user=acting_user(request), pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None
