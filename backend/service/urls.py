from django.urls import path

from backend.service import survey_views

app_name = "service"
urlpatterns: list = [
    # --- the public satisfaction survey (no account; the signed token is the secret): backend/service/survey_views.py
    path("survey/<str:token>/", survey_views.survey_page, name="survey"),
]
