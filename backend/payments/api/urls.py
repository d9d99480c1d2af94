from rest_framework.routers import SimpleRouter

from backend.payments.api import views

router = SimpleRouter()
router.register("payment-terms", views.PaymentTermViewSet, basename="payment-term")
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("receipts", views.ReceiptViewSet, basename="receipt")
urlpatterns = router.urls
