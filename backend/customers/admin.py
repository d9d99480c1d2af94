from django import forms
from django.contrib import admin

from backend.core.errors import ValidationFailed
from backend.customers.models import Contact, Customer, Interaction
from backend.customers.services import customer_identity_check


class CustomerAdminForm(forms.ModelForm):
    """Runs the same duplicate guard as the services, so the admin cannot create a duplicate either."""

    class Meta:
        model = Customer
        fields = ["name", "credit_code", "industry", "region", "owner", "tier", "address", "website", "notes"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if "name" in cleaned:
            try:
                self.instance.name_key, cleaned["credit_code"] = customer_identity_check(
                    name=cleaned["name"], credit_code=cleaned.get("credit_code"), exclude_pk=self.instance.pk
                )
            except ValidationFailed as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned

    def validate_unique(self) -> None:
        """Uniqueness is checked by the duplicate guard above, with a message naming the match."""


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("name", "credit_code", "industry", "region", "tier", "owner")
    list_filter = ("industry", "region", "tier")
    search_fields = ("name", "credit_code")
    list_select_related = ("owner",)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "title", "decision_role", "phone", "email")
    list_select_related = ("customer",)
    search_fields = ("name", "email")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("summary", "customer", "kind", "occurred_at", "author")
    list_select_related = ("customer", "author")
