from django.core.management.base import BaseCommand, CommandError

from sales_erp import hooks
from sales_erp.jobs.services import UnknownJob, job_run


class Command(BaseCommand):
    help = "Run a periodic job now, e.g. `run_job bill_run month=2026-10`. Jobs: " + ", ".join(
        sorted(hooks.PERIODIC_JOBS)
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("params", nargs="*", help="key=value arguments for the job")

    def handle(self, *args, **options):
        params = {}
        for pair in options["params"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"参数 '{pair}' 应写成 key=value")
            params[key] = value
        try:
            run = job_run(name=options["name"], **params)
        except UnknownJob as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{run.name}: {run.status} {run.report}")
