"""The year close, with four eyes and an undo before the accounts are exported.

1. A support person proposes the close (outcome and reason) once the year has ended
   (budgets.permissions.can_close_year_yet) and nothing is open (budgets.selectors.
   year_close_preview: open claims, unpaid batches).
2. A different support person confirms it (budgets.permissions.can_confirm_year_close): the
   remainder is booked as returned (to the system "returned" account) or carried over (to the
   platform's carried-over account, and from there into a budget for the next year that the
   close creates); the budget is locked and the platform's coordinators get an e-mail. An
   overspent budget books nothing (its remaining amount stays negative in the books).
3. Until the year's accounts are exported (YearClose.accounts_exported_at) a close can be
   reversed, again by two people: mirror bookings of what the close booked (never an edit),
   the next-year budget is emptied, and the budget is open again.

Lock order: budget rows in id order (the closed budget, then the next-year one), then the close.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_support
from audit.models import AuditEntry
from audit.services import record
from budgets import permissions, selectors
from budgets.models import Account, Budget, BudgetLine, Entry, Transaction, YearClose
from budgets.services.ledger import (
    ZERO,
    Line,
    PeriodClosedError,
    budget_account,
    budget_remaining,
    carried_over_account,
    get_system_account,
    is_budget_closed,
    line_account,
    lock_timeout,
    post_transaction,
)
from buurtplatform.emails import absolute_url, send_templated_email
from buurtplatform.formatting import format_money
from platforms.selectors import coordinator_emails


def _require_support(by: User) -> None:
    if not is_support(by):
        raise PermissionDenied


def _refuse_not_yet(budget: Budget) -> None:
    if permissions.can_close_year_yet(budget):
        return
    if settings.YEAR_CLOSE_EARLY_WHEN_SPENT:
        message = _(
            "Het jaar %(year)s is nog niet voorbij: dit budget kan pas na 31 december %(year)s "
            "worden afgesloten, of eerder als het helemaal besteed is."
        )
    else:
        message = _(
            "Het jaar %(year)s is nog niet voorbij: dit budget kan pas na 31 december %(year)s "
            "worden afgesloten."
        )
    raise ValidationError(message % {"year": budget.year}, code="too_early")


def _refuse_open_items(budget: Budget) -> selectors.YearClosePreview:
    preview = selectors.year_close_preview(budget)
    errors = []
    if preview.open_claims:
        errors.append(
            _("Er staan nog %(n)s declaraties open; handel die eerst af.")
            % {"n": len(preview.open_claims)}
        )
    if preview.unpaid_batches:
        errors.append(
            _("Er zijn nog %(n)s betaalbatches niet betaald; handel die eerst af.")
            % {"n": len(preview.unpaid_batches)}
        )
    if errors:
        raise ValidationError(errors, code="open_items")
    return preview


def _locked_budget(pk: int) -> Budget:
    lock_timeout()
    return (
        Budget.objects.select_for_update(of=("self",))
        .select_related("platform", "round")
        .get(pk=pk)
    )


@transaction.atomic
def propose_year_close(*, budget: Budget, outcome: str, reason: str, by: User) -> YearClose:
    """The first support person proposes closing the budget's year."""
    if not permissions.can_propose_year_close(by, budget):
        raise PermissionDenied
    if outcome not in YearClose.Outcome.values:
        raise ValidationError(_("Kies teruggestort of overgeheveld."))
    if not reason.strip():
        raise ValidationError(_("Geef een reden voor deze keuze."))
    budget = _locked_budget(budget.pk)
    if is_budget_closed(budget):
        raise PeriodClosedError(_("Dit budgetjaar is al afgesloten."))
    if YearClose.objects.filter(budget=budget, status=YearClose.Status.PROPOSED).exists():
        raise ValidationError(
            _("Er ligt al een voorstel om dit jaar af te sluiten; bevestig of trek het in."),
            code="pending",
        )
    _refuse_not_yet(budget)
    preview = _refuse_open_items(budget)
    try:
        with transaction.atomic():
            close = YearClose.objects.create(
                budget=budget,
                year=budget.year,
                status=YearClose.Status.PROPOSED,
                outcome=outcome,
                reason=reason.strip(),
                amount=preview.to_book,
                proposed_by=by,
            )
    except IntegrityError as exc:  # only without row locks (SQLite): a concurrent proposal
        raise ValidationError(
            _("Er ligt al een voorstel om dit jaar af te sluiten; bevestig of trek het in."),
            code="pending",
        ) from exc
    record(
        actor=by,
        action="budgets.year.close_proposed",
        obj=budget,
        data={"close": close.pk, "outcome": outcome, "amount": str(close.amount)},
    )
    return close


def _carry_into_next_year(
    budget: Budget, amount: Decimal, close: YearClose, by: User
) -> tuple[Budget, Transaction]:
    """A budget for the next year holding the carried-over money: one line, to be divided over
    posts by re-budgeting, and the carried-over transaction booked into it."""
    next_budget = Budget.objects.create(
        platform=budget.platform,
        round=budget.round,
        decision_id=budget.decision_id,
        carried_from=budget,
        year=budget.year + 1,
        granted_amount=amount,
    )
    line = BudgetLine.objects.create(
        budget=next_budget,
        category=_("Overgeheveld"),
        description=_("Overgeheveld uit %(year)s, nog te verdelen over de posten")
        % {"year": budget.year},
        planned_amount=amount,
    )
    line_account(line)
    carry_in = post_transaction(
        budget=next_budget,
        kind=Transaction.Kind.CARRY_IN,
        lines=[
            Line(budget_account(next_budget), Entry.Side.DEBIT, amount),
            Line(carried_over_account(budget), Entry.Side.CREDIT, amount),
        ],
        value_date=datetime.date(budget.year + 1, 1, 1),
        description=_("Overgeheveld uit %(year)s naar het budget van %(platform)s")
        % {"year": budget.year, "platform": budget.platform.name},
        reference=f"overheveling-{close.pk}",
        by=by,
        reason=close.reason,
    )
    record(
        actor=by,
        action="budgets.budget.carried_over",
        obj=next_budget,
        data={"from": budget.pk, "amount": str(amount), "close": close.pk},
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    return next_budget, carry_in


def _notify_platform(close: YearClose, event: str) -> None:
    """Tell the platform's coordinators that its year was closed or the close reversed."""
    budget = close.budget
    with translation.override("nl"):
        link = absolute_url(reverse("budgets:platform_budget", args=[budget.platform.slug]))
        amount = format_money(close.amount)
    send_templated_email(
        to=coordinator_emails(budget.platform),
        template="budgets/email/year_close",
        context={
            "event": event,
            "platform": budget.platform,
            "year": close.year,
            "next_year": close.year + 1,
            "outcome": close.outcome,
            "amount": amount,
            "carried": close.next_budget_id is not None,
            "booked": close.amount > 0,
            "reason": close.reversal_reason if event == "reversed" else close.reason,
            "link": link,
        },
    )


@transaction.atomic
def confirm_year_close(*, close: YearClose, by: User) -> YearClose:
    """The second support person confirms: book the remainder, lock the budget, tell the
    platform. Everything is checked again as it is now."""
    _require_support(by)
    budget = _locked_budget(close.budget_id)
    close = (
        YearClose.objects.select_for_update(of=("self",))
        .select_related("budget__platform")
        .get(pk=close.pk)
    )
    if close.status != YearClose.Status.PROPOSED:
        raise ValidationError(_("Dit voorstel is niet meer open."), code="state")
    if not permissions.can_confirm_year_close(by, close):
        raise ValidationError(
            _(
                "Vier ogen: een ander lid van de ondersteuning dan wie de afsluiting voorstelde, "
                "bevestigt haar."
            ),
            code="four_eyes",
        )
    _refuse_not_yet(budget)
    _refuse_open_items(budget)
    remaining = budget_remaining(budget)
    booking: Transaction | None = None
    if remaining > 0:
        if close.outcome == YearClose.Outcome.RETURNED:
            target, kind = get_system_account(Account.Kind.RETURNED), Transaction.Kind.RETURN
            text = _("Niet besteed, teruggestort aan het stadsdeel")
        else:
            target, kind = carried_over_account(budget), Transaction.Kind.CARRY_OVER
            text = _("Niet besteed, overgeheveld naar %(y)s") % {"y": budget.year + 1}
        booking = post_transaction(
            budget=budget,
            kind=kind,
            lines=[
                Line(target, Entry.Side.DEBIT, remaining),
                Line(budget_account(budget), Entry.Side.CREDIT, remaining),
            ],
            value_date=datetime.date(budget.year, 12, 31),
            description=text,
            reference=f"jaarafsluiting-{close.pk}",
            by=by,
            reason=close.reason,
        )
        if close.outcome == YearClose.Outcome.CARRIED_OVER:
            close.next_budget, _carry_in = _carry_into_next_year(budget, remaining, close, by)
    close.status = YearClose.Status.CLOSED
    close.amount = max(remaining, ZERO)
    close.booking = booking
    close.closed_by = by
    close.closed_at = timezone.now()
    close.save()
    record(
        actor=by,
        action="budgets.year.closed",
        obj=budget,
        data={
            "close": close.pk,
            "outcome": close.outcome,
            "amount": str(close.amount),
            "remaining": str(remaining),
            "reason": close.reason,
            "proposed_by": close.proposed_by_id,
            "next_budget": close.next_budget_id,
        },
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    _notify_platform(close, "closed")
    return close


@transaction.atomic
def cancel_year_close(*, close: YearClose, by: User) -> YearClose:
    """Withdraw what is pending: a proposed close (it becomes "cancelled"), or a proposed
    reversal of a close in force (the close stays)."""
    _require_support(by)
    _locked_budget(close.budget_id)
    close = (
        YearClose.objects.select_for_update(of=("self",))
        .select_related("budget__platform")
        .get(pk=close.pk)
    )
    if not permissions.can_cancel_year_close(by, close):
        raise ValidationError(_("Er is hier niets om in te trekken."), code="state")
    if close.status == YearClose.Status.PROPOSED:
        close.status = YearClose.Status.CANCELLED
        close.save(update_fields=["status"])
        action = "budgets.year.close_cancelled"
    else:
        close.reversal_proposed_by = None
        close.reversal_proposed_at = None
        close.reversal_reason = ""
        close.save(
            update_fields=["reversal_proposed_by", "reversal_proposed_at", "reversal_reason"]
        )
        action = "budgets.year.reversal_cancelled"
    record(actor=by, action=action, obj=close.budget, data={"close": close.pk})
    return close


def _next_budget_in_use(close: YearClose) -> bool:
    nxt = close.next_budget
    if nxt is None:
        return False
    return (
        nxt.claims.exists()
        or YearClose.objects.filter(
            budget=nxt, status__in=[YearClose.Status.PROPOSED, YearClose.Status.CLOSED]
        ).exists()
    )


def _refuse_irreversible(close: YearClose) -> None:
    if close.status != YearClose.Status.CLOSED:
        raise ValidationError(_("Alleen een afgesloten jaar kan worden teruggedraaid."))
    if close.accounts_exported_at is not None:
        raise ValidationError(
            _(
                "De jaarcijfers zijn al naar de boekhouder geëxporteerd; de afsluiting kan niet "
                "meer worden teruggedraaid."
            ),
            code="exported",
        )
    if _next_budget_in_use(close):
        raise ValidationError(
            _(
                "Op het overgehevelde budget voor %(year)s is al gedeclareerd of het is zelf "
                "afgesloten; de afsluiting kan niet meer worden teruggedraaid."
            )
            % {"year": close.year + 1},
            code="next_budget_in_use",
        )


@transaction.atomic
def propose_year_close_reversal(*, close: YearClose, by: User, reason: str) -> YearClose:
    """The first support person proposes reversing a close, with a reason."""
    _require_support(by)
    if not reason.strip():
        raise ValidationError(_("Geef een reden om de afsluiting terug te draaien."))
    _locked_budget(close.budget_id)
    close = (
        YearClose.objects.select_for_update(of=("self",))
        .select_related("budget__platform", "next_budget")
        .get(pk=close.pk)
    )
    _refuse_irreversible(close)
    if not permissions.can_propose_year_close_reversal(by, close):
        raise ValidationError(
            _("Er ligt al een voorstel om deze afsluiting terug te draaien."), code="pending"
        )
    close.reversal_proposed_by = by
    close.reversal_proposed_at = timezone.now()
    close.reversal_reason = reason.strip()
    close.save(update_fields=["reversal_proposed_by", "reversal_proposed_at", "reversal_reason"])
    record(
        actor=by,
        action="budgets.year.reversal_proposed",
        obj=close.budget,
        data={"close": close.pk, "reason": reason.strip()},
    )
    return close


def _mirror(original: Transaction, by: User, reason: str) -> Transaction:
    """A reversal of one booking: its entries with debit and credit swapped."""
    return post_transaction(
        budget=original.budget,
        kind=Transaction.Kind.REVERSAL,
        lines=[
            Line(
                e.account,
                Entry.Side.CREDIT if e.side == Entry.Side.DEBIT else Entry.Side.DEBIT,
                e.amount,
            )
            for e in original.entries.select_related("account")
        ],
        value_date=timezone.localdate(),
        description=_("Correctie van boeking %(pk)s") % {"pk": original.pk},
        reference=f"corr-{original.pk}",
        by=by,
        reverses=original,
        reason=reason,
    )


@transaction.atomic
def confirm_year_close_reversal(*, close: YearClose, by: User) -> YearClose:
    """The second support person confirms the reversal: the close's bookings are mirrored, the
    next-year budget (if any) is emptied, the budget is open again and the platform is told."""
    _require_support(by)
    first = YearClose.objects.values("budget_id", "next_budget_id").get(pk=close.pk)
    budget = _locked_budget(first["budget_id"])
    next_budget = _locked_budget(first["next_budget_id"]) if first["next_budget_id"] else None
    close = (
        YearClose.objects.select_for_update(of=("self",))
        .select_related("budget__platform", "next_budget", "booking")
        .get(pk=close.pk)
    )
    _refuse_irreversible(close)
    if not permissions.can_confirm_year_close_reversal(by, close):
        raise ValidationError(
            _(
                "Vier ogen: een ander lid van de ondersteuning dan wie het terugdraaien "
                "voorstelde, bevestigt het."
            ),
            code="four_eyes",
        )
    reason = close.reversal_reason
    # The budget opens again first: bookings on a closed budget are refused.
    close.status = YearClose.Status.REVERSED
    close.reversed_by = by
    close.reversed_at = timezone.now()
    close.save(update_fields=["status", "reversed_by", "reversed_at"])
    reversals = []
    if next_budget is not None:
        for carry_in in Transaction.objects.filter(
            budget=next_budget, kind=Transaction.Kind.CARRY_IN, reversed_by__isnull=True
        ):
            reversals.append(_mirror(carry_in, by, reason).pk)
        # Nothing was claimed on it (checked above): it holds nothing any more.
        BudgetLine.objects.filter(budget=next_budget).update(planned_amount=ZERO)
        next_budget.granted_amount = ZERO
        next_budget.save(update_fields=["granted_amount"])
    if (
        close.booking is not None
        and not Transaction.objects.filter(reverses=close.booking).exists()
    ):
        reversals.append(_mirror(close.booking, by, reason).pk)
    record(
        actor=by,
        action="budgets.year.close_reversed",
        obj=budget,
        data={
            "close": close.pk,
            "reason": reason,
            "reversals": reversals,
            "proposed_by": close.reversal_proposed_by_id,
        },
        visibility=AuditEntry.Visibility.PUBLIC,
    )
    _notify_platform(close, "reversed")
    return close


@transaction.atomic
def mark_year_accounts_exported(*, close: YearClose, by: User | None) -> YearClose:
    """The accountant export records that the closed year's accounts went out: from then on
    the close cannot be reversed. Idempotent (the first time counts)."""
    close = YearClose.objects.select_for_update(of=("self",)).get(pk=close.pk)
    if close.status != YearClose.Status.CLOSED:
        raise ValidationError(_("Alleen een afgesloten jaar kan als geëxporteerd gelden."))
    if close.accounts_exported_at is None:
        close.accounts_exported_at = timezone.now()
        close.save(update_fields=["accounts_exported_at"])
        record(
            actor=by,
            action="budgets.year.accounts_exported",
            obj=close.budget,
            data={"close": close.pk},
        )
    return close
