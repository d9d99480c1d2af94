from rest_framework.routers import SimpleRouter

from backend.milestones.api import views

router = SimpleRouter()
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("deliverables", views.DeliverableViewSet, basename="deliverable")
router.register("acceptances", views.AcceptanceViewSet, basename="acceptance")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("alarms", views.AlarmViewSet, basename="alarm")
urlpatterns = router.urls
