from django.urls import path

from sales_erp.customers import views

app_name = "customers"

urlpatterns = [
    path("<int:pk>/", views.CustomerPageView.as_view(), name="page"),
    path("pool/", views.PoolView.as_view(), name="pool"),
    path("warnings/", views.WarningsView.as_view(), name="warnings"),
    path("locate/", views.CustomerLocateView.as_view(), name="locate"),
    path("check-name/", views.NameCheckView.as_view(), name="check_name"),
]
