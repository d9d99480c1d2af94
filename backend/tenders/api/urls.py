from rest_framework.routers import SimpleRouter

from backend.tenders.api import views

router = SimpleRouter()
router.register("tenders", views.TenderViewSet, basename="tender")
urlpatterns = router.urls
