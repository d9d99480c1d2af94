from django.urls import include, path
from rest_framework.routers import SimpleRouter

from backend.projects.api import sharing, views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("competitors", views.CompetitorCatalogueViewSet, basename="competitor")
router.register("sharing-rules", sharing.SharingRuleViewSet, basename="sharing-rule")

nested = SimpleRouter()
nested.register("members", views.MemberViewSet, basename="project-member")
nested.register("competitors", views.ProjectCompetitorViewSet, basename="project-competitor")
nested.register("partners", views.ProjectPartnerViewSet, basename="project-partner")
nested.register("events", views.EventViewSet, basename="project-event")
nested.register("checklist", views.ChecklistViewSet, basename="project-checklist")
nested.register("budget-lines", views.BudgetLineViewSet, basename="project-budget-line")
nested.register("expenses", views.ExpenseViewSet, basename="project-expense")

urlpatterns = [*router.urls, path("projects/<int:project_pk>/", include(nested.urls))]
