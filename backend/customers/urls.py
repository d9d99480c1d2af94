from django.urls import path

from backend.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/grade/", views.customer_grade, name="grade"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact-add"),
    path("<int:pk>/interactions/add/", views.interaction_add, name="interaction-add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
]
