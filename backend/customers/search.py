"""What customers contribute to search: name, address, notes and the contacts (name, title, phone, e-mail,
decision role: a salesperson types a phone number or a person's name to find the customer), with the
visibility terms that mirror
``backend.customers.visibility.customer_q``: ``u:<user>`` for the owner and every member of a project for
the customer, ``h:<department>`` for the owner's department (a user holds ``h:`` for every department they
head and those below). The see-all roles see every customer."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from backend.accounts.choices import SEE_ALL_ROLES
from backend.accounts.selectors import headed_department_ids
from backend.customers.models import Contact, Customer
from backend.search.documents import SearchDocument
from backend.search.registry import SearchIndex, Watch, register


def _member_customer(member: Any) -> list[int]:
    project = apps.get_model("projects", "Project")  # by name: customers sit below projects
    return list(project.objects.filter(pk=member.project_id).values_list("customer_id", flat=True))


@register
class CustomerIndex(SearchIndex):
    type = "customer"
    model = Customer
    label = _("Customers")
    dirty_field = "search_dirty"
    watches = (
        Watch(Contact, lambda c: [c.customer_id]),
        Watch("projects.ProjectMember", _member_customer),
        Watch("projects.Project", lambda p: [p.customer_id]),
        Watch(
            "accounts.User",
            lambda u: Customer.objects.filter(owner=u).values_list("pk", flat=True),
            fields=frozenset({"department"}),
        ),
    )

    def queryset(self):
        return Customer.objects.select_related("owner").prefetch_related("projects__members", "contacts")

    def document(self, obj: Customer, context: Any) -> SearchDocument:
        users = {obj.owner_id}
        for project in obj.projects.all():
            users |= {m.user_id for m in project.members.all()}
        acl = {f"u:{pk}" for pk in users}
        if obj.owner.department_id:
            acl.add(f"h:{obj.owner.department_id}")
        return SearchDocument(
            type=self.type,
            pk=obj.pk,
            title=obj.name,
            body="\n".join(p for p in [obj.address, obj.notes, *(contact_line(c) for c in obj.contacts.all())] if p),
            keywords_text=" ".join(contact_keywords(c) for c in obj.contacts.all()),
            url=reverse("customers:detail", args=[obj.pk]),
            subtitle=obj.address,
            industry=obj.industry,
            acl=sorted(acl),
            date=obj.updated_at,
        )

    def principals(self, user) -> set[str] | None:
        if user.has_role(*SEE_ALL_ROLES):
            return None
        return {f"u:{user.pk}"} | {f"h:{pk}" for pk in headed_department_ids(user)}


def contact_line(contact: Contact) -> str:
    """One contact as a line of the customer's document: 张伟 信息中心主任 决策者 138… zhang@…"""
    parts = [contact.name, contact.title, contact.get_decision_role_display(), contact.phone, contact.email]
    return " ".join(str(p) for p in parts if p)


def contact_keywords(contact: Contact) -> str:
    """The contact's name, the phone's digits alone (138-1234-5678 is also found as 13812345678) and the
    decision role in every language of the site (决策者 finds it as well as Decision maker)."""
    digits = re.sub(r"\D", "", contact.phone)
    roles = []
    for language, _name in settings.LANGUAGES:
        with override(language):
            roles.append(str(contact.get_decision_role_display()))
    parts = [contact.name, digits if digits != contact.phone else "", *dict.fromkeys(roles)]
    return " ".join(p for p in parts if p)
