"""The REST API under /api/ (DESIGN §9, issue 8): one router, token and session authentication,
page-number pagination, the OpenAPI schema at /api/schema/ and its Swagger UI and Redoc at /api/docs/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from sales_erp.api.auth import TokenObtainView
from sales_erp.api.billing import BillViewSet
from sales_erp.api.customers import AccountViewSet, CustomerViewSet, ProductViewSet
from sales_erp.api.documents import DepositImportApiView, StatementApiView, UsageReportApiView
from sales_erp.api.workflow import ProcessViewSet
from sales_erp.billing.api import UsagePushApiView
from sales_erp.pricing.api import QuoteApiView

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("products", ProductViewSet, basename="product")
router.register("accounts", AccountViewSet, basename="account")
router.register("bills", BillViewSet, basename="bill")
router.register("processes", ProcessViewSet, basename="process")

app_name = "api"
urlpatterns = [
    path("token/", TokenObtainView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("docs/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    # Kept at the URLs the messaging platform and the desk already use.
    path("billing/usage/", UsagePushApiView.as_view(), name="usage_push"),
    path("pricing/quote/", QuoteApiView.as_view(), name="quote"),
    path("deposits/import/", DepositImportApiView.as_view(), name="deposit_import"),
    path("statements/", StatementApiView.as_view(), name="statement"),
    path("usage-reports/", UsageReportApiView.as_view(), name="usage_report"),
    path("", include(router.urls)),
]
