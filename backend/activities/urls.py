from django.urls import path

from backend.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/<str:action>/", views.activity_action, name="action"),
    path("project/<int:pk>/add/", views.project_activity_add, name="project_add"),
    path("feed/", views.feed_settings, name="feed"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
]
