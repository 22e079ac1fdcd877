from django.core.management.base import BaseCommand

from sales_erp.statements.fonts import font_dir, statement_fonts_ensure


class Command(BaseCommand):
    help = (
        "Cut the PDFs' CJK font copies into var/fonts/ now (once; about half a minute). Without it the first "
        "PDF cuts them. `make run` and `make test` run it; production start-up does not wait for it."
    )

    def handle(self, *args, **options):
        faces = statement_fonts_ensure()
        self.stdout.write(f"PDF fonts in {font_dir()}: {len(faces)} face(s) ready")
