"""The desk's pages about portal logins (/desk/portal/…)."""

from django.urls import path

from sales_erp.portal import views

app_name = "portal_desk"
urlpatterns = [
    path("customers/<int:pk>/accounts/", views.PortalAccountsView.as_view(), name="accounts"),
]
