"""The "Mijn platform" page: one page per platform for its members, from the apps' selectors
and models (platforms, recognition, budgets). Reads only; every action links to the owning
app's own page, which checks its own permissions again."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from budgets import permissions as budget_perms
from budgets import selectors as budget_selectors
from budgets.models import ExpenseClaim
from platforms import selectors as platform_selectors
from platforms.models import Activity, Invitation, PartnerConfirmation, Platform
from recognition import selectors as recognition_selectors
from recognition.models import Application, Decision, Round

OPEN_CLAIM_STATUSES = (
    ExpenseClaim.Status.DRAFT,
    ExpenseClaim.Status.SUBMITTED,
    ExpenseClaim.Status.CHANGES_REQUESTED,
)


def open_rounds_without_application(platform: Platform) -> list[Round]:
    """Rounds open for applications (before the deadline) the platform has not applied to;
    none for an archived platform."""
    if not platform_selectors.takes_new_work(platform):
        return []
    applied = set(
        Application.objects.filter(platform=platform)
        .exclude(status=Application.Status.WITHDRAWN)
        .values_list("round_id", flat=True)
    )
    return [
        rnd
        for rnd in Round.objects.filter(status=Round.Status.OPEN).order_by("application_deadline")
        if recognition_selectors.is_before_deadline(rnd) and rnd.pk not in applied
    ]


def overview(user: Any, platform: Platform) -> dict[str, Any]:
    """Everything the platform page for members shows: to-dos first, then the details."""
    membership = platform_selectors.membership_of(user, platform)
    coordinator = platform_selectors.is_coordinator(user, platform)
    year = timezone.localdate().year

    activities_this_year = Activity.objects.filter(platform=platform, start_date__year=year)
    waiting_confirmations = list(
        PartnerConfirmation.objects.filter(
            activity__platform=platform,
            status=PartnerConfirmation.Status.REQUESTED,
            expires_at__gt=timezone.now(),
        )
        .select_related("activity")
        .order_by("requested_at")
    )

    budgets = budget_selectors.platform_budgets(platform)
    open_plans = budget_selectors.open_plan_versions(budgets)
    rebudget = [b for b in budgets if not b.plan_matches and b.pk not in open_plans]  # type: ignore[attr-defined]
    for budget in budgets:
        budget.may_claim = not budget.closed and budget_perms.can_submit_claim(user, budget)  # type: ignore[attr-defined]

    claims = ExpenseClaim.objects.filter(budget__platform=platform).select_related(
        "budget_line", "budget", "submitted_by"
    )
    if not coordinator:
        claims = claims.filter(submitted_by=user)
    claims = claims.order_by("-id")
    sent_back = [c for c in claims if c.status == ExpenseClaim.Status.CHANGES_REQUESTED]

    applications = list(
        Application.objects.filter(platform=platform)
        .select_related("round")
        .order_by("-round__budget_year", "-created_at")
    )
    decisions: dict[int, Decision] = {}
    for decision in Decision.objects.filter(
        application__platform=platform, status=Decision.Status.PUBLISHED
    ).order_by("published_at", "id"):
        decisions[decision.application_id] = decision  # the newest published one wins
    for application in applications:
        application.latest_decision = decisions.get(application.pk)  # type: ignore[attr-defined]

    members = platform.memberships.select_related("user").order_by("role", "user__name")
    invitations = (
        Invitation.objects.filter(
            platform=platform,
            status=Invitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        ).order_by("-id")
        if coordinator
        else Invitation.objects.none()
    )

    todo = {
        "no_activities": not activities_this_year.exists(),
        "confirmations": waiting_confirmations,
        "open_rounds": open_rounds_without_application(platform),
        "sent_back": sent_back,
        "rebudget": rebudget,
    }
    todo["any"] = any(todo.values())
    return {
        "platform": platform,
        "membership": membership,
        "is_coordinator": coordinator,
        "year": year,
        "todo": todo,
        "budgets": budgets,
        "open_plans": open_plans,
        "claims": claims[:50],
        "applications": applications,
        "recognition_status": Platform.RecognitionStatus(
            recognition_selectors.recognition_status_of(platform)
        ).label,
        "members": members,
        "invitations": invitations,
    }
