"""Customer, contact and interaction endpoints. Thin: visibility comes from the base viewset, writes
from the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.serializers import BaseSerializer

from backend.core.api.audit import AuditHistoryMixin
from backend.core.api.viewsets import VisibleModelViewSet
from backend.core.errors import ValidationFailed
from backend.core.permissions import visible_to
from backend.customers import services
from backend.customers.api.serializers import ContactSerializer, CustomerSerializer, InteractionSerializer
from backend.customers.filtersets import ContactFilterSet, CustomerFilterSet, InteractionFilterSet
from backend.customers.models import Contact, Customer, Interaction
from backend.customers.selectors import contact_count

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ContactCount(TypedDict):
    """What ``CustomerViewSet.base_queryset`` annotates (and a created or updated customer is given)."""

    contact_count: int


class CustomerViewSet(AuditHistoryMixin, VisibleModelViewSet):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["name", "industry", "region", "tier", "created_at", "updated_at"]
    ordering = ["name"]

    def base_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.select_related("owner").annotate(contact_count=contact_count())

    def perform_create(self, serializer: BaseSerializer) -> None:
        customer = cast(
            "WithAnnotations[Customer, ContactCount]",
            services.customer_create(actor=self.request.user, **serializer.validated_data),
        )
        customer.contact_count = 0
        serializer.instance = customer

    def perform_update(self, serializer: BaseSerializer) -> None:
        # an update has its instance, read through base_queryset
        instance = cast("WithAnnotations[Customer, ContactCount]", serializer.instance)
        customer = cast(
            "WithAnnotations[Customer, ContactCount]",
            services.customer_update(actor=self.request.user, customer=instance, data=serializer.validated_data),
        )
        customer.contact_count = instance.contact_count
        serializer.instance = customer


class CustomerScopedMixin:
    """Contacts and interactions may only point at customers the user can see."""

    def get_serializer_context(self):
        context = super().get_serializer_context()  # type: ignore[misc]
        context["visible_customers"] = visible_to(self.request.user, Customer.objects.all())  # type: ignore[attr-defined]
        return context


class ContactViewSet(AuditHistoryMixin, CustomerScopedMixin, VisibleModelViewSet):
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.select_related("customer", "customer__owner")

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.contact_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        contact = cast(Contact, serializer.instance)  # an update has its instance
        if data.pop("customer", contact.customer) != contact.customer:
            raise ValidationFailed(
                _("A contact cannot move to another customer; create a new contact there."),
                fields={"customer": [_("cannot be changed")]},
            )
        serializer.instance = services.contact_update(actor=self.request.user, contact=contact, data=data)


class InteractionViewSet(CustomerScopedMixin, VisibleModelViewSet):
    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    ordering_fields = ["occurred_at", "created_at"]
    ordering = ["-occurred_at"]
    http_method_names = ["get", "post", "head", "options"]

    def base_queryset(self) -> QuerySet[Interaction]:
        return Interaction.objects.select_related("customer", "author").prefetch_related("contacts")

    def perform_create(self, serializer: BaseSerializer) -> None:
        serializer.instance = services.interaction_create(actor=self.request.user, **serializer.validated_data)
