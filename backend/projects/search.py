"""What projects contribute to search: code, name, description, customer and competitors, with the
visibility terms that mirror ``backend.projects.visibility.project_q``: ``u:<user>`` for the owner, each
member and each approver of the project's reviews; ``h:<department>`` for the project's and the owner's
department (a user holds ``h:`` for every department they head and those below); ``s:<rule>`` for
each sharing rule the project matches (a user holds ``s:`` for the rules granted to them, their role or their
department; a rule's change marks the projects it matched and matches for re-indexing). The see-all roles
see every project.

Apps above projects add text to the project's document with ``contribute``, from their own ``search.py``
(found by the registry after this one), e.g. bids adds quotation lines and bid opening records: the text
then has the project's visibility, and its ``watches`` re-index the project when those rows change."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.selectors import headed_department_ids
from backend.projects.models import Project, ProjectCompetitor, ProjectMember
from backend.projects.sharing.matching import Scope, scopes_of, user_scopes
from backend.projects.sharing.models import ProjectSharingRule
from backend.search.documents import SearchDocument
from backend.search.registry import M2MWatch, SearchIndex, Watch, register


def _review_step_through():
    from workflows.models import ReviewStep

    return ReviewStep.approvers.through


def _approver_projects(instance: Any, reverse: bool, pk_set: set[int] | None) -> list[int]:
    from workflows.models import ReviewStep

    if not reverse:
        return [instance.review.project_id]
    return list(ReviewStep.objects.filter(pk__in=pk_set or []).values_list("review__project_id", flat=True))


@dataclass(frozen=True)
class Contribution:
    """Text another app adds to each project's document: ``prefetch`` lookups read with the projects (so a
    batch of documents costs the same queries for 5 projects as for 50) and ``text(project)`` → lines of
    the body."""

    prefetch: tuple[str, ...]
    text: Callable[[Project], Iterable[str]]


_contributions: list[Contribution] = []


def contribute(contribution: Contribution, watches: Iterable[Watch | M2MWatch] = ()) -> None:
    """Add ``contribution`` to the project document and re-index the project on ``watches`` (call at import
    of the app's ``search.py``, before the search app connects the signals)."""
    if contribution not in _contributions:
        _contributions.append(contribution)
        ProjectIndex.watches = (*ProjectIndex.watches, *watches)


@register
class ProjectIndex(SearchIndex):
    type = "project"
    model = Project
    label = _("Projects")
    dirty_field = "search_dirty"
    watches: ClassVar[tuple[Watch | M2MWatch, ...]] = (
        Watch(ProjectMember, lambda m: [m.project_id]),
        Watch(ProjectCompetitor, lambda c: [c.project_id]),
        # the tier decides which sharing rules a project matches (a bulk re-ranking calls
        # ``sharing.services.sharing_customers_retiered`` instead)
        Watch(
            "customers.Customer", lambda c: c.projects.values_list("pk", flat=True), fields=frozenset({"name", "tier"})
        ),
        Watch(
            "accounts.User",
            lambda u: Project.objects.filter(owner=u).values_list("pk", flat=True),
            fields=frozenset({"department"}),
        ),
        M2MWatch(_review_step_through, _approver_projects),
    )

    def queryset(self):
        extra = [lookup for c in _contributions for lookup in c.prefetch]
        return Project.objects.select_related("customer", "owner").prefetch_related(
            "members", "competitors__competitor", "reviews__steps__approvers", *extra
        )

    def context(self) -> list[Scope]:
        """Every sharing rule's scope (a small table), read once per batch."""
        return scopes_of(ProjectSharingRule.objects.order_by("pk"))

    def document(self, obj: Project, context: list[Scope]) -> SearchDocument:
        competitors = list(obj.competitors.all())
        # the body is sentences (the snippet shows one); names go to the keywords, weighted, never shown
        body = "\n".join(
            part
            for part in [
                obj.description,
                *(c.solution for c in competitors),
                *(line for contribution in _contributions for line in contribution.text(obj)),
            ]
            if part
        )
        names = [obj.customer.name, *(c.competitor.name for c in competitors)]
        users = {obj.owner_id} | {m.user_id for m in obj.members.all()}
        for review in obj.reviews.all():
            for step in review.steps.all():
                users |= {u.pk for u in step.approvers.all()}
        acl = {f"u:{pk}" for pk in users} | {f"s:{scope.rule_id}" for scope in context if scope.matches(obj)}
        acl |= {f"h:{pk}" for pk in (obj.department_id, obj.owner.department_id) if pk}
        return SearchDocument(
            type=self.type,
            pk=obj.pk,
            title=f"{obj.code} {obj.name}",
            body=body,
            keywords_text=" ".join(dict.fromkeys(n for n in names if n)),
            url=reverse("projects:detail", args=[obj.pk]),
            subtitle=obj.customer.name,
            industry=obj.industry,
            acl=sorted(acl),
            date=obj.updated_at,
        )

    def principals(self, user) -> set[str] | None:
        if user.has_role(*SEE_ALL_ROLES):
            return None
        terms = {f"u:{user.pk}"}
        terms |= {f"h:{pk}" for pk in headed_department_ids(user)}
        terms |= {f"s:{scope.rule_id}" for scope in user_scopes(user)}
        return terms
