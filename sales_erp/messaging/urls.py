from django.urls import path

from sales_erp.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.MessageListView.as_view(), name="list"),
    path("<int:pk>/open/", views.MessageOpenView.as_view(), name="open"),
]
