"""python manage.py import_gebieden FILE: import the municipality's buurten (GeoJSON or CSV)."""

from django.core.management.base import BaseCommand, CommandError

from areas.importing import ImportFileError, import_file


class Command(BaseCommand):
    help = (
        "Importeer de gebiedsindeling van de gemeente (GeoJSON-export of CSV). Idempotent: "
        "meldt toegevoegde, hernoemde en opgeheven buurten; een fout bestand verandert niets."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="pad naar buurten.geojson of buurten.csv")

    def handle(self, *args, **options):
        try:
            report = import_file(options["file"])
        except ImportFileError as exc:
            raise CommandError(f"Niet geïmporteerd, er is niets veranderd: {exc}") from exc
        out = self.stdout
        out.write(f"{report.total} buurten in het bestand.")
        out.write(f"Toegevoegd: {len(report.added)}")
        if report.added:
            out.write("  " + ", ".join(report.added))
        out.write(f"Hernoemd: {len(report.renamed)}")
        for code, old, new in report.renamed:
            out.write(f"  {code}: {old} -> {new}")
        out.write(f"Opgeheven: {len(report.retired)}")
        if report.retired:
            out.write("  " + ", ".join(report.retired))
        if report.reactivated:
            out.write(f"Weer actief: {len(report.reactivated)}: " + ", ".join(report.reactivated))
        if not report.changed:
            out.write(self.style.SUCCESS("Geen wijzigingen: de indeling was al actueel."))
        else:
            out.write(self.style.SUCCESS("Klaar."))
