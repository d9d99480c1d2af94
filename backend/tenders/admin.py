from django.contrib import admin

from backend.tenders.models import Tender


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "buyer", "budget", "bid_deadline", "owner")
    search_fields = ("number", "title", "buyer")
