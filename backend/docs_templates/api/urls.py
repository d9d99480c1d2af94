from rest_framework.routers import SimpleRouter

from backend.docs_templates.api.views import BatchViewSet, DocumentTemplateViewSet, DocumentViewSet

router = SimpleRouter()
router.register("document-templates", DocumentTemplateViewSet, basename="document-template")
router.register("documents", DocumentViewSet, basename="document")
router.register("document-batches", BatchViewSet, basename="document-batch")
urlpatterns = router.urls
