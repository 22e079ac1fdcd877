from django.urls import path

from sales_erp.statements import views

app_name = "statements"

urlpatterns = [
    path("usage-report/", views.UsageReportView.as_view(), name="usage_report"),
]
