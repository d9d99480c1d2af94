"""Admin for process templates (stages, actions, gates and steps, milestone and task templates) and
routing rules. Editing a template here changes new projects only; running projects keep their copies."""

from django.contrib import admin

from workflows.models import (
    Approval,
    Gate,
    GateStep,
    MilestoneTemplate,
    ProcessTemplate,
    RecurringActivityTemplate,
    Review,
    ReviewStep,
    RoutingRule,
    StageAction,
    StageTemplate,
    TaskTemplate,
)


class StageInline(admin.TabularInline):
    model = StageTemplate
    extra = 0


class GateInline(admin.TabularInline):
    model = Gate
    extra = 0
    fields = ("kind", "name", "required_documents", "options")


class MilestoneTemplateInline(admin.TabularInline):
    model = MilestoneTemplate
    extra = 0


class TaskTemplateInline(admin.TabularInline):
    model = TaskTemplate
    extra = 0


class RecurringActivityTemplateInline(admin.TabularInline):
    model = RecurringActivityTemplate
    extra = 0


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active", "is_default")
    inlines = [StageInline, GateInline, MilestoneTemplateInline, TaskTemplateInline, RecurringActivityTemplateInline]
    readonly_fields = ("definition",)


class StageActionInline(admin.TabularInline):
    model = StageAction
    extra = 0


@admin.register(StageTemplate)
class StageTemplateAdmin(admin.ModelAdmin):
    list_display = ("template", "stage", "order", "standard_days")
    list_filter = ("template",)
    inlines = [StageActionInline]


class GateStepInline(admin.TabularInline):
    model = GateStep
    extra = 0


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    list_display = ("template", "kind", "name")
    list_filter = ("template", "kind")
    inlines = [GateStepInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "name",
        "is_active",
        "applies_to",
        "industry",
        "region",
        "category",
        "min_amount",
        "max_amount",
        "assignee_kind",
        "assign_owner",
        "project_role",
        "assign_bid_manager",
        "assign_department",
    )
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    filter_horizontal = ("group_users",)


class ReviewStepInline(admin.TabularInline):
    model = ReviewStep
    extra = 0
    can_delete = False
    readonly_fields = ("order", "name", "mode", "status", "groups", "completed_at")
    exclude = ("approvers", "gate_step")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Reviews are read here; decisions are made in the reviews inbox (the gate engine)."""

    list_display = ("project", "gate", "status", "amount", "submitted_by", "created_at", "decided_at")
    list_filter = ("status", "gate__kind")
    list_select_related = ("project", "gate", "submitted_by")
    readonly_fields = ("gate", "project", "quotation", "status", "amount", "submitted_by", "comment", "decided_at")
    inlines = [ReviewStepInline]

    def has_add_permission(self, request):
        return False


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    list_display = ("step", "approver", "decision", "decided_at")
    readonly_fields = ("step", "approver", "decision", "comment", "decided_at")

    def has_add_permission(self, request):
        return False
