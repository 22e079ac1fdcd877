from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sales_erp.desk.views import GlobalSearchView
from sales_erp.ops.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("desk/jobs/", include("sales_erp.jobs.urls")),
    # Each app's own desk pages (sales_erp/<app>/urls.py, views built on desk.views.DeskView) go here,
    # as path("desk/<app>/", include(...)), before the admin, whose catch-all would otherwise answer them.
    path("desk/workflow/", include("sales_erp.workflow.urls")),
    path("desk/messages/", include("sales_erp.messaging.urls")),
    path("desk/workbench/", include("sales_erp.workbench.urls")),
    path("desk/find/", GlobalSearchView.as_view(), name="desk_search"),
    path("desk/customers/", include("sales_erp.customers.urls")),
    path("desk/pricing/", include("sales_erp.pricing.urls")),
    path("desk/billing/", include("sales_erp.billing.urls")),
    path("desk/reconciliation/", include("sales_erp.reconciliation.urls")),
    path("desk/statements/", include("sales_erp.statements.urls")),
    path("desk/deposits/", include("sales_erp.deposits.urls")),
    path("desk/writeoffs/", include("sales_erp.writeoffs.urls")),
    path("desk/prepaid/", include("sales_erp.prepaid.urls")),
    path("desk/portal/", include("sales_erp.portal.desk_urls")),
    path("desk/reports/", include("sales_erp.reports.urls")),
    path("desk/", admin.site.urls),
    path("api/", include("sales_erp.api.urls")),  # REST API (usage push and quote keep their URLs)
    path("portal/", include("sales_erp.portal.urls")),  # the customers' own site
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
