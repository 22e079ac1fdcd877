from django.urls import path

from sales_erp.deposits import views

app_name = "deposits"

urlpatterns = [
    path("pool/", views.DepositPoolView.as_view(), name="pool"),
    path("<int:pk>/", views.DepositDetailView.as_view(), name="detail"),
    path("import/", views.DepositImportView.as_view(), name="import"),
    path("imports/<int:pk>/", views.DepositImportDetailView.as_view(), name="import_detail"),
]
