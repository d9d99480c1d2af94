from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Organisation"), {"fields": ("department", "title", "phone", "manager")}))
    list_display = ("username", "first_name", "last_name", "department", "title", "manager", "is_active")
    list_filter = ("department", "groups", "is_active")
    list_select_related = ("department", "manager")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "head", "region")
    list_select_related = ("parent", "head")
    search_fields = ("name",)
