"""Users and departments. The department tree gives each user's chain of heads; ``manager`` gives the
personal escalation chain."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def person_name(first: str, last: str, username: str = "") -> str:
    """A name in the order its language writes it: 张伟 (family name first, no space), Alice Smith."""
    first, last = (first or "").strip(), (last or "").strip()
    if _is_cjk(first + last):
        return f"{last}{first}" or username
    return " ".join(part for part in (first, last) if part) or username


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
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of e-mails and documents sent to this person; empty: the site's."),
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return person_name(self.first_name, self.last_name)

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


class ApiToken(models.Model):
    """An API token: only its SHA-256 digest is stored (the key is shown once, when issued). It stops working
    at ``expires_at`` or when revoked."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=8, editable=False, help_text=_("First characters of the key."))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
