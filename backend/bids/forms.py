"""Page forms of the project's bids tab: bid rounds, opening records, quotation versions and their lines,
contract terms. They check shape only; the services in ``backend.bids.services`` decide (bond dates, line
ranges, who may change what), so a refused input is reported in the service's words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.bids.models import Bid, ContractTerms, WinLossReason
from backend.projects.models import Competitor, Partner

US = "us"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


BID_DATE_WIDGETS = {"submitted_on": DateInput, "bond_paid_on": DateInput, "bond_refunded_on": DateInput}


class BidCreateForm(forms.ModelForm):
    """A new bid round; the round number is the next free one."""

    class Meta:
        model = Bid
        fields = ["submitted_on", "bond_amount", "bond_paid_on", "bond_refunded_on", "our_price", "notes"]
        widgets = {**BID_DATE_WIDGETS, "notes": forms.Textarea(attrs={"rows": 2})}


class BidUpdateForm(forms.ModelForm):
    """Bond dates, result and our price of one round. Bind it to a copy of the bid: the service compares."""

    class Meta:
        model = Bid
        fields = ["submitted_on", "bond_amount", "bond_paid_on", "bond_refunded_on", "our_price", "result", "notes"]
        widgets = {**BID_DATE_WIDGETS, "notes": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self) -> None:
        """The round is not edited here; nothing to check."""


class OpeningEntryForm(forms.Form):
    """One bidder at the opening: a competitor of the project or us. A row without a price is ignored."""

    bidder = forms.ChoiceField(label=_("Bidder"), required=False)
    price = forms.DecimalField(label=_("Price"), max_digits=16, decimal_places=2, required=False)
    rank = forms.IntegerField(label=_("Rank"), min_value=1, max_value=999, required=False)

    def __init__(self, *args: Any, bidders: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["bidder"]).choices = [("", "—"), *bidders]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("price") is not None and not data.get("bidder"):
            self.add_error("bidder", _("Choose the bidder of this price."))
        return data


class BaseOpeningFormSet(forms.BaseFormSet):
    """Build it with ``form_kwargs={"bidders": bidder_choices(...)}``."""

    def entries(self) -> list[dict[str, Any]]:
        """The filled rows as ``{"bidder", "price", "rank"}`` (call after is_valid)."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("price") is not None]


# formset_factory is typed as returning the base BaseFormSet; it returns a subclass of ``formset``.
OpeningFormSet = cast(
    type[BaseOpeningFormSet],
    forms.formset_factory(OpeningEntryForm, formset=BaseOpeningFormSet, extra=2, max_num=50),
)


def bidder_choices(competitors: list[Any]) -> list[tuple[str, str]]:
    """``us`` first, then the project's competitors by their catalogue id."""
    return [(US, str(_("Us (our bid)"))), *((str(c.pk), c.name) for c in competitors)]


class QuotationForm(forms.Form):
    """The header of a new quotation version."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    partner = forms.ModelChoiceField(
        label=_("Channel partner"),
        queryset=Partner.objects.order_by("name"),
        required=False,
        help_text=_("A quotation for a channel partner: its grade's discount ceiling applies."),
    )


class QuotationLineForm(forms.Form):
    """One line. Ranges (quantity > 0, percentages 0–100) are the service's to check, naming the line."""

    description = forms.CharField(label=_("Description"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=16, decimal_places=2)
    unit_cost = forms.DecimalField(label=_("Unit cost"), max_digits=16, decimal_places=2)
    discount = forms.DecimalField(label=_("Discount (%)"), max_digits=5, decimal_places=2, initial=Decimal(0))
    tax_rate = forms.DecimalField(label=_("Tax (%)"), max_digits=5, decimal_places=2, initial=Decimal(13))


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """The filled, not deleted rows in order (call after is_valid); untouched blank rows are skipped."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.empty_permitted:
                continue
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]  # not in the stubs
                continue
            rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return rows


QuotationLineFormSet = cast(
    type[BaseLineFormSet], forms.formset_factory(QuotationLineForm, formset=BaseLineFormSet, extra=4, max_num=200)
)
QuotationLineEditFormSet = cast(
    type[BaseLineFormSet],
    forms.formset_factory(QuotationLineForm, formset=BaseLineFormSet, extra=2, max_num=200, can_delete=True),
)


class QuotationSubmitForm(forms.Form):
    comment = forms.CharField(label=_("Comment for the approver"), required=False, max_length=2000)


class ContractTermsForm(forms.ModelForm):
    """Bind it to a copy of the terms (or none); ``contract_terms_save`` writes."""

    class Meta:
        model = ContractTerms
        fields = ["amount", "payment_terms", "delivery_date", "penalties", "warranty_months"]
        widgets = {
            "delivery_date": DateInput,
            "payment_terms": forms.Textarea(attrs={"rows": 2}),
            "penalties": forms.Textarea(attrs={"rows": 2}),
        }

    def validate_unique(self) -> None:
        """One set of terms per project: the service replaces it."""


class WinLossFields:
    """The win/loss record on the project's transition form (lose, abandon, submit_contract_review); registered
    with ``backend.projects.forms.transition_form_extra`` in ``BidsConfig.ready()``."""

    def extend(self, form: Any, project: Any) -> None:
        if not form.with_win_loss:
            return
        reasons = WinLossReason.objects.filter(is_active=True)
        existing = getattr(project, "win_loss", None) if form.name == "submit_contract_review" else None
        # submit_contract_review accepts a win record made beforehand; lose/abandon always need one.
        optional = existing is not None and existing.outcome == "won"
        form.fields["primary_reason"] = forms.ModelChoiceField(
            label=_("Primary reason"), queryset=reasons, to_field_name="code", required=not optional
        )
        form.fields["secondary_reasons"] = forms.ModelMultipleChoiceField(
            label=_("Secondary reasons"),
            queryset=reasons,
            to_field_name="code",
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        form.fields["winning_competitor"] = forms.ModelChoiceField(
            label=_("Winning competitor"), queryset=Competitor.objects.all(), required=False
        )
        form.fields["winning_price"] = forms.DecimalField(
            label=_("Winning price"), max_digits=16, decimal_places=2, min_value=0, required=False
        )
        form.fields["our_price"] = forms.DecimalField(
            label=_("Our price"), max_digits=16, decimal_places=2, min_value=0, required=False
        )
        form.fields["lessons"] = forms.CharField(
            label=_("Lessons learned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        if existing is not None and optional and not form.is_bound:
            form.initial.update(
                {
                    "primary_reason": existing.primary_reason.code,
                    "winning_competitor": existing.winning_competitor_id,
                    "winning_price": existing.winning_price,
                    "our_price": existing.our_price,
                    "lessons": existing.lessons,
                }
            )

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data = form.cleaned_data
        if not (form.with_win_loss and data.get("primary_reason") is not None):
            return {}
        return {
            "win_loss": {
                "primary_reason": data["primary_reason"].code,
                "secondary_reasons": [r.code for r in data.get("secondary_reasons") or []],
                "winning_competitor": data.get("winning_competitor"),
                "winning_price": data.get("winning_price"),
                "our_price": data.get("our_price"),
                "lessons": data.get("lessons", ""),
            }
        }
