from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.accounts.models import ApiToken, Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("department", "title", "phone", "manager")}),
    )
    list_display = ("username", "first_name", "last_name", "department", "title", "manager", "is_active")
    list_filter = ("department", "groups", "is_active")
    list_select_related = ("department", "manager")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "head", "region")
    list_select_related = ("parent", "head")
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued through the API only (the key is shown once); here they are listed and revoked."""

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix")
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )
