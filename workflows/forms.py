"""Page form for deciding a review step. It checks shape; ``review_decide`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.choices import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or return."),
    )
