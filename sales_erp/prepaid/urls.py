from django.urls import path

from sales_erp.prepaid import views

app_name = "prepaid"

urlpatterns = [
    path("balances/", views.BalanceListView.as_view(), name="balances"),
    path("accounts/<int:pk>/", views.AccountBalanceView.as_view(), name="account"),
]
