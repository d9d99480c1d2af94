from rest_framework.routers import SimpleRouter

from backend.service.api import views

router = SimpleRouter()
router.register("service-requests", views.ServiceRequestViewSet, basename="service-request")
urlpatterns = [*router.urls]
