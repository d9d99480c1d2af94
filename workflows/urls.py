"""Review pages (inbox, review detail with approve / reject / return)."""

from django.urls import path

from workflows import views

app_name = "reviews"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
