from django.contrib import admin

from backend.core.models import CalendarDay, Notification, PendingNotification


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Public holidays and worked weekend days (调休) for working-day arithmetic."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "created_at", "read_at")
    list_filter = ("kind",)


@admin.register(PendingNotification)
class PendingNotificationAdmin(admin.ModelAdmin):
    """Deliveries not yet made (normally for a moment; one resumed many times keeps failing)."""

    list_display = ("kind", "created_at", "resumed", "lease_until")
    list_filter = ("kind",)
    readonly_fields = ("key",)
