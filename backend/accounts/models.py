"""Users and departments. The department tree gives each user's chain of heads; ``manager`` gives the
personal escalation chain."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.core.models import TimeStampedModel


class Department(TimeStampedModel):
    """A unit of the organisation; a tree through ``parent``, each with a head."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    region = models.CharField(_("region"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {
                        "parent": _("%(dept)s cannot sit under %(parent)s: that would make a cycle.")
                        % {"dept": self, "parent": self.parent}
                    }
                )
            node = node.parent


class User(AbstractUser):
    """A member of staff. ``manager`` is the next person up for escalations."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """Names of the role groups this user belongs to (cached on the instance)."""
        cached = self.__dict__.get("_roles")
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            self.__dict__["_roles"] = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))
