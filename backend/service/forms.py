"""Page forms of the service desk. They check shape; the services decide (links, who may, states)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.core.permissions import visible_to
from backend.customers.models import Contact, Customer
from backend.projects.models import Project
from backend.service.choices import Category, Channel, ServicePriority


class RequestForm(forms.Form):
    """Log or edit a request. With a ``customer`` given (the hotline), contact and project are that
    customer's and the customer is not asked again."""

    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    priority = forms.ChoiceField(label=_("Priority"), choices=ServicePriority.choices, initial=ServicePriority.NORMAL)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.HOTLINE)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    caller_name = forms.CharField(label=_("Caller"), max_length=100, required=False)
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=30, required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    product = forms.CharField(label=_("Product line"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, user: User, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = visible_to(user, Customer.objects.all())
        contacts = visible_to(user, Contact.objects.select_related("customer"))
        # the request's project may be one the agent does not otherwise see: any project of the customer
        projects = Project.objects.select_related("customer")
        if customer is not None:
            del self.fields["customer"]
            contacts = contacts.filter(customer=customer)
            projects = projects.filter(customer=customer)
        else:
            self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
            projects = projects.filter(customer__in=customers)
        self.fields["contact"].queryset = contacts.order_by("name")  # type: ignore[attr-defined]
        self.fields["project"].queryset = projects.order_by("-pk")  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Engineer"), queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name")
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    solution = forms.CharField(label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(label=_("Reply to the customer"), required=False)


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File"))
