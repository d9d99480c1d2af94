from django.urls import path

from backend.accounts.api import views

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.RevokeTokenView.as_view(), name="api-token-revoke"),
]
