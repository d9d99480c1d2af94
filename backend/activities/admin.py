from django.contrib import admin

from backend.activities.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "owner", "starts_at", "status", "project", "customer")
    list_filter = ("kind", "status")
    search_fields = ("subject",)
    raw_id_fields = ("owner", "attendees", "customer", "contact", "project", "milestone", "review")
