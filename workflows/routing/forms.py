"""Page forms for routing rules and their test panel. They check shape; ``workflows.routing.services``
decides (empty groups, amount bands, who may manage)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backend.accounts.models import Department, User
from backend.core.choices import Industry, Region
from workflows.choices import RoutingTarget
from workflows.models import RoutingRule
from workflows.routing.services import RULE_FIELDS, project_role_choices, value_choices

BLANK = [("", "—")]


def _value_fields(form: forms.BaseForm, source: str, category: str) -> None:
    """ "source" and "category" as choices of the values the apps register (a stored value no app knows stays
    selectable), so a user picks 公开招标 or 拜访 rather than typing a code."""
    labels = {"source": _("source"), "category": pgettext_lazy("routing", "category")}
    for name, current in (("source", source), ("category", category)):
        choices = value_choices(name)
        if current and current not in dict(choices):
            choices.append((current, current))
        form.fields[name] = forms.ChoiceField(label=labels[name], choices=BLANK + choices, required=False)


class RoutingRuleForm(forms.ModelForm):
    order = forms.IntegerField(label=_("order"), min_value=0, required=False)

    class Meta:
        model = RoutingRule
        fields = list(RULE_FIELDS)
        widgets = {"group_users": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        for name in ("assign_owner", "assign_bid_manager", "group_users"):
            self.fields[name].queryset = active  # type: ignore[attr-defined]
        for name in ("group_department", "assign_department"):
            self.fields[name].queryset = Department.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["project_role"] = forms.ChoiceField(
            label=_("project role"), choices=BLANK + project_role_choices(), required=False
        )
        _value_fields(self, self.instance.source, self.instance.category)
        self.fields["assign_owner"].label = _("User to assign")
        self.fields["assign_bid_manager"].help_text = _("Projects only: also made bid manager.")
        self.fields["assign_department"].help_text = _("Projects only: the department the project belongs to.")

    def _post_clean(self) -> None:
        """The service validates the rule as a whole (and saves it): no model validation here."""


class RoutingTestForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Kind of work"), choices=[(v, n) for v, n in RoutingTarget.choices if v != RoutingTarget.BOTH]
    )
    record_kind = forms.ChoiceField(
        label=_("Existing record"),
        choices=BLANK + [("project", _("Project")), ("tender", _("Tender"))],
        required=False,
    )
    record = forms.CharField(
        label=_("Project code or tender number"),
        required=False,
        help_text=_("Its fields are used where none is given below."),
    )
    industry = forms.ChoiceField(label=_("industry"), choices=BLANK + list(Industry.choices), required=False)
    region = forms.ChoiceField(label=_("region"), choices=BLANK + list(Region.choices), required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=16, decimal_places=2, required=False)
    source = forms.CharField(label=_("source"), required=False)
    category = forms.CharField(label=pgettext_lazy("routing", "category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _value_fields(self, "", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("record") and not data.get("record_kind"):
            self.add_error("record_kind", _("Choose whether it is a project or a tender."))
        return data
