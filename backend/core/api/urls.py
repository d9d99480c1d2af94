from rest_framework.routers import SimpleRouter

from backend.core.api.notifications import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
