"""Page forms of the partner profile: a training, a certification, the profile (cooperation date and a grade
set by hand). Shape only: the services check dates, order and permissions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.partners.models import PartnerGrade


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1, max_value=1000, initial=1)


class CertificationForm(forms.Form):
    name = forms.CharField(label=_("Certification"), max_length=200)
    issued = forms.DateField(label=_("Issued"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)


class ProfileForm(forms.Form):
    cooperation_since = forms.DateField(label=_("Cooperating since"), required=False, widget=DateInput)
    grade = forms.ChoiceField(label=_("Grade set by hand"), required=False)

    def __init__(self, *args: Any, grades: list[PartnerGrade], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Automatic (by the criteria)"))]
        cast(forms.ChoiceField, self.fields["grade"]).choices = choices + [(g.code, str(g.name)) for g in grades]
