from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sales_erp.billing.api import UsagePushApiView
from sales_erp.pricing.api import QuoteApiView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Each app's own desk pages (sales_erp/<app>/urls.py, views built on desk.views.DeskView) go here,
    # as path("desk/<app>/", include(...)), before the admin, whose catch-all would otherwise answer them.
    path("desk/pricing/", include("sales_erp.pricing.urls")),
    path("desk/billing/", include("sales_erp.billing.urls")),
    path("desk/", admin.site.urls),
    path("api/billing/usage/", UsagePushApiView.as_view(), name="api_usage_push"),
    path("api/pricing/quote/", QuoteApiView.as_view(), name="api_quote"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
