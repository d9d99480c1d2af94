"""Page forms for activities. They check shape; the services decide (links, times, who may)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.activities.choices import ActivityKind, Priority
from backend.core.forms import DateTimeField
from backend.core.permissions import visible_to
from backend.customers.models import Contact, Customer
from backend.projects.models import Project

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.TODO)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    starts_at = DateTimeField(label=_("Starts at"), widget=LOCAL)
    ends_at = DateTimeField(label=_("Ends at"), required=False, widget=LOCAL)
    all_day = forms.BooleanField(label=_("All day"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"), queryset=User.objects.filter(is_active=True), required=False
    )
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), required=False)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, user: User, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = visible_to(user, Customer.objects.all())  # type: ignore[attr-defined]
        self.fields["contact"].queryset = visible_to(user, Contact.objects.select_related("customer"))  # type: ignore[attr-defined]
        self.fields["project"].queryset = visible_to(user, Project.objects.all())  # type: ignore[attr-defined]
        if project is not None:  # the project tab's quick add: the project is the page's, attendees its team
            for name in ("customer", "contact", "project", "notes", "ends_at", "all_day", "priority"):
                del self.fields[name]
            team = User.objects.filter(Q(pk=project.owner_id) | Q(memberships__project=project))
            self.fields["attendees"].queryset = team.filter(is_active=True).distinct().order_by("username")  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    notes = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
