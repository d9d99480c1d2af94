"""URL map: pages at the root, the REST API under /api/v1/, the schema and Swagger UI under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from backend.core import views as core_views

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("backend.customers.api.urls")),
    path("", include("backend.projects.api.urls")),
    path("", include("backend.bids.api.urls")),
    path("", include("backend.milestones.api.urls")),
    path("", include("backend.docs_templates.api.urls")),
    path("", include("backend.knowledge.api.urls")),
    path("", include("workflows.api.urls")),
    path("", include("backend.core.api.urls")),
]

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("backend.customers.urls")),
    path("projects/", include("backend.projects.urls")),
    path("tenders/", include("backend.bids.tender_urls")),
    path("bids/", include("backend.bids.urls")),
    path("delivery/", include("backend.milestones.urls")),
    path("reviews/", include("workflows.urls")),
    path("notifications/", include("backend.core.notification_urls")),
    path("documents/", include("backend.docs_templates.urls")),
    path("knowledge/", include("backend.knowledge.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]
