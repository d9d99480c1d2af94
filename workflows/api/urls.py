from rest_framework.routers import SimpleRouter

from workflows.api.views import ReviewViewSet
from workflows.routing.api import RoutingRuleViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("routing-rules", RoutingRuleViewSet, basename="routing-rule")
urlpatterns = router.urls
