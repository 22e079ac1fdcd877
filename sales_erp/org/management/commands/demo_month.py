from django.core.management.base import BaseCommand

from sales_erp.org.demo_month import demo_month_run


class Command(BaseCommand):
    help = "The demo month: October 2026 billed, reconciled, invoiced, paid and written off, interest. Idempotent."

    def handle(self, *args, **options):
        for line in demo_month_run():
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("demo month done"))
