"""Page forms for tenders: the tender form, attachment upload, file import, and the list's filters.
They check shape; services decide (duplicates, routing, permissions)."""

from __future__ import annotations

from typing import cast

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.accounts.models import User
from backend.core.choices import Industry, Region
from backend.core.permissions import visible_to
from backend.customers.models import Customer
from backend.tenders import importer, services
from backend.tenders.models import Tender

DATETIME_WIDGET = {"type": "datetime-local"}


class TenderForm(forms.ModelForm):
    source_url = forms.URLField(
        label=capfirst(Tender._meta.get_field("source_url").verbose_name),
        required=False,
        max_length=500,
        assume_scheme="https",
    )

    class Meta:
        model = Tender
        fields = [
            "number",
            "title",
            "buyer",
            "customer",
            "budget",
            "currency",
            "industry",
            "region",
            "publish_date",
            "registration_deadline",
            "bid_deadline",
            "opening_date",
            "qualification_requirements",
            "source_url",
            "notes",
        ]
        widgets = {
            "publish_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_deadline": forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"),
            "bid_deadline": forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"),
            "opening_date": forms.DateTimeInput(attrs=DATETIME_WIDGET, format="%Y-%m-%dT%H:%M"),
            "qualification_requirements": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = visible_to(
            user, Customer.objects.all()
        ).order_by("name")
        self.fields["customer"].help_text = _("Leave empty to match or create the customer from the buyer's name.")
        self.fields["budget"].widget.attrs["min"] = 0

    def clean_budget(self):
        budget = self.cleaned_data.get("budget")
        if budget is not None and budget < 0:
            raise forms.ValidationError(_("The budget cannot be negative."))
        return budget

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        for name, problem in importer.deadline_problems(cleaned).items():
            self.add_error(name, problem)
        return cleaned

    def validate_unique(self) -> None:
        """Duplicate numbers are the service's to refuse (it names the existing tender)."""


class TenderAttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Defaults to the file name."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = services.attachment_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; attachments may be at most %(max)d MB.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "max": limit // 1024 // 1024}
            )
        return upload


class TenderImportForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8 or GB18030) or Excel .xlsx (first sheet) with a header row; at most %(max)d MB."
        ) % {"max": importer.MAX_FILE_BYTES // 1024 // 1024}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB; split it into smaller files.")
                % {"max": importer.MAX_FILE_BYTES // 1024 // 1024}
            )
        return upload


class TenderFilterSet(django_filters.FilterSet):
    """Search and filters of the tender list."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"), empty_label=_("Any industry"))
    region = django_filters.ChoiceFilter(choices=Region.choices, label=_("Region"), empty_label=_("Any region"))
    deadline = django_filters.ChoiceFilter(
        method="by_deadline",
        label=_("Bid deadline"),
        empty_label=_("Any bid deadline"),
        choices=[("upcoming", _("Upcoming")), ("passed", pgettext_lazy("deadline", "Passed"))],
    )

    class Meta:
        model = Tender
        fields = ["q", "industry", "region", "deadline"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(buyer__icontains=value))

    def by_deadline(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(bid_deadline__gte=now)
        if value == "passed":
            return queryset.filter(bid_deadline__lt=now)
        return queryset
