"""Admin for delivery records. Milestone status moves only through its transitions (read-only here);
alarms are a delivery log (read-only)."""

from django.contrib import admin

from backend.milestones.models import Acceptance, Alarm, Deliverable, Milestone, Task


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("project", "order", "name", "status", "planned_start", "planned_end", "owner")
    list_filter = ("status",)
    readonly_fields = ("status", "actual_start", "actual_end")


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ("milestone", "doc_type", "title", "status")
    readonly_fields = ("status", "reviewed_by", "reviewed_at")


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    list_display = ("project", "milestone", "accepted_on", "signatory", "result")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("project", "name", "assignee", "due_date", "status")


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_type", "object_id", "level", "project", "raised_at", "delivered_at")
    list_filter = ("kind", "level")
    readonly_fields = ("kind", "object_type", "object_id", "level", "project", "params", "raised_at", "delivered_at")

    def has_add_permission(self, request):
        return False
