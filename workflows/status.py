"""/status: what an operator needs to know at a glance, as a page and as JSON for a monitor.

``/healthz`` stays the liveness check (is the process up, can it reach the database and the
broker). This page goes further and spans the apps, so it lives in the top layer: the checks of
buurtplatform/status.py (database, broker, queue, worker and beat heartbeats, failed e-mails,
the nightly ledger check), the report jobs (reports.models.ReportJob) and the last backup
(workflows/backup.py, when it is there). Every figure has a state: ok, warning or alert.

Who may look: staff (``is_staff`` or a superuser), or a machine that sends ``STATUS_TOKEN`` in
an ``Authorization: Bearer …`` or ``X-Status-Token`` header. Without any credentials the page
does not exist (404); with the wrong ones it is refused (403). Not "anyone from 127.0.0.1":
behind a reverse proxy on the same machine every visitor comes from there.
"""

from __future__ import annotations

import datetime
import hmac
import importlib
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from buurtplatform import status
from buurtplatform.status import ALERT, OK, WARNING, Check
from reports.models import ReportJob

PENDING_REPORT_WARNING_SECONDS = 10 * 60
PENDING_REPORT_ALERT_SECONDS = 30 * 60
FAILED_REPORTS_ALERT = 10
BACKUP_WARNING_SECONDS = 26 * 3600
BACKUP_ALERT_SECONDS = 50 * 3600
LEDGER_CHECK_TASK = "budgets.tasks.check_ledger_task"


# --- the figures that need the apps ---------------------------------------------------------


def check_oldest_pending_report() -> Check:
    label = gettext_lazy("Oudste wachtende rapport")
    since = ReportJob.objects.filter(status=ReportJob.Status.PENDING).aggregate(
        oldest=Min(Coalesce("requested_at", "enqueued_at", "updated_at"))
    )["oldest"]
    pending = ReportJob.objects.filter(status=ReportJob.Status.PENDING).count()
    if since is None:
        return Check(
            "oldest_pending_report", label, OK, _("Geen rapport wacht"), None, {"pending": 0}
        )
    age = max(0.0, (timezone.now() - since).total_seconds())
    state = status.age_state(age, PENDING_REPORT_WARNING_SECONDS, PENDING_REPORT_ALERT_SECONDS)
    return Check(
        "oldest_pending_report",
        label,
        state,
        _("%(count)s wachtend, het oudste sinds %(minutes)s min")
        % {"count": pending, "minutes": int(age // 60)},
        int(age),
        {"unit": "s", "pending": pending},
    )


def check_failed_reports() -> Check:
    failed = ReportJob.objects.filter(status=ReportJob.Status.FAILED).count()
    if failed >= FAILED_REPORTS_ALERT:
        state = ALERT
    elif failed:
        state = WARNING
    else:
        state = OK
    return Check(
        "failed_reports",
        gettext_lazy("Mislukte rapporten"),
        state,
        _("%(count)s mislukt (de nachtelijke verversing probeert ze opnieuw)") % {"count": failed},
        failed,
    )


def _moment(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    if isinstance(value, str):
        try:
            return _moment(datetime.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def check_backup() -> Check:
    label = gettext_lazy("Laatste geslaagde back-up")
    try:
        backup = importlib.import_module("workflows.backup")
        last = backup.last_successful_backup()
    except ImportError:
        return Check("backup", label, WARNING, _("Onbekend: er is geen back-upregistratie"), None)
    except Exception as exc:  # noqa: BLE001 - the page must render whatever the backup does
        return Check(
            "backup", label, WARNING, _("Onbekend: %(error)s") % {"error": type(exc).__name__}
        )
    if not last:
        return Check("backup", label, ALERT, _("Nog geen geslaagde back-up"), None)
    moment = next(
        (
            _moment(last.get(key))
            for key in ("at", "finished_at", "completed_at", "created_at", "time", "timestamp")
            if _moment(last.get(key)) is not None
        ),
        None,
    )
    if moment is None:
        return Check("backup", label, WARNING, _("Onbekend: geen tijdstip"), None)
    age = max(0.0, (timezone.now() - moment).total_seconds())
    state = status.age_state(age, BACKUP_WARNING_SECONDS, BACKUP_ALERT_SECONDS)
    summary = _("%(hours)s uur geleden") % {"hours": round(age / 3600, 1)}
    if last.get("exists") is False:  # recorded, but the archive is no longer where it was
        state = status.worst([state, WARNING])
        summary = _("%(hours)s uur geleden, maar het archief is er niet meer") % {
            "hours": round(age / 3600, 1)
        }
    return Check(
        "backup",
        label,
        state,
        summary,
        int(age),
        {"unit": "s", "at": moment.isoformat(), "archive_exists": last.get("exists")},
    )


def check_ledger() -> Check:
    return status.check_nightly_task(
        "ledger_check", gettext_lazy("Nachtelijke grootboekcontrole"), LEDGER_CHECK_TASK
    )


CHECKS = (
    status.check_database,
    status.check_broker,
    status.check_queue_length,
    status.check_worker,
    status.check_beat,
    check_oldest_pending_report,
    check_failed_reports,
    status.check_failed_emails,
    check_ledger,
    check_backup,
)


def collect() -> list[Check]:
    """Every figure; one that fails to compute becomes an alert instead of a broken page."""
    checks = []
    for check in CHECKS:
        try:
            checks.append(check())
        except Exception as exc:  # noqa: BLE001
            name = check.__name__.removeprefix("check_")
            checks.append(
                Check(name, name, ALERT, _("Fout: %(error)s") % {"error": type(exc).__name__})
            )
    return checks


# --- the view --------------------------------------------------------------------------------


def _presented_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Status-Token") or None


def may_see_status(request: HttpRequest) -> bool:
    """Staff, or a machine with the STATUS_TOKEN. 404 without any credentials (the public
    never learns the page exists), 403 with the wrong ones."""
    presented = _presented_token(request)
    if presented is not None:
        expected = settings.STATUS_TOKEN
        if expected and hmac.compare_digest(presented.encode(), expected.encode()):
            return True
        raise PermissionDenied
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if user.is_active and (user.is_staff or user.is_superuser):  # type: ignore[union-attr]
        return True
    raise PermissionDenied


def _as_json(checks: list[Check], overall: str, checked_at: datetime.datetime) -> dict:
    return {
        "status": overall,
        "checked_at": checked_at.isoformat(),
        "checks": {check.name: check.as_json() for check in checks},
    }


@never_cache
def status_page(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    may_see_status(request)
    started = time.perf_counter()
    checks = collect()
    overall = status.worst([check.state for check in checks])
    checked_at = timezone.now()
    if fmt == "json" or request.GET.get("format") == "json":
        return JsonResponse(_as_json(checks, overall, checked_at))
    context = {
        "checks": checks,
        "overall": overall,
        "checked_at": checked_at,
        "took_ms": round((time.perf_counter() - started) * 1000),
    }
    return render(request, "status.html", context)
