"""Page forms for projects: create/edit, transitions (with the win/loss record), team, competitors,
partners. They check shape only; the services decide and their refusals land on the form."""

from __future__ import annotations

from typing import Any, Protocol, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.core.choices import Industry, Region
from backend.core.permissions import visible_to
from backend.customers.models import Customer
from backend.projects.choices import MemberRole, PartnerKind, Source, Status, ThreatLevel
from backend.projects.models import Competitor, Partner, Project, ProjectCompetitor

# Transitions whose form asks for a win/loss record (DESIGN.md §3).
WIN_LOSS_TRANSITIONS = frozenset({"lose", "abandon", "submit_contract_review"})


class ProjectCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.TENDER)
    industry = forms.ChoiceField(
        label=_("Industry"),
        choices=[("", _("Same as the customer")), *Industry.choices],
        required=False,
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("Same as the customer")), *Region.choices], required=False
    )
    estimated_amount = forms.DecimalField(
        label=_("Estimated amount"), max_digits=16, decimal_places=2, min_value=0, initial=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100, initial=20)
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = visible_to(
            user, Customer.objects.all()
        ).order_by("name")


class ProjectEditForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "source",
            "industry",
            "region",
            "department",
            "estimated_amount",
            "currency",
            "probability",
            "expected_close_date",
            "description",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class TransitionFormExtra(Protocol):
    """Fields an app above adds to the transition form (bids: the win/loss record), registered in its ready()."""

    def extend(self, form: TransitionForm, project: Project) -> None: ...

    def service_kwargs(self, form: TransitionForm) -> dict[str, Any]: ...


_transition_extras: list[TransitionFormExtra] = []


def transition_form_extra(extra: TransitionFormExtra) -> TransitionFormExtra:
    if extra not in _transition_extras:
        _transition_extras.append(extra)
    return extra


class TransitionForm(forms.Form):
    """A user transition: a comment and, for lose / abandon / submit_contract_review, the win/loss record
    (``with_win_loss``; its fields come from bids through ``transition_form_extra``)."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, name: str, project: Project, **kwargs: Any):
        kwargs.setdefault("prefix", name)
        super().__init__(*args, **kwargs)
        self.name = name
        self.with_win_loss = name in WIN_LOSS_TRANSITIONS
        if name == "abandon":
            self.fields["comment"].label = _("Why is the project abandoned?")
        for extra in _transition_extras:
            extra.extend(self, project)

    def service_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"comment": self.cleaned_data.get("comment", "")}
        for extra in _transition_extras:
            kwargs.update(extra.service_kwargs(self))
        return kwargs


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.filter(is_active=True).order_by("username"))
    role = forms.ChoiceField(label=_("Project role"), choices=MemberRole.choices, initial=MemberRole.PRESALES)


class CompetitorAddForm(forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("From the catalogue"), queryset=Competitor.objects.all(), required=False
    )
    competitor_name = forms.CharField(label=_("Or a new competitor's name"), max_length=200, required=False)
    threat_level = forms.ChoiceField(label=_("Threat level"), choices=ThreatLevel.choices, initial=ThreatLevel.MEDIUM)
    solution = forms.CharField(label=_("Their solution"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    estimated_price = forms.DecimalField(
        label=_("Estimated price"), max_digits=16, decimal_places=2, min_value=0, required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("competitor") and not (data.get("competitor_name") or "").strip():
            raise forms.ValidationError(_("Choose a competitor from the catalogue or type a new name."))
        return data


class CompetitorEditForm(forms.ModelForm):
    class Meta:
        model = ProjectCompetitor
        fields = ["threat_level", "estimated_price", "bid_price", "solution", "strengths", "weaknesses"]
        widgets = {
            "solution": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
            "weaknesses": forms.Textarea(attrs={"rows": 2}),
        }

    def validate_unique(self) -> None:
        """The project/competitor pair is not edited here."""


class CompetitorNoteForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class PartnerAddForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("From the catalogue"), queryset=Partner.objects.all(), required=False)
    partner_name = forms.CharField(label=_("Or a new partner's name"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=PartnerKind.choices, initial=PartnerKind.VENDOR)
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, min_value=0, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("partner") and not (data.get("partner_name") or "").strip():
            raise forms.ValidationError(_("Choose a partner from the catalogue or type a new name."))
        return data
