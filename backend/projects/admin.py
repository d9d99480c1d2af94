"""Admin for projects and their catalogues. The lifecycle status is read-only here: it changes only
through transitions (the project page, the board or the API)."""

from django.contrib import admin

from backend.projects.models import (
    BudgetLine,
    Competitor,
    Expense,
    Partner,
    Project,
    ProjectCompetitor,
    ProjectEvent,
    ProjectMember,
    ProjectSharingRule,
    StageChecklistItem,
)


class MemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0


class BudgetInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "customer", "status", "owner", "estimated_amount", "contract_amount")
    list_filter = ("status", "industry", "region")
    search_fields = ("code", "name", "customer__name")
    list_select_related = ("customer", "owner")
    readonly_fields = ("code", "status", "status_changed_at", "routing_rule")
    inlines = [MemberInline, BudgetInline]


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ("name", "website")
    search_fields = ("name",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contact")
    search_fields = ("name",)


@admin.register(ProjectCompetitor)
class ProjectCompetitorAdmin(admin.ModelAdmin):
    list_display = ("project", "competitor", "threat_level", "bid_price")
    list_select_related = ("project", "competitor")


@admin.register(ProjectEvent)
class ProjectEventAdmin(admin.ModelAdmin):
    """The event log is append-only."""

    list_display = ("project", "kind", "transition", "source", "target", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("project", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProjectSharingRule)
class SharingRuleAdmin(admin.ModelAdmin):
    """Read-only here: rules are written on the sharing rules page (its service re-indexes the projects)."""

    list_display = (
        "pk",
        "department",
        "industry",
        "region",
        "customer",
        "customer_tier",
        "grantee_department",
        "grantee_role",
        "grantee_user",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StageChecklistItem)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ("project", "stage", "text", "required", "done")
    list_filter = ("stage", "required", "done")


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ("project", "category", "amount", "spent_on", "author")
    list_filter = ("category",)
