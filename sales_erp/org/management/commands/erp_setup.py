from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from sales_erp import hooks


class Command(BaseCommand):
    help = "Load roles, process definitions, job schedules and (outside production) demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="skip the demo data")

    def handle(self, *args, **options):
        with_demo = not (options["no_demo"] or settings.PRODUCTION)
        for path, is_demo in hooks.SETUP_STEPS:
            if is_demo and not with_demo:
                continue
            self.stdout.write(f"  {path}")
            import_string(path)()
        self.stdout.write(self.style.SUCCESS("setup done"))
