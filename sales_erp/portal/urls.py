from django.urls import path

from sales_erp.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("bills/", views.BillListView.as_view(), name="bills"),
    path("bills/<int:pk>/", views.BillDetailView.as_view(), name="bill"),
    path("deposits/", views.DepositListView.as_view(), name="deposits"),
    path("usage/", views.UsageView.as_view(), name="usage"),
    path("bills/<int:pk>/customer-count/", views.CustomerCountView.as_view(), name="customer_count"),
    path("statements/", views.StatementsView.as_view(), name="statements"),
    path("statements/file/", views.DocumentFileView.as_view(kind="statement"), name="statement_file"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("reports/file/", views.DocumentFileView.as_view(kind="report"), name="report_file"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("write-offs/", views.WriteOffListView.as_view(), name="write_offs"),
    path("write-offs/<int:pk>/", views.WriteOffDetailView.as_view(), name="write_off"),
    path("prepaid/", views.PrepaidView.as_view(), name="prepaid"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
