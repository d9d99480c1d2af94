"""Page forms of the delivery tabs: milestone transitions and re-planning, deliverable uploads and reviews,
customer acceptance and tasks.

They check shape only (types, required fields, file size before the file is read). The services in
``backend.milestones.services`` decide everything else, so a refusal is reported in the service's words.
Choice fields take their choices from the caller (rows it already loaded), so rendering a form runs no query.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.milestones.choices import AcceptanceResult, DeliverableType

Choices = list[tuple[str, str]]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UploadField(forms.FileField):
    """A file refused before it is read when it is over ``UPLOAD_MAX_BYTES`` (the service checks the content)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        limit = settings.UPLOAD_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                gettext("%(name)s is %(size).1f MB; the limit is %(limit).1f MB.")
                % {"name": upload.name, "size": upload.size / 1e6, "limit": limit / 1e6},
                code="file_too_large",
            )
        return upload


class MilestoneTransitionForm(forms.Form):
    transition = forms.CharField(label=_("Transition"), max_length=40)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestonePlanForm(forms.Form):
    """Re-plan a milestone: dates, owner, weight and the deliverable types it requires."""

    name = forms.CharField(label=_("Name"), max_length=200)
    planned_start = forms.DateField(label=_("Planned start"), widget=DateInput)
    planned_end = forms.DateField(label=_("Planned end"), widget=DateInput)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=1000)
    required_deliverables = forms.MultipleChoiceField(
        label=_("Required deliverables"),
        required=False,
        choices=DeliverableType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, owners: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", "—"), *owners]


class DeliverableUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DeliverableType.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = UploadField(label=_("File"))


class DeliverableVersionForm(forms.Form):
    file = UploadField(label=_("New version"))


class DeliverableReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptanceForm(forms.Form):
    """The customer's sign-off of the whole project (during acceptance review) or of one milestone."""

    milestone = forms.ChoiceField(label=_("Scope"), required=False)
    accepted_on = forms.DateField(label=_("Date"), widget=DateInput)
    signatory = forms.CharField(label=_("Customer signatory"), max_length=100)
    signatory_title = forms.CharField(label=_("Signatory title"), max_length=100, required=False)
    result = forms.ChoiceField(label=_("Result"), choices=AcceptanceResult.choices)
    punch_list = forms.CharField(
        label=_("Punch list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One open item per line."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    certificate = UploadField(
        label=_("Signed certificate"), required=False, help_text=_("PDF, image or Word document.")
    )

    def __init__(self, *args: Any, milestones: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["milestone"]).choices = [("", _("Whole project")), *milestones]

    def punch_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["punch_list"].splitlines() if line.strip()]


class TaskStatusForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)
