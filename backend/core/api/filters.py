"""The API's filter backend: django-filter's, except that a filter on a record the user may not see
answers exactly like a filter on a record that does not exist (an empty list), never "select a valid
choice" — otherwise ``?customer=12`` (hidden) and ``?customer=999`` (missing) would tell the two apart."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

from backend.core.api.fields import MAX_ID
from backend.core.permissions import registered_models


class IdFilter(django_filters.NumberFilter):
    """An id compared in the database, whether or not its row exists or is visible."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _blind(filterset_class: type[django_filters.FilterSet]) -> type[django_filters.FilterSet]:
    filters = {}
    for name, flt in filterset_class.base_filters.items():
        model = getattr(getattr(flt, "extra", {}).get("queryset"), "model", None)
        if (
            isinstance(flt, django_filters.ModelChoiceFilter)
            and not isinstance(flt, django_filters.ModelMultipleChoiceFilter)
            and flt.method is None
            and model in registered_models()
        ):
            flt = IdFilter(field_name=flt.field_name, lookup_expr=flt.lookup_expr, label=flt.label)
        filters[name] = flt
    blind: type[django_filters.FilterSet] = type(filterset_class.__name__, (filterset_class,), {})
    blind.base_filters = filters
    return blind


class VisibilityBlindFilterBackend(DjangoFilterBackend):
    _cache: dict[type, type] = {}

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        if filterset_class not in self._cache:
            self._cache[filterset_class] = _blind(filterset_class)
        return self._cache[filterset_class]
