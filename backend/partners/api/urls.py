from rest_framework.routers import SimpleRouter

from backend.partners.api import views

router = SimpleRouter()
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("partner-grades", views.PartnerGradeViewSet, basename="partner-grade")
urlpatterns = [*router.urls]
