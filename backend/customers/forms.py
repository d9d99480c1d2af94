"""Page forms for customers, contacts and interactions. They check shape; services decide."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.core.forms import DateTimeField
from backend.customers.choices import Tier
from backend.customers.models import Contact, Customer, Interaction


class CustomerForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Customer
        fields = ["name", "credit_code", "industry", "region", "address", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def validate_unique(self) -> None:
        """Uniqueness is the duplicate guard's job (it names the existing customer)."""


class GradeForm(forms.Form):
    """The customer's grade, set by hand; "automatic" hands it back to the nightly ABC ranking."""

    tier = forms.ChoiceField(
        label=_("Grade"), choices=[("", _("Automatic (ABC ranking)")), *Tier.choices], required=False
    )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "decision_role", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class InteractionForm(forms.ModelForm):
    occurred_at = DateTimeField(label=_("Date"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    class Meta:
        model = Interaction
        fields = ["kind", "occurred_at", "summary", "contacts", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "contacts": forms.CheckboxSelectMultiple}

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contacts"]).queryset = customer.contacts.all()
