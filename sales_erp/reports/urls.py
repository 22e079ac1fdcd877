from django.urls import path

from sales_erp.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("<slug:code>/", views.ReportView.as_view(), name="report"),
]
