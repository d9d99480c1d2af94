from django.urls import path

from backend.service import survey_views, views

app_name = "service"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("hotline/", views.hotline, name="hotline"),
    path("new/", views.request_create, name="create"),
    # the public satisfaction survey (no account; the signed token is the secret): backend/service/survey_views.py
    path("survey/<str:token>/", survey_views.survey_page, name="survey"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_edit, name="edit"),
    path("<int:pk>/assign/", views.request_assign, name="assign"),
    path("<int:pk>/notes/", views.request_note, name="note"),
    path("<int:pk>/files/", views.request_attach, name="attach"),
    path("<int:pk>/files/<int:attachment_id>/", views.request_attachment, name="attachment"),
    path("<int:pk>/article/", views.request_link_article, name="link_article"),
    path("<int:pk>/<str:name>/", views.request_transition, name="transition"),
]
