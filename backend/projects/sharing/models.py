"""The sharing rule row. Imported by ``backend.projects.models`` (the app's model module); no behaviour here
beyond describing itself — matching lives in ``matching``, writes in ``services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.accounts.choices import Role
from backend.core.choices import Industry, Region
from backend.core.models import TimeStampedModel
from backend.customers.choices import Tier

CRITERIA = ("department", "industry", "region", "customer", "customer_tier")
GRANTEES = ("grantee_department", "grantee_role", "grantee_user")


def _has(field: str, blank: bool) -> Q:
    return ~Q(**{field: ""}) if blank else Q(**{f"{field}__isnull": False})


_CRITERION_SET = (
    _has("department", False)
    | _has("industry", True)
    | _has("region", True)
    | _has("customer", False)
    | _has("customer_tier", True)
)
_ONE_GRANTEE = (
    (_has("grantee_department", False) & Q(grantee_role="") & Q(grantee_user__isnull=True))
    | (Q(grantee_department__isnull=True) & _has("grantee_role", True) & Q(grantee_user__isnull=True))
    | (Q(grantee_department__isnull=True) & Q(grantee_role="") & _has("grantee_user", False))
)


class ProjectSharingRule(TimeStampedModel):
    """Widens read access: the grantee (a department's members, a role, or one user) reads every project that
    matches all the criteria given (the project's department — with the departments below it when
    ``include_subdepartments`` —, industry, region, customer, the customer's tier)."""

    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("project department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sharing_rules_on",
    )
    include_subdepartments = models.BooleanField(_("include sub-departments"), default=True)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sharing_rules",
    )
    customer_tier = models.CharField(_("customer tier"), max_length=1, choices=Tier.choices, blank=True)
    grantee_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("grantee department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sharing_rules",
    )
    grantee_role = models.CharField(_("grantee role"), max_length=30, choices=Role.choices, blank=True)
    grantee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grantee user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sharing_rules",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=_CRITERION_SET, name="sharing_rule_has_criterion"),
            models.CheckConstraint(condition=_ONE_GRANTEE, name="sharing_rule_one_grantee"),
        ]
        verbose_name = _("sharing rule")
        verbose_name_plural = _("sharing rules")

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def grantee_kind(self) -> str:
        if self.grantee_user_id:
            return "user"
        if self.grantee_role:
            return "role"
        return "department"
