from django.urls import path

from sales_erp.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.WorkbenchView.as_view(), name="home"),
]
