"""Base viewsets: every queryset an API viewset serves is filtered by the user's visibility
(``backend.core.permissions.visible_to``), so ``get_object`` answers 404 for what the user may not see.
Writes go through the app's services; serializers only validate shape."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from backend.core.permissions import visible_to


class VisibleQuerysetMixin:
    """Subclasses define ``base_queryset()``; the visibility filter is applied here, once."""

    request: Any

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return visible_to(self.request.user, self.base_queryset())


class VisibleReadOnlyViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class VisibleModelViewSet(
    VisibleQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update; subclasses implement ``perform_create``/``perform_update`` with
    service calls. Deleting is left to the viewsets that need it."""
