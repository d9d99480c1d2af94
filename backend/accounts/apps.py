from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, roles, departments (the escalation chain), API tokens and login lockout. Must not import any app
    but ``core``."""

    name = "backend.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
