"""URL map: pages at the root, the REST API under /api/v1/, the schema and Swagger UI under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend import dashboard
from backend.accounts import views as accounts_views
from backend.core import views as core_views

api_v1 = [
    path("", include("backend.accounts.api.urls")),
    path("", include("backend.customers.api.urls")),
    path("", include("backend.projects.api.urls")),
    path("", include("backend.tenders.api.urls")),
    path("", include("backend.bids.api.urls")),
    path("", include("backend.milestones.api.urls")),
    path("", include("backend.payments.api.urls")),
    path("", include("backend.docs_templates.api.urls")),
    path("", include("backend.knowledge.api.urls")),
    path("", include("backend.discussions.api.urls")),
    path("", include("backend.activities.api.urls")),
    path("", include("backend.service.api.urls")),
    path("", include("backend.partners.api.urls")),
    path("", include("workflows.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("backend.core.api.urls")),
]

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz/", core_views.healthz, name="healthz"),
    # browsers ask for /favicon.ico whatever the page links: answer with the icon, not a 404 per page
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("sicrm/favicon.svg"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),  # also saves it on the user
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("backend.customers.urls")),
    path("projects/", include("backend.projects.urls")),
    path("tenders/", include("backend.tenders.urls")),
    path("bids/", include("backend.bids.urls")),
    path("delivery/", include("backend.milestones.urls")),
    path("delivery/", include("backend.payments.urls")),
    path("reviews/", include("workflows.urls")),
    path("routing-rules/", include("workflows.routing.urls")),
    path("notifications/", include("backend.core.notification_urls")),
    path("lists/", include("backend.core.list_urls")),
    path("documents/", include("backend.docs_templates.urls")),
    path("knowledge/", include("backend.knowledge.urls")),
    path("discussions/", include("backend.discussions.urls")),
    path("activities/", include("backend.activities.urls")),
    path("service/", include("backend.service.urls")),
    path("partners/", include("backend.partners.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline one.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]
