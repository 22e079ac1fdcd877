from django.urls import path

from sales_erp.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<str:name>/run/", views.JobRunNowView.as_view(), name="run"),
]
