"""The sharing rule form of the rules page: shape only (the service checks the criterion and the grantee and
its refusal lands on this form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department, User
from backend.customers.models import Customer
from backend.projects.sharing.models import ProjectSharingRule
from backend.projects.sharing.services import FIELDS


class SharingRuleForm(forms.ModelForm):
    class Meta:
        model = ProjectSharingRule
        fields = [
            "department",
            "include_subdepartments",
            *(f for f in FIELDS if f not in ("department", "include_subdepartments")),
        ]
        labels = {
            "department": _("Project department"),
            "include_subdepartments": _("Include sub-departments"),
            "industry": _("Industry"),
            "region": _("Region"),
            "customer": _("Customer"),
            "customer_tier": _("Customer tier"),
            "grantee_department": _("Grant to a department (its members)"),
            "grantee_role": _("Grant to a role"),
            "grantee_user": _("Grant to a user"),
            "note": _("Note"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["grantee_department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["customer"].queryset = Customer.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["grantee_user"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name", "username"
        )

    def _post_clean(self) -> None:
        """The service validates the row (criterion, grantee) and saves; the form only builds the data."""

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in FIELDS}
