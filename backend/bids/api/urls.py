from rest_framework.routers import SimpleRouter

from backend.bids.api import views

router = SimpleRouter()
router.register("bids", views.BidViewSet, basename="bid")
router.register("quotations", views.QuotationViewSet, basename="quotation")
router.register("contract-terms", views.ContractTermsViewSet, basename="contract-terms")
router.register("win-loss", views.WinLossViewSet, basename="win-loss")
urlpatterns = router.urls
