"""``/api/v1/threads/`` (and the posts of each thread under it)."""

from rest_framework.routers import SimpleRouter

from backend.discussions.api import views

router = SimpleRouter()
router.register("threads", views.ThreadViewSet, basename="thread")
urlpatterns = router.urls
