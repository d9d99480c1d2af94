"""What each app contributes to the search index (NetBox-style): a ``SearchIndex`` per document type,
registered from the app's ``search.py`` with ``@register``.

A ``SearchIndex`` says which rows are indexed (``queryset``), how a row becomes a ``SearchDocument``
(``document``, with the visibility terms that decide who may see it), which terms a user holds for this
type (``principals``: mirrors the app's rule in ``backend.core.permissions``), and which changes of
related rows must re-index it (``watches``). Visibility terms are namespaced by type here, so one type's
terms can never open another type's documents.

This module must not write to the index or the database; ``queue`` and ``services`` do.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.module_loading import module_has_submodule
from django.utils.translation import override

from backend.search.documents import SearchDocument

if TYPE_CHECKING:
    from backend.accounts.models import User

ALL = "*"


@dataclass(frozen=True)
class Watch:
    """Re-index ``pks(instance)`` of this index when a ``model`` row is saved or deleted; when ``fields`` is
    given, a save with ``update_fields`` naming none of them is ignored (e.g. a login's last_login)."""

    model: type[models.Model] | str
    pks: Callable[[Any], Iterable[int]]
    fields: frozenset[str] | None = None


@dataclass(frozen=True)
class M2MWatch:
    """Re-index on a many-to-many change: ``pks(instance, reverse, pk_set)`` returns the pks to re-index."""

    through: Callable[[], type[models.Model]]
    pks: Callable[[Any, bool, set[int] | None], Iterable[int]]


class SearchIndex:
    """Describe one document type. Subclasses set ``type``, ``model`` and ``label`` and implement
    ``document`` and ``principals``."""

    type: ClassVar[str]
    model: ClassVar[builtins.type[models.Model]]  # ``type`` here is the attribute above
    label: ClassVar[Any] = ""
    watches: ClassVar[tuple[Watch | M2MWatch, ...]] = ()
    # a boolean field that bulk updates set (see Article.objects.update); the periodic flush indexes those rows
    dirty_field: ClassVar[str] = ""

    def queryset(self) -> models.QuerySet:
        """Every row that may be indexed, with what ``document`` needs fetched in a few queries."""
        return self.model._default_manager.all()

    def context(self) -> Any:
        """Whatever ``document`` needs for every row (e.g. the category tree), read once per batch."""
        return None

    def document(self, obj: Any, context: Any) -> SearchDocument | None:
        """The document for ``obj``, or None when it must not be in the index (e.g. a draft)."""
        raise NotImplementedError

    def principals(self, user: User) -> Iterable[str] | None:
        """The visibility terms ``user`` holds for this type; None when the user sees every row of it."""
        raise NotImplementedError

    # --- helpers used by services ---------------------------------------------------------------------

    def documents(self, pks: Iterable[int]) -> dict[int, SearchDocument | None]:
        """pk → document (None: delete from the index) for ``pks``."""
        wanted = set(pks)
        found: dict[int, SearchDocument | None] = dict.fromkeys(wanted)
        if not wanted:
            return found
        context = self.context()
        with override(settings.LANGUAGE_CODE):  # documents must not depend on the caller's language
            for obj in self.queryset().filter(pk__in=wanted):
                found[obj.pk] = self.finish(self.document(obj, context))
        return found

    def finish(self, doc: SearchDocument | None) -> SearchDocument | None:
        """Namespace the visibility terms by type and add the see-everything term."""
        if doc is None:
            return None
        doc.acl = sorted({f"{self.type}:{t}" for t in doc.acl} | {f"{self.type}:{ALL}"})
        return doc

    def iter_documents(self, chunk_size: int = 500) -> Iterable[SearchDocument]:
        """Every document of this type, read in chunks of ``chunk_size`` (prefetches apply per chunk)."""
        context = self.context()
        for obj in self.queryset().order_by("pk").iterator(chunk_size=chunk_size):
            with override(settings.LANGUAGE_CODE):
                doc = self.finish(self.document(obj, context))
            if doc is not None:
                yield doc

    def user_terms(self, user: User) -> set[str]:
        found = self.principals(user)
        if found is None:
            return {f"{self.type}:{ALL}"}
        return {f"{self.type}:{t}" for t in found}


_indexes: dict[str, SearchIndex] = {}
_listeners: list[Callable[[dict[str, set[int]]], None]] = []
_discovered = False


def register(cls: type[SearchIndex]) -> type[SearchIndex]:
    """Class decorator: add a ``SearchIndex`` to the registry (one per type)."""
    _indexes[cls.type] = cls()
    return cls


def get_index(type_: str) -> SearchIndex:
    autodiscover()
    return _indexes[type_]


def indexes() -> list[SearchIndex]:
    autodiscover()
    return list(_indexes.values())


def index_for_model(model: type[models.Model]) -> SearchIndex | None:
    autodiscover()
    for index in _indexes.values():
        if index.model is model:
            return index
    return None


def autodiscover() -> None:
    """Import ``search.py`` of every installed app (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "search"):
            import_module(f"{config.name}.search")


def on_indexed(listener: Callable[[dict[str, set[int]]], None]) -> None:
    """Call ``listener({type: pks})`` after documents were written or deleted (e.g. to recompute links)."""
    if listener not in _listeners:
        _listeners.append(listener)


def notify_indexed(changed: dict[str, set[int]]) -> None:
    for listener in list(_listeners):
        listener(changed)


def user_acl(user: User) -> list[str] | None:
    """The visibility terms of ``user`` over every type; None for a superuser (no filter); [] for an
    inactive or anonymous user (sees nothing)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    terms: set[str] = set()
    for index in indexes():
        terms |= index.user_terms(user)
    return sorted(terms)


@dataclass(frozen=True)
class FacetSource:
    """How to show a facet's values (``labels``: values → labels) and read a filter given by name
    (``resolve``: a name or id as typed → the indexed value, or "" when unknown)."""

    labels: Callable[[list[str]], dict[str, str]]
    resolve: Callable[[str], str] | None = None


_facet_sources: dict[str, FacetSource] = {}


def register_facet(name: str, source: FacetSource) -> None:
    _facet_sources[name] = source


def facet_source(name: str) -> FacetSource | None:
    autodiscover()
    return _facet_sources.get(name)
