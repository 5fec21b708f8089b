"""Public report downloads (202 while being made), the transparency overview and open data."""

from __future__ import annotations

import base64
import io
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import role_required
from accounts.ratelimits import over_limit_for_client
from buurtplatform import conditional
from buurtplatform.pagecache import public_page
from platforms.models import Platform
from recognition.models import Round
from recognition.permissions import can_use_commission, get_commission_round_for_user
from reports import data, exports, opendata, services, tasks
from reports.models import ReportJob
from reports.permissions import (
    can_export_accounts,
    can_retry_report,
    get_report_job_for_user,
)
from reports.rendering import overview_charts

logger = logging.getLogger("reports")
REFRESH_SECONDS = 5


RATE_LIMIT = 30  # new report jobs one client may start per RATE_WINDOW
RATE_WINDOW = 600


def _over_rate_limit(request: HttpRequest) -> bool:
    """Count report jobs a client starts (the site's one limiter; fails open)."""
    return over_limit_for_client(request, "reports", limit=RATE_LIMIT, window=RATE_WINDOW)


def _serve(
    request: HttpRequest,
    kind: str,
    key: str,
    filename: str,
    title: str,
    *,
    content_type: str = "application/pdf",
    back_url: str = "",
) -> HttpResponse:
    # The URL's language (/en/… is English) picks the report's language: a job and file each.
    language = services.report_language(kind, get_language())
    fingerprint = services.compute_fingerprint(kind, key)
    job = services.find_job(kind, key, language)
    if language != "nl" and filename.endswith(".pdf"):
        filename = f"{filename[:-4]}-{language}.pdf"
    if job is not None and services.is_ready(job, fingerprint):
        return _pdf_response(job, filename, content_type)
    queued = job is not None and job.status in (ReportJob.Status.PENDING, ReportJob.Status.RUNNING)
    if not queued and _over_rate_limit(request):
        response = render(request, "reports/report_rate_limited.html", {"title": title}, status=429)
        response["Retry-After"] = str(RATE_WINDOW)
        return response
    job = services.request_report(kind=kind, key=key, language=language)
    job.refresh_from_db()
    if services.is_ready(job, services.compute_fingerprint(kind, key)):
        return _pdf_response(job, filename, content_type)
    context = {
        "job": job,
        "title": title,
        "can_retry": can_retry_report(request.user, job),
        "back_url": back_url,
    }
    if job.status == ReportJob.Status.FAILED:
        return render(request, "reports/report_failed.html", context, status=503)
    context["refresh"] = REFRESH_SECONDS
    response = render(request, "reports/report_pending.html", context, status=202)
    response["Retry-After"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# Reports for some people only: never cached by a shared cache, never kept by the browser.
PRIVATE_KINDS = {ReportJob.Kind.MEETING_PACK, ReportJob.Kind.LEDGER_EXPORT}


def _pdf_response(
    job: ReportJob, filename: str, content_type: str = "application/pdf"
) -> FileResponse:
    response = FileResponse(
        services.report_file(job).open("rb"), content_type=content_type, filename=filename
    )
    # A PDF opens in the browser; an export (CSV, XLSX, XAF, ZIP) is a download.
    disposition = "inline" if content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # The file cannot hold its own hash: the response carries it (RFC 9530 Repr-Digest, the
    # base64 SHA-256 of the bytes served), as does the transparency page, next to the link.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(job.sha256)).decode()}:"
    response["X-Report-SHA256"] = job.sha256
    response["X-Report-Id"] = str(job.pk)
    response["X-Report-Data-Version"] = job.data_version
    response["Content-Language"] = job.language
    private = job.kind in PRIVATE_KINDS
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=60"
    return response


def _check_year(year: int) -> None:
    """Reports exist only for plausible years (no job rows for 1900 or 2099)."""
    if not 2015 <= year <= timezone.localdate().year + 1:
        raise Http404


def platform_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    _check_year(year)
    platform = get_object_or_404(Platform, slug=slug)
    return _serve(
        request,
        ReportJob.Kind.PLATFORM_YEAR,
        f"{platform.slug}/{year}",
        f"jaarverslag-{platform.slug}-{year}.pdf",
        f"{platform.name} {year}",
    )


def round_report(request: HttpRequest, slug: str) -> HttpResponse:
    round_obj = get_object_or_404(Round, slug=slug, status=Round.Status.PUBLISHED)
    return _serve(
        request,
        ReportJob.Kind.ROUND_DECISION,
        round_obj.slug,
        f"besluit-{round_obj.slug}.pdf",
        round_obj.title,
    )


@login_required
@role_required(can_use_commission)
def meeting_pack(request: HttpRequest, slug: str) -> HttpResponse:
    """The commission's meeting pack for the member asking (their conflicts left out)."""
    round_obj = get_commission_round_for_user(request.user, slug)
    response = _serve(
        request,
        ReportJob.Kind.MEETING_PACK,
        f"{round_obj.slug}/{request.user.pk}",
        f"vergaderstukken-{round_obj.slug}.pdf",
        _("Vergaderstukken %(round)s") % {"round": round_obj.title},
    )
    response["Cache-Control"] = "private, no-store"
    return response


def district_report(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    return _serve(
        request,
        ReportJob.Kind.DISTRICT_YEAR,
        str(year),
        f"buurtbudgetten-zuidoost-{year}.pdf",
        f"Zuidoost {year}",
    )


# --- the accountant's export (administration, support staff only) ---------------------------


@login_required
@role_required(can_export_accounts)
def accounts_exports(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The budget year's files for the accountant, each made by the report pipeline."""
    years = data.accounts_export_years()
    if year is None:
        year = years[0] if years else timezone.localdate().year
    elif year not in years:
        raise Http404
    files = exports.FILES + [exports.MONTH_FILES[m - 1] for m in data.receipt_months(year)]
    jobs = {
        j.key: j
        for j in ReportJob.objects.filter(
            kind=ReportJob.Kind.LEDGER_EXPORT, key__in=[f"{year}/{f.name}" for f in files]
        )
    }
    return render(
        request,
        "reports/accounts_exports.html",
        {
            "year": year,
            "years": years,
            "files": [(f, jobs.get(f"{year}/{f.name}")) for f in files],
        },
    )


@login_required
@role_required(can_export_accounts)
def accounts_export_file(request: HttpRequest, year: int, name: str) -> HttpResponse:
    """One file of the export: 202 while it is made, then the file (private, not stored)."""
    _check_year(year)
    file = exports.BY_NAME.get(name)
    if file is None:
        raise Http404
    response = _serve(
        request,
        ReportJob.Kind.LEDGER_EXPORT,
        f"{year}/{name}",
        f"buurtbudgetten-{year}-{name}",
        f"{file.label} {year}",
        content_type=file.content_type,
        back_url=reverse("reports:accounts_exports_year", args=[year]),
    )
    response["Cache-Control"] = "private, no-store"
    if response.status_code == 200 and name in exports.ACCOUNTS:
        services.mark_accounts_exported(year=year, by=request.user)
    return response


@login_required
@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_report_job_for_user(request.user, pk, write=True)
    try:
        services.retry_report(job=job, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Het rapport wordt opnieuw gemaakt."))
    return redirect("reports:transparency")


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # a cache outage (Redis down) must never break a public page
        logger.warning("reports: cache unavailable")
        return None


def _cache_set(key: str, value, timeout: int = 3600) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("reports: cache unavailable")


@public_page
def transparency(request: HttpRequest, year: int | None = None) -> HttpResponse:
    years = data.years_available()
    if year is None:
        year = years[0] if years else timezone.localdate().year
    elif year not in years and years:
        raise Http404
    fingerprint = services.compute_fingerprint(ReportJob.Kind.DISTRICT_YEAR, str(year))
    cache_key = f"reports:overview:{year}:{get_language()}:{fingerprint}"
    overview = _cache_get(cache_key)
    if overview is None:
        overview = data.district_overview(year)
        overview.update(overview_charts(overview))
        _cache_set(cache_key, overview)
    rounds = list(
        Round.objects.filter(budget_year=year, status=Round.Status.PUBLISHED).order_by("title")
    )
    keys = (
        [str(year)] + [r.slug for r in rounds] + [f"{p.code}/{year}" for p in overview["platforms"]]
    )
    language = services.report_language(ReportJob.Kind.DISTRICT_YEAR, get_language())
    jobs = {(j.kind, j.key): j for j in ReportJob.objects.filter(key__in=keys, language=language)}
    district_job = jobs.get((ReportJob.Kind.DISTRICT_YEAR, str(year)))
    context = {
        **overview,
        "years": years,
        "rounds": [(r, jobs.get((ReportJob.Kind.ROUND_DECISION, r.slug))) for r in rounds],
        "district_job": district_job,
        "district_current": district_job is not None
        and district_job.data_fingerprint == fingerprint,
        "platform_jobs": [
            (r, jobs.get((ReportJob.Kind.PLATFORM_YEAR, f"{r.code}/{year}")))
            for r in overview["platforms"]
        ],
        "can_retry": can_retry_report(request.user),
    }
    return render(request, "reports/transparency.html", context)


@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/open_data.html",
        {
            "datasets": opendata.field_dictionary(get_language()),
            "attribution": opendata.ATTRIBUTION_EN
            if get_language() == "en"
            else opendata.ATTRIBUTION,
            "license": opendata.LICENSE,
        },
    )


def _dataset(name: str) -> str:
    if name not in opendata.DATASETS:
        raise Http404
    return name


def _open_data_file(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    """One open data file: built once per public data version (CSV and JSON streamed to the
    first visitor while being written), then served from disk with ETag, Last-Modified, 304,
    CORS and a Cache-Control a reverse proxy may keep (buurtplatform.conditional)."""
    name = _dataset(name)
    language = get_language()
    content_type = opendata.FORMATS[fmt]

    def build(version: str | None) -> HttpResponseBase:
        response: HttpResponseBase
        if version is None:  # unversioned (page cache off: tests, dev): fresh, nothing kept
            if fmt == "xlsx":
                out = io.BytesIO()
                opendata.write_xlsx(name, language, out)
                content = out.getvalue()
            else:
                content = "".join(opendata.text_chunks(name, fmt, None)).encode("utf-8")
            response = HttpResponse(content, content_type=content_type)
        else:
            path = opendata.export_path(version, name, fmt, language)
            if not path.is_file() and fmt == "xlsx":
                path = opendata.build(version, name, fmt, language)
            if path.is_file():
                response = FileResponse(path.open("rb"), content_type=content_type)
            else:
                response = StreamingHttpResponse(
                    opendata.stream_and_store(version, name, fmt, language),
                    content_type=content_type,
                )
        disposition = "attachment" if fmt == "xlsx" else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
        return response

    def served_version(version: str) -> str:
        """XLSX takes seconds at scale: while a new version is built in the background, the
        previous one is served (with its own ETag); the very first one is built here."""
        if fmt != "xlsx" or opendata.export_path(version, name, fmt, language).is_file():
            return version
        stale = opendata.latest_built(name, fmt, language)
        if stale is None and settings.CELERY_TASK_ALWAYS_EAGER:
            return version  # no worker (embedded default): built here, in the request
        lock = f"opendata:building:{version}:{name}:{fmt}:{language}"
        try:
            start = cache.add(lock, 1, 900)
        except Exception:  # a cache outage: build without the lock
            start = True
        if start:
            tasks.build_open_data_task.delay(version, name, fmt, language)
        # Without a worker (eager tasks) the file is built by now.
        current = opendata.export_path(version, name, fmt, language).is_file()
        if current:
            return version
        if stale is None:  # the very first workbook: a worker makes it, the visitor waits
            raise _OpenDataPending
        return stale

    try:
        return conditional.versioned(
            request, ("open-data", name, fmt, language), build, served_version=served_version
        )
    except _OpenDataPending:
        response = render(
            request,
            "reports/open_data_pending.html",
            {"refresh": REFRESH_SECONDS * 2, "name": name, "fmt": fmt},
            status=503,
        )
        response["Retry-After"] = str(REFRESH_SECONDS * 2)
        response["Cache-Control"] = "no-store"
        return response


class _OpenDataPending(Exception):
    """No workbook of this dataset exists yet; a worker is building the first one."""


@require_safe
def dataset_csv(request: HttpRequest, name: str) -> HttpResponseBase:
    return _open_data_file(request, name, "csv")


@require_safe
def dataset_json(request: HttpRequest, name: str) -> HttpResponseBase:
    return _open_data_file(request, name, "json")


@require_safe
def dataset_xlsx(request: HttpRequest, name: str) -> HttpResponseBase:
    return _open_data_file(request, name, "xlsx")


@require_safe
def transactions_csv(request: HttpRequest) -> HttpResponseBase:
    """transactions.csv: one row per transaction (its lines are in entries.csv)."""
    return _open_data_file(request, "transactions", "csv")


@require_safe
def datapackage_json(request: HttpRequest) -> HttpResponseBase:
    """The Frictionless Data Package describing every CSV (one source: opendata.SCHEMAS)."""
    homepage = f"{settings.SITE_URL.rstrip('/')}{reverse('reports:open_data')}"

    def build(version: str | None) -> HttpResponseBase:
        return JsonResponse(
            opendata.datapackage(version, homepage),
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )

    return conditional.versioned(request, ("open-data", "datapackage", get_language()), build)


def threesixty_json(request: HttpRequest) -> HttpResponse:
    from reports import threesixty

    return JsonResponse(
        threesixty.package(), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
