import MySQLdb
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sales_erp.ops.databases import database_create


class Command(BaseCommand):
    help = "Create the configured MariaDB database (utf8mb4) unless it exists. Idempotent; nothing to do on SQLite."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        try:
            created = database_create()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except MySQLdb.Error as exc:
            raise CommandError(
                f"MariaDB at {db['HOST']}:{db['PORT']} refused to create {db['NAME']} ({exc.args[-1]}); "
                "start MariaDB or fix DB_HOST/DB_PORT/DB_USER/DB_PASSWORD."
            ) from None
        self.stdout.write(f"  database {db['NAME']}: {'created' if created else 'exists'}")
