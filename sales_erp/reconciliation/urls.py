from django.urls import path

from sales_erp.reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customers"),
    path("<int:customer_id>/", views.ReconciliationPageView.as_view(), name="page"),
    path("<int:customer_id>/statement/", views.StatementView.as_view(), name="statement"),
]
