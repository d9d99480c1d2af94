"""Bid, quotation and contract-terms actions posted from the project page's bids tab, and the tab on a page
of its own (``/bids/project/<pk>/``)."""

from django.urls import path

from backend.bids import views

app_name = "bids"
urlpatterns = [
    path("quotations/", views.quotation_list, name="quotations"),
    path("project/<int:pk>/", views.project_bids, name="project"),
    path("project/<int:pk>/rounds/add/", views.bid_add, name="bid-add"),
    path("project/<int:pk>/rounds/<int:bid_pk>/", views.bid_update, name="bid-update"),
    path("project/<int:pk>/rounds/<int:bid_pk>/opening/", views.opening_record, name="opening-record"),
    path("project/<int:pk>/quotations/add/", views.quotation_add, name="quotation-add"),
    path("project/<int:pk>/quotations/copy/", views.quotation_copy, name="quotation-copy"),
    path("project/<int:pk>/quotations/<int:quotation_pk>/lines/", views.quotation_lines, name="quotation-lines"),
    path("project/<int:pk>/quotations/<int:quotation_pk>/submit/", views.quotation_submit, name="quotation-submit"),
    path("project/<int:pk>/contract-terms/", views.contract_terms, name="contract-terms"),
]
