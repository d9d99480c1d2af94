"""Forms of the board's pages: shape only (the services check the text, the files and who may)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.milestones.forms import UploadField


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))
    file = UploadField(label=_("Attachment"), required=False)


class PostForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file = UploadField(label=_("Attachment"), required=False)


class PostEditForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))


class AttachmentForm(forms.Form):
    file = UploadField(label=_("File"))
