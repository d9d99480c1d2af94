"""The site's URLs with a stand-in for the service request page, whose view is written elsewhere: the alarms
link to ``service:detail``; these tests need the name to reverse, not the page."""

from django.http import HttpResponse
from django.urls import include, path

from backend.urls import urlpatterns as site


def _detail(request, pk: int) -> HttpResponse:
    return HttpResponse(str(pk))


service = ([path("<int:pk>/", _detail, name="detail")], "service")
urlpatterns = [path("service/", include(service))] + [p for p in site if getattr(p, "namespace", None) != "service"]
