from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.activities.api import views

router = SimpleRouter()
router.register("activities", views.ActivityViewSet, basename="activity")
urlpatterns = [*router.urls, path("calendar/", views.CalendarView.as_view(), name="calendar")]
