"""Who may do what with reports. Reading is public; retrying a failed report is for staff."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.roles import is_admin, is_support
from budgets.permissions import can_administer
from reports.models import ReportJob


def can_retry_report(user, job: ReportJob | None = None) -> bool:
    return is_support(user) or is_admin(user)


def can_export_accounts(user) -> bool:
    """The accountant's export (every platform's books with private descriptions, and the
    receipts): support staff only."""
    return can_administer(user)


def get_report_job_for_user(user, pk: int, *, write: bool = False) -> ReportJob:
    job = get_object_or_404(ReportJob, pk=pk)
    if write and not can_retry_report(user, job):
        raise PermissionDenied
    return job
