from django.urls import path

from sales_erp.writeoffs import views

app_name = "writeoffs"

urlpatterns = [
    path("", views.WriteOffHomeView.as_view(), name="home"),
    path("new/<int:customer_id>/", views.WriteOffNewView.as_view(), name="new"),
    path("<int:pk>/", views.WriteOffDetailView.as_view(), name="detail"),
    path("commission/", views.CommissionView.as_view(), name="commission"),
]
