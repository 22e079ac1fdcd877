from django.urls import path

from sales_erp.pricing import views

app_name = "pricing"

urlpatterns = [
    path("schedules/new/", views.PriceScheduleCreateView.as_view(), name="schedule_create"),
    path("schedules/<int:pk>/<str:action>/", views.ScheduleActionView.as_view(), name="schedule_action"),
    path("quote/", views.QuoteView.as_view(), name="quote"),
]
