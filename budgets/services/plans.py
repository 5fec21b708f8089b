"""Re-budgeting: a new version of a budget's plan lines.

When a grant is lower than asked (book_grant copies the application's lines as they were) or a
later decision changes it (adjust_grant), the lines no longer add up to the grant
(budgets.selectors.plan_matches_grant). The platform's coordinator then proposes a plan version
whose lines add up to the grant exactly; a support person other than the proposer approves it
(four eyes, budgets.permissions.can_review_plan_version), which sets the BudgetLine amounts, or
rejects it with a reason. A line with money spent or approved on it cannot go below that; a line
without claims that is left out is removed, one with claims stays at € 0.

Lock order as elsewhere: the budget row first, then the plan version.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.models import AuditEntry
from audit.services import record
from budgets import permissions, selectors
from budgets.models import Account, Budget, BudgetLine, Entry, PlanVersion
from budgets.services.ledger import (
    ZERO,
    PeriodClosedError,
    is_budget_closed,
    is_grant_reversed,
    line_account,
    lock_timeout,
    money,
)
from buurtplatform.emails import absolute_url, send_templated_email
from buurtplatform.formatting import format_money

OPEN = (PlanVersion.Status.DRAFT, PlanVersion.Status.SUBMITTED)


def _amount(value: Any) -> Decimal:
    if value is None or str(value).strip() == "":
        return ZERO
    try:
        amount = money(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Vul bij elke post een bedrag in euro's in.")) from exc
    if amount < 0:
        raise ValidationError(_("Een bedrag kan niet negatief zijn."))
    return amount


def _normalise(budget: Budget, lines: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The proposed lines as stored in PlanVersion.lines: existing lines by id (of this budget,
    once each), new lines with a category and a description; new lines of € 0 are dropped."""
    existing = set(BudgetLine.objects.filter(budget=budget).values_list("pk", flat=True))
    seen: set[int] = set()
    out: list[dict[str, Any]] = []
    for item in lines:
        amount = _amount(item.get("amount"))
        pk = item.get("line")
        if pk:
            pk = int(pk)
            if pk not in existing or pk in seen:
                raise ValidationError(_("Deze begrotingspost hoort niet bij dit budget."))
            seen.add(pk)
            out.append({"line": pk, "category": "", "description": "", "amount": str(amount)})
            continue
        category = str(item.get("category") or "").strip()[:100]
        description = str(item.get("description") or "").strip()[:300]
        if not category and not description and amount == 0:
            continue
        if not category or not description:
            raise ValidationError(_("Geef elke nieuwe post een categorie en een omschrijving."))
        if amount == 0:
            raise ValidationError(
                _("Geef de nieuwe post ‘%(line)s’ een bedrag.") % {"line": description}
            )
        out.append(
            {"line": None, "category": category, "description": description, "amount": str(amount)}
        )
    return out


def _check_against_books(budget: Budget, lines: list[dict[str, Any]]) -> None:
    """The lines add up to the grant exactly, and no line goes below what is spent or approved
    on it (nor disappears while claims on it are open)."""
    errors: list[str] = []
    total = sum((Decimal(item["amount"]) for item in lines), ZERO)
    granted = money(budget.granted_amount)
    if total != granted:
        errors.append(
            _(
                "De posten tellen op tot %(total)s, maar het toegekende bedrag is %(granted)s "
                "(verschil %(diff)s). Pas de bedragen aan tot ze samen precies het toegekende "
                "bedrag zijn."
            )
            % {
                "total": format_money(total),
                "granted": format_money(granted),
                "diff": format_money(total - granted),
            }
        )
    facts = selectors.plan_line_facts(budget)
    proposed = {item["line"]: Decimal(item["amount"]) for item in lines if item["line"]}
    for line in BudgetLine.objects.filter(budget=budget).order_by("id"):
        fact = facts.get(line.pk, selectors.LineFacts())
        amount = proposed.get(line.pk, ZERO)
        name = f"{line.category}: {line.description}"
        if amount < fact.floor:
            errors.append(
                _(
                    "De post ‘%(line)s’ kan niet lager dan %(floor)s: zoveel is er al op besteed "
                    "of goedgekeurd."
                )
                % {"line": name, "floor": format_money(fact.floor)}
            )
        elif amount == 0 and fact.open_claims:
            errors.append(
                _(
                    "Op de post ‘%(line)s’ staan nog declaraties open; hij kan pas vervallen als "
                    "die zijn afgehandeld."
                )
                % {"line": name}
            )
    if errors:
        raise ValidationError(errors, code="plan")


def _refuse_locked_budget(budget: Budget) -> None:
    if is_budget_closed(budget):
        raise PeriodClosedError(
            _("Dit budgetjaar is afgesloten; de begroting kan niet meer worden aangepast.")
        )
    if is_grant_reversed(budget):
        raise ValidationError(
            _("De toekenning van dit budget is tegengeboekt; er valt niets te begroten.")
        )


@transaction.atomic
def save_plan_version(
    *,
    budget: Budget,
    by: User,
    lines: Iterable[dict[str, Any]],
    note: str = "",
    submit: bool = False,
) -> PlanVersion:
    """The coordinator saves a plan version as a draft or submits it for approval (then the
    lines must add up to the grant). One open version per budget: a draft is updated in place;
    while one waits for approval no new one can be made."""
    if not permissions.can_propose_plan(by, budget):
        raise PermissionDenied
    lock_timeout()
    budget = (
        Budget.objects.select_for_update(of=("self",)).select_related("platform").get(pk=budget.pk)
    )
    _refuse_locked_budget(budget)
    normalised = _normalise(budget, lines)
    if submit:
        _check_against_books(budget, normalised)
    version = (
        PlanVersion.objects.select_for_update(of=("self",))
        .filter(budget=budget, status__in=OPEN)
        .first()
    )
    if version is not None and version.status == PlanVersion.Status.SUBMITTED:
        raise ValidationError(
            _(
                "Er ligt al een voorstel ter goedkeuring bij de ondersteuning; wacht op de "
                "beoordeling voor je een nieuw voorstel maakt."
            ),
            code="pending",
        )
    status = PlanVersion.Status.SUBMITTED if submit else PlanVersion.Status.DRAFT
    if version is None:
        number = (
            PlanVersion.objects.filter(budget=budget).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        try:
            with transaction.atomic():
                version = PlanVersion.objects.create(
                    budget=budget,
                    number=number,
                    status=status,
                    lines=normalised,
                    granted_amount=budget.granted_amount,
                    note=note.strip(),
                    created_by=by,
                )
        except IntegrityError as exc:  # only without row locks (SQLite): a concurrent save
            raise ValidationError(
                _("Iemand anders werkt tegelijk aan dezelfde gegevens; probeer het opnieuw.")
            ) from exc
    else:
        version.lines = normalised
        version.status = status
        version.note = note.strip()
        version.granted_amount = budget.granted_amount
        version.save(update_fields=["lines", "status", "note", "granted_amount"])
    if submit:
        version.submitted_at = timezone.now()
        version.save(update_fields=["submitted_at"])
    record(
        actor=by,
        action="budgets.plan.submitted" if submit else "budgets.plan.drafted",
        obj=version,
        data={
            "budget": budget.pk,
            "number": version.number,
            "granted": str(budget.granted_amount),
            "lines": normalised,
        },
    )
    return version


def _require_reviewer(version: PlanVersion, by: User) -> None:
    if not is_support(by):
        raise PermissionDenied
    if version.status != PlanVersion.Status.SUBMITTED:
        raise ValidationError(_("Dit voorstel wacht niet (meer) op beoordeling."), code="state")
    if not permissions.can_review_plan_version(by, version):
        raise ValidationError(
            _(
                "Vier ogen: wie het voorstel deed of lid is van het platform, kan het niet "
                "beoordelen."
            ),
            code="four_eyes",
        )


def _locked(version: PlanVersion) -> tuple[Budget, PlanVersion]:
    lock_timeout()
    budget = (
        Budget.objects.select_for_update(of=("self",))
        .select_related("platform")
        .get(pk=version.budget_id)
    )
    version = (
        PlanVersion.objects.select_for_update(of=("self",))
        .select_related("budget__platform", "created_by")
        .get(pk=version.pk)
    )
    return budget, version


def _apply(budget: Budget, lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Set the budget's lines from the version; returns what changed, for the audit trail."""
    changes: list[dict[str, str]] = []
    proposed = {item["line"]: Decimal(item["amount"]) for item in lines if item["line"]}
    for line in BudgetLine.objects.filter(budget=budget).order_by("id"):
        amount = proposed.get(line.pk, ZERO)
        if line.pk not in proposed and not line.claims.exists():
            account = Account.objects.filter(budget_line=line).first()
            if account is None or not Entry.objects.filter(account=account).exists():
                changes.append({"line": str(line.pk), "from": str(line.planned_amount), "to": ""})
                if account is not None:
                    account.delete()
                line.delete()
                continue
        if line.planned_amount != amount:
            changes.append(
                {"line": str(line.pk), "from": str(line.planned_amount), "to": str(amount)}
            )
            line.planned_amount = amount
            line.save(update_fields=["planned_amount"])
    for item in lines:
        if item["line"]:
            continue
        line = BudgetLine.objects.create(
            budget=budget,
            category=item["category"],
            description=item["description"],
            planned_amount=Decimal(item["amount"]),
        )
        line_account(line)
        changes.append({"line": str(line.pk), "from": "", "to": item["amount"]})
    return changes


def _notify(version: PlanVersion) -> None:
    """Tell the proposer that their plan version was approved or rejected (after commit)."""
    with translation.override("nl"):
        link = absolute_url(reverse("budgets:platform_budget", args=[version.budget.platform.slug]))
    send_templated_email(
        to=[version.created_by.email],
        template="budgets/email/plan_version",
        context={
            "version": version,
            "platform": version.budget.platform,
            "year": version.budget.year,
            "status": version.status,
            "message": version.review_message,
            "link": link,
        },
    )


@transaction.atomic
def approve_plan_version(*, version: PlanVersion, by: User) -> PlanVersion:
    """A second support person approves: the budget's lines get the version's amounts (new
    lines get their ledger accounts). Checked again against the books and the grant as they
    are now (a claim may have been paid, a decision may have changed the grant since)."""
    _require_reviewer(version, by)
    budget, version = _locked(version)
    _require_reviewer(version, by)
    _refuse_locked_budget(budget)
    lines = _normalise(budget, version.lines)
    _check_against_books(budget, lines)
    changes = _apply(budget, lines)
    version.status = PlanVersion.Status.APPROVED
    version.reviewed_by = by
    version.reviewed_at = timezone.now()
    version.granted_amount = budget.granted_amount
    version.save(update_fields=["status", "reviewed_by", "reviewed_at", "granted_amount"])
    record(
        actor=by,
        action="budgets.plan.approved",
        obj=budget,
        data={"version": version.pk, "number": version.number, "changes": changes},
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    _notify(version)
    return version


@transaction.atomic
def reject_plan_version(*, version: PlanVersion, by: User, reason: str) -> PlanVersion:
    """A second support person rejects the version with a reason; the lines stay as they are."""
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor de afwijzing."))
    _require_reviewer(version, by)
    _budget, version = _locked(version)
    _require_reviewer(version, by)
    version.status = PlanVersion.Status.REJECTED
    version.reviewed_by = by
    version.reviewed_at = timezone.now()
    version.review_message = reason.strip()
    version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_message"])
    record(
        actor=by,
        action="budgets.plan.rejected",
        obj=version,
        data={"budget": version.budget_id, "number": version.number, "reason": reason.strip()},
    )
    _notify(version)
    return version
