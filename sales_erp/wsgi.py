import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")
application = get_wsgi_application()

from sales_erp.startup import check_services  # noqa: E402

check_services()
