"""Pages of the channel partners (mounted at /partners/)."""

from django.urls import path

from backend.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("grades/", views.grade_list, name="grades"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/trainings/", views.training_add, name="training-add"),
    path("<int:pk>/certifications/", views.certification_add, name="certification-add"),
    path("<int:pk>/profile/", views.profile_edit, name="profile"),
    path("<int:pk>/regrade/", views.regrade, name="regrade"),
]
