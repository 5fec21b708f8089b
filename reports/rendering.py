"""Plain render functions: (kind, key) -> PDF bytes. Testable without a worker."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from buurtplatform.pdf import render_pdf
from platforms.models import Platform
from recognition.models import Round
from reports import data, exports
from reports.charts import bar_chart
from reports.models import ReportJob
from reports.models import data_version as short_version

TEMPLATES = {
    ReportJob.Kind.PLATFORM_YEAR: "reports/pdf/platform_year.html",
    ReportJob.Kind.ROUND_DECISION: "reports/pdf/round_decision.html",
    ReportJob.Kind.DISTRICT_YEAR: "reports/pdf/district_year.html",
    ReportJob.Kind.MEETING_PACK: "reports/pdf/meeting_pack.html",
}


class ReportTooLarge(Exception):
    """The report would be too big to render safely."""


def parse_platform_key(key: str) -> tuple[str, int]:
    slug, _, year = key.rpartition("/")
    return slug, int(year)


def report_context(kind: str, key: str) -> dict:
    if kind == ReportJob.Kind.PLATFORM_YEAR:
        slug, year = parse_platform_key(key)
        platform = get_object_or_404(Platform, slug=slug)
        rows = platform.activities.filter(start_date__year=year).count()
        if rows > settings.REPORTS_MAX_ROWS:
            raise ReportTooLarge(rows)
        context = data.platform_year(platform, year)
        context["chart"] = bar_chart(
            [
                (line.description or line.category, [line.planned_amount, line.spent])
                # Lines, or a budget's granted total while it is not re-budgeted.
                for line in context["plan_rows"]
            ],
            [_("Begroot"), _("Uitgegeven")],
            _("Begroot en uitgegeven per begrotingspost"),
        )
        return context
    if kind == ReportJob.Kind.ROUND_DECISION:
        round_obj = get_object_or_404(Round, slug=key, status=Round.Status.PUBLISHED)
        return data.round_decision(round_obj)
    if kind == ReportJob.Kind.MEETING_PACK:
        from accounts.models import User

        slug, _sep, member_id = key.rpartition("/")
        round_obj = get_object_or_404(Round.objects.exclude(status=Round.Status.DRAFT), slug=slug)
        member = get_object_or_404(User, pk=int(member_id))
        return data.meeting_pack(round_obj, member)
    if kind == ReportJob.Kind.DISTRICT_YEAR:
        overview = data.district_overview(int(key))
        overview.update(overview_charts(overview))
        return overview
    raise ValueError(kind)


def overview_charts(overview: dict) -> dict:
    series = [_("Toegekend"), _("Uitgegeven")]
    return {
        "platform_chart": bar_chart(
            [(r.label, [r.granted, r.spent]) for r in overview["platforms"]],
            series,
            _("Toegekend en uitgegeven per platform in %(year)s") % {"year": overview["year"]},
        ),
        "buurt_chart": bar_chart(
            [(f"{r.code} {r.label}", [r.granted, r.spent]) for r in overview["buurten"]],
            series,
            _("Toegekend en uitgegeven per buurt in %(year)s") % {"year": overview["year"]},
        ),
    }


def file_extension(kind: str, key: str) -> str:
    """The stored file's extension: a PDF, or the accountant export's own format."""
    if kind == ReportJob.Kind.LEDGER_EXPORT:
        return exports.parse_key(key)[1].extension
    return "pdf"


def verify_url(kind: str, key: str, context: dict) -> str:
    """The address where the report's SHA-256 is published (in the current language): the
    transparency page of its year, or, for the private meeting pack, the pack itself (its
    response carries the hash)."""
    if kind == ReportJob.Kind.MEETING_PACK:
        path = reverse("reports:meeting_pack", args=[context["round"].slug])
    else:
        year = context["round"].budget_year if kind == ReportJob.Kind.ROUND_DECISION else None
        year = year or context.get("year")
        if year in data.years_available():
            path = reverse("reports:transparency_year", args=[year])
        else:
            path = reverse("reports:transparency")
    return f"{settings.SITE_URL}{path}"


def render_report(
    kind: str,
    key: str,
    *,
    language: str = "nl",
    report_id: int | None = None,
    data_version: str | None = None,
    fetcher=None,
) -> bytes:
    """Render one report in Dutch (the published language) or English to PDF bytes (or, for
    the accountant's export, always Dutch, to its CSV, XLSX, XAF or ZIP file).

    Every page's footer prints the report id (the job's id; "concept" when rendered outside
    the pipeline), the data version (the job's data fingerprint) and where the SHA-256 is
    published."""
    if kind == ReportJob.Kind.LEDGER_EXPORT:
        try:
            with translation.override("nl"):
                return exports.render_export(key)
        except exports.ExportTooLarge as exc:
            raise ReportTooLarge(str(exc)) from exc
    if data_version is None:
        from reports.services import compute_fingerprint

        data_version = compute_fingerprint(kind, key)
    with translation.override("en" if language == "en" else "nl"):
        context = report_context(kind, key)
        context["generated_at"] = timezone.localtime()
        context["created_iso"] = context["generated_at"].replace(microsecond=0).isoformat()
        context["kind"] = kind
        context["report_id"] = report_id
        context["data_version"] = short_version(data_version)
        context["verify_url"] = verify_url(kind, key, context)
        return render_pdf(TEMPLATES[kind], context, fetcher=fetcher)
