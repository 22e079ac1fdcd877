#!/usr/bin/env python
import os
import sys

# Commands that need the database before they can do anything useful: check it first, so an
# unreachable server is one clear sentence instead of a traceback.
NEEDS_SERVICES = {"runserver", "migrate", "erp_setup", "demo_month", "run_job"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sales_erp.settings")
    import django
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] in NEEDS_SERVICES and os.environ.get("RUN_MAIN") != "true":
        django.setup()
        from sales_erp.startup import check_services

        check_services()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
