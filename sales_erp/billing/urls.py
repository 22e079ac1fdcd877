from django.urls import path

from sales_erp.billing import views

app_name = "billing"

urlpatterns = [
    path("usage/import/", views.UsageImportView.as_view(), name="usage_import"),
    path("bills/generate/", views.BillGenerateView.as_view(), name="bill_generate"),
    path("bills/run/", views.BillRunView.as_view(), name="bill_run"),
]
