"""The Celery app. In embedded mode tasks run eagerly in the calling process (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")

app = Celery("sales_erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["sales_erp.jobs"])
