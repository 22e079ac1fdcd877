"""gunicorn settings for `make prod` (scripts/prod.sh) and any production host.

Environment: PORT (8000), BIND_HOST (127.0.0.1), WEB_CONCURRENCY (worker processes),
FORWARDED_ALLOW_IPS (read by gunicorn itself: proxies trusted to say the browser used HTTPS).
"""

import multiprocessing
import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Each worker is one process with its own database connection; more of them serve more desks at once.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = 1
# Load the app once, in the master: a dead database or Redis then stops start-up with one sentence
# (sales_erp/wsgi.py checks them) instead of every worker failing on its own.
preload_app = True
# Imports of large usage files run inside a request; give them time before the worker is recycled.
timeout = 300
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
proc_name = "sales_erp"
# gunicorn's runtime control socket sits at one fixed path per user, which a second stack on the same
# machine (a test run next to `make prod`) would take over; nothing here uses it.
control_socket_disable = True
