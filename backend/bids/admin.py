from django.contrib import admin

from backend.bids.models import Bid, ContractTerms, Quotation, QuotationLine, WinLossReason, WinLossRecord


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ("project", "round", "bond_amount", "bond_paid_on", "bond_refunded_on", "result")


class LineInline(admin.TabularInline):
    model = QuotationLine
    extra = 0


@admin.register(Quotation)
class QuotationAdmin(admin.ModelAdmin):
    """Status is set by the margin gate; read-only here."""

    list_display = ("project", "version", "status", "created_by")
    readonly_fields = ("status",)
    inlines = [LineInline]


@admin.register(ContractTerms)
class ContractTermsAdmin(admin.ModelAdmin):
    list_display = ("project", "amount", "delivery_date", "warranty_months")


@admin.register(WinLossReason)
class WinLossReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active", "order")
    list_editable = ("is_active", "order")


@admin.register(WinLossRecord)
class WinLossRecordAdmin(admin.ModelAdmin):
    list_display = ("project", "outcome", "primary_reason", "winning_competitor")
    list_filter = ("outcome", "primary_reason")
