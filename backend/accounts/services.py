"""Writes for accounts: role groups, departments and users (used by the admin, the demo and tests)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.choices import Role
from backend.accounts.models import Department, User
from backend.core.errors import ValidationFailed


@transaction.atomic
def roles_ensure() -> list[Group]:
    """Create the role groups of DESIGN.md §1 if missing."""
    return [Group.objects.get_or_create(name=role.value)[0] for role in Role]


@transaction.atomic
def department_set_parent(*, department: Department, parent: Department | None) -> Department:
    """Move ``department`` under ``parent``; a cycle is refused (Department.clean)."""
    department.parent = parent
    department.full_clean()
    department.save(update_fields=["parent", "updated_at"])
    return department


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> User:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationFailed(f"Unknown role(s): {', '.join(sorted(unknown))}.", fields={"roles": sorted(unknown)})
    groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
    user.groups.set(groups)
    user.__dict__.pop("_roles", None)
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Save the language ``user`` reads sicrm in (pages, notifications, e-mails and documents)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("Unknown language: %(code)s.") % {"code": language}, fields={"language": []})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
