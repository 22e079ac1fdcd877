from django.urls import path
from django.views.generic import RedirectView

from sales_erp.workflow import views

app_name = "workflow"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workflow:inbox", permanent=False)),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("start/", views.StartListView.as_view(), name="start_list"),
    path("start/<slug:code>/", views.StartView.as_view(), name="start"),
    path("start/<slug:code>/draft/", views.DraftView.as_view(), name="draft"),
    path("delegations/", views.DelegationView.as_view(), name="delegations"),
    path("<int:pk>/", views.InstanceView.as_view(), name="instance"),
    path("<int:pk>/act/", views.ActionView.as_view(), name="act"),
    path("<int:pk>/edit/", views.ResubmitView.as_view(), name="resubmit"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attach"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
]
