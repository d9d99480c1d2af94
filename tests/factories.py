"""factory_boy factories for the whole suite. Tests never depend on demo data."""

from __future__ import annotations

import factory
from django.utils import timezone

from backend.accounts.models import Department, User
from backend.accounts.services import user_set_roles
from backend.customers.identity import CREDIT_CODE_CHARS, credit_code_check_char, normalize_name
from backend.customers.models import Contact, Customer, Interaction


def valid_credit_code(n: int) -> str:
    body = "9111000" + "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(10))
    return body + credit_code_check_char(body)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            user_set_roles(user=self, roles=list(extracted))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户 Customer {n} 有限公司")
    name_key = factory.LazyAttribute(lambda c: normalize_name(c.name))
    credit_code = factory.Sequence(valid_credit_code)
    industry = "finance"
    region = "north"
    owner = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    title = "CIO"
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = "visit"
    occurred_at = factory.LazyFunction(timezone.now)
    summary = factory.Sequence(lambda n: f"Visit {n}")
    author = factory.SelfAttribute("customer.owner")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project created directly (no routing, no checklist); use services.project_create for the full path."""

    class Meta:
        model = "projects.Project"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"P-2026-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"数据中心项目 Data centre project {n}")
    customer = factory.SubFactory(CustomerFactory)
    owner = factory.SubFactory(UserFactory)
    industry = "finance"
    region = "north"
    estimated_amount = 1_000_000

    @factory.post_generation
    def with_owner_member(self, create, extracted, **kwargs):
        if create:
            from backend.projects.models import ProjectMember

            ProjectMember.objects.get_or_create(project=self, user=self.owner, role="owner")


def set_status(project, status: str) -> None:
    """Put a test project in ``status`` directly (bypassing the protected field), for arranging tests."""
    from backend.projects.models import Project

    Project.objects.filter(pk=project.pk).update(status=status)
    project.refresh_from_db()


# --- service desk (satisfaction survey and service report tests) ------------------------------------------


class CsatServiceRequestFactory(factory.django.DjangoModelFactory):
    """A service request created directly in any state with its clocks as given (no services, no SLA clock):
    pass ``created_at`` and it is written after the insert (the field is ``auto_now_add``)."""

    class Meta:
        model = "service.ServiceRequest"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SR-CSAT-{n + 1:05d}")
    subject = factory.Sequence(lambda n: f"服务器故障 Server fault {n}")
    customer = factory.SubFactory(CustomerFactory)
    created_by = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        instance = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class.objects.filter(pk=instance.pk).update(created_at=created_at)
            instance.created_at = created_at
        return instance


class CsatSlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "service.SlaPolicy"
        django_get_or_create = ("tier", "priority")

    tier = ""
    priority = "p3"
    response_hours = 4
    resolution_hours = 16
