"""Forms of the report pages: a sales target, a manager's KPI score."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import Department, User
from backend.core.permissions import action_q
from reports.base import quarter_start
from reports.choices import TargetPeriod
from reports.models import KpiDimension


class TargetForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=User.objects.filter(is_active=True), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("or department"), queryset=Department.objects.all(), required=False
    )
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=TargetPeriod.choices)
    period_start = forms.DateField(
        label=gettext_lazy("Starting on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The first day of the month or quarter."),
    )
    amount = forms.DecimalField(label=gettext_lazy("Target amount"), max_digits=16, decimal_places=2, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("user")) == bool(data.get("department")):
            raise forms.ValidationError(_("Choose either a person or a department."))
        return data


class KpiScoreForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=User.objects.none())
    dimension = forms.ModelChoiceField(
        label=gettext_lazy("Dimension"), queryset=KpiDimension.objects.filter(is_active=True, metric="")
    )
    period_start = forms.DateField(
        label=gettext_lazy("Quarter starting"), widget=forms.DateInput(attrs={"type": "date"})
    )
    score = forms.DecimalField(label=gettext_lazy("Score (0–100)"), min_value=0, max_value=100, decimal_places=1)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, people: list[int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"period_start": quarter_start(timezone.localdate())})
        super().__init__(*args, **kwargs)
        scorable = User.objects.filter(is_active=True)
        rows = action_q(user, User, "score")  # the people the permission layer lets ``user`` score
        if rows is not None:
            scorable = scorable.filter(rows)
        if people is not None:
            scorable = scorable.filter(pk__in=people)
        fields: dict[str, Any] = self.fields
        fields["user"].queryset = scorable.order_by("last_name", "first_name", "username")
        fields["user"].label_from_instance = lambda person: str(person)
        fields["dimension"].label_from_instance = lambda dimension: dimension.name
