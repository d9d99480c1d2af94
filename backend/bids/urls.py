"""Bid, quotation and contract-terms actions posted from the project page's bids tab."""

from django.urls import path  # noqa: F401

app_name = "bids"
urlpatterns: list = []
