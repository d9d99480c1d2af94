"""Page forms for templates and documents."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.docs_templates.choices import DocType, Language


class TemplateUploadForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    file = forms.FileField(label=_("Word template (.docx)"))
    activate = forms.BooleanField(label=_("Make this the active version"), required=False, initial=True)


class GenerateForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    milestone = forms.TypedChoiceField(label=_("Milestone"), required=False, coerce=int, empty_value=None)
    pdf = forms.BooleanField(label=_("Also make a PDF"), required=False)

    def __init__(self, *args, milestones=(), pdf_available: bool = False, **kwargs):
        """``pdf_available``: LibreOffice is installed; without it the form does not offer a PDF at all."""
        super().__init__(*args, **kwargs)
        if not pdf_available:
            del self.fields["pdf"]
        cast(forms.ChoiceField, self.fields["milestone"]).choices = [("", _("— whole project —"))] + [
            (m.pk, m.name) for m in milestones
        ]


class BatchFilterForm(forms.Form):
    """Narrows the projects the batch page offers (GET)."""

    q = forms.CharField(label=_("Project"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        from backend.projects.choices import Status

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("— any state —")), *Status.choices]


class BatchForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices, initial=DocType.WEEKLY_REPORT)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    projects = forms.MultipleChoiceField(label=_("Projects"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["projects"]).choices = [(p.pk, f"{p.code} {p.name}") for p in projects]
