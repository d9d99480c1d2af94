"""Page forms of the payments tab: payment terms, invoices, receipts and write-offs. They check shape only; the
services in ``backend.payments.services`` decide. Choice fields take their choices from the caller."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.milestones.forms import Choices, DateInput


class PaymentTermForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    percent = forms.DecimalField(label=_("Percent"), min_value=0, max_value=100, max_digits=5, decimal_places=2)
    milestone = forms.ChoiceField(label=_("Milestone"), required=False)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to fall due after the milestone is accepted."),
    )
    days_after_acceptance = forms.IntegerField(
        label=_("Days after acceptance"), min_value=0, max_value=3650, initial=30
    )

    def __init__(self, *args: Any, milestones: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["milestone"]).choices = [("", "—"), *milestones]


class InvoiceForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=50)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=16, decimal_places=2)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput)
    payment_term = forms.ChoiceField(label=_("Payment term"), required=False)

    def __init__(self, *args: Any, terms: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["payment_term"]).choices = [("", "—"), *terms]


class ReceiptForm(forms.Form):
    payment_term = forms.ChoiceField(label=_("Payment term"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    invoice = forms.ChoiceField(label=_("Invoice"), required=False)

    def __init__(self, *args: Any, terms: Choices, invoices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["payment_term"]).choices = [("", "—"), *terms]
        cast(forms.ChoiceField, self.fields["invoice"]).choices = [("", "—"), *invoices]


class WriteOffForm(forms.Form):
    payment_term = forms.ChoiceField(label=_("Payment term"))
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, terms: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["payment_term"]).choices = [("", "—"), *terms]
