"""Test data for reports, built directly on the recognition and budgets models.

`granted_scenario()` makes a published round with two competing applications, blind scores,
a granted and a refused decision, a budget with lines and ledger transactions (grant, an
organisation payment, a payment to a private person and its reversal).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from areas.models import Stadsdeel
from budgets.models import Account, Budget, BudgetLine, Entry, ExpenseClaim, Transaction
from platforms.models import Platform
from recognition.models import (
    Application,
    ApplicationRevision,
    CriteriaVersion,
    CriterionMotivation,
    Decision,
    Recognition,
    Round,
    Score,
    Scoresheet,
)
from tests.factories import ActivityFactory, PlatformFactory, UserFactory

SENTINEL_EMAIL = "sentinel-privé-7731@example.org"
SENTINEL_IBAN = "NL91ABNA0417164300"
SENTINEL_PAYEE = "Zenobia Sentinelperson"
SENTINEL_PHONE = "+31 6 7731 0000"

_seq = itertools.count(1)


def make_round(*, year: int = 2026, slug: str | None = None, published: bool = True, **kw) -> Round:
    n = next(_seq)
    now = timezone.now()
    return Round.objects.create(
        title=kw.pop("title", f"Buurtbudget {year} ronde {n}"),
        slug=slug or f"ronde-{year}-{n}",
        district=Stadsdeel.objects.get(code="T"),
        budget_year=year,
        total_budget=kw.pop("total_budget", Decimal("100000.00")),
        application_deadline=now - datetime.timedelta(days=60),
        assessment_deadline=now - datetime.timedelta(days=30),
        criteria_version=CriteriaVersion.objects.get(name="Maatlat 2026"),
        status=Round.Status.PUBLISHED if published else Round.Status.ASSESSMENT,
        published_at=now if published else None,
        **kw,
    )


def make_decision(
    *,
    round_obj: Round,
    platform: Platform,
    area: str,
    granted: Decimal,
    requested: Decimal | None = None,
    scorers: list | None = None,
    scores: tuple[int, ...] = (3, 4),
    published: bool = True,
) -> Decision:
    application = Application.objects.create(
        round=round_obj,
        platform=platform,
        area_name=area,
        plan_summary=f"Plan van {platform.name}",
        requested_amount=requested if requested is not None else granted or Decimal("5000"),
        status=Application.Status.GRANTED if granted else Application.Status.NOT_GRANTED,
    )
    application.buurten.set(platform.buurten.all())
    revision = ApplicationRevision.objects.create(application=application, number=1, snapshot={})
    criteria = list(round_obj.criteria_version.criteria.all())
    for member, value in zip(scorers or [], scores, strict=False):
        sheet = Scoresheet.objects.create(
            application=application,
            revision=revision,
            member=member,
            status=Scoresheet.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        Score.objects.bulk_create(
            Score(scoresheet=sheet, criterion=c, value=value, comment="") for c in criteria
        )
    decision = Decision.objects.create(
        round=round_obj,
        application=application,
        area_key=area,
        outcome=Decision.Outcome.GRANTED if granted else Decision.Outcome.NOT_GRANTED,
        granted_amount=granted,
        motivation=f"Motivering voor {platform.name}",
        status=Decision.Status.PUBLISHED if published else Decision.Status.PENDING,
        published_at=timezone.now() if published else None,
    )
    CriterionMotivation.objects.bulk_create(
        CriterionMotivation(decision=decision, criterion=c, text=f"Toelichting {c.key}")
        for c in criteria
    )
    return decision


def _account(code, name, kind, **kw) -> Account:
    return Account.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, **kw})[0]


def _book(budget, kind, description, lines, **kw) -> Transaction:
    tx = Transaction.objects.create(
        kind=kind,
        budget=budget,
        value_date=kw.pop("value_date", datetime.date(budget.year, 6, 1)),
        description=description,
        **kw,
    )
    for account, side, amount in lines:
        Entry.objects.create(transaction=tx, account=account, side=side, amount=amount)
    return tx


def book_budget(decision: Decision, lines: list[tuple[str, str, Decimal]]) -> Budget:
    """What budgets.services.book_grant does, directly on the models."""
    budget = Budget.objects.create(
        platform=decision.application.platform,
        round=decision.round,
        decision=decision,
        year=decision.round.budget_year,
        granted_amount=decision.granted_amount,
    )
    source = _account("GRANT-SOURCE", "Subsidiebron stadsdeel", Account.Kind.GRANT_SOURCE)
    budget_acc = _account(
        f"BUD-{budget.pk}", f"Budget {budget.platform.name}", Account.Kind.BUDGET, budget=budget
    )
    for category, description, amount in lines:
        line = BudgetLine.objects.create(
            budget=budget, category=category, description=description, planned_amount=amount
        )
        _account(
            f"EXP-{line.pk}",
            f"Uitgaven {category}",
            Account.Kind.EXPENSE,
            budget=budget,
            budget_line=line,
        )
    _book(
        budget,
        Transaction.Kind.GRANT,
        f"Toekenning {budget.platform.name}",
        # As budgets.services.book_grant books it: the budget account is debited.
        [(budget_acc, "debit", budget.granted_amount), (source, "credit", budget.granted_amount)],
        decision=decision,
    )
    return budget


def pay(
    budget: Budget,
    line_index: int,
    amount: Decimal,
    *,
    payee: str,
    organisation: bool,
    description: str,
) -> Transaction:
    line = list(budget.lines.all())[line_index]
    claimant = UserFactory(email=f"claim{next(_seq)}@example.org")
    claim = ExpenseClaim.objects.create(
        budget=budget,
        budget_line=line,
        submitted_by=claimant,
        amount=amount,
        expense_date=datetime.date(budget.year, 6, 1),
        payee_name=payee,
        payee_is_organisation=organisation,
        iban=SENTINEL_IBAN,
        description=description,
        private_notes=f"Betaald aan {payee} {SENTINEL_EMAIL}",
        status=ExpenseClaim.Status.PAID,
    )
    budget_acc = Account.objects.get(code=f"BUD-{budget.pk}")
    return _book(
        budget,
        Transaction.Kind.PAYMENT,
        description,
        [(line.account, "debit", amount), (budget_acc, "credit", amount)],
        claim=claim,
        private_description=f"{payee} {SENTINEL_IBAN}",
    )


def reverse(tx: Transaction, reason: str = "Dubbel betaald") -> Transaction:
    return _book(
        tx.budget,
        Transaction.Kind.REVERSAL,
        f"Correctie: {tx.description}",
        [
            (e.account, "credit" if e.side == "debit" else "debit", e.amount)
            for e in tx.entries.all()
        ],
        reverses=tx,
        reason=reason,
        claim=tx.claim,
    )


@dataclass
class Scenario:
    round: Round
    platform: Platform
    rival: Platform
    decision: Decision
    refused: Decision
    budget: Budget


def granted_scenario(
    *, year: int = 2026, platform_kw: dict | None = None, slug: str = "samen-sterk-test"
) -> Scenario:
    scorers = [UserFactory(), UserFactory()]
    platform = PlatformFactory(
        name="Samen Sterk Test",
        slug=slug,
        buurten=["TH01", "TH02"],
        contact_email=SENTINEL_EMAIL,
        contact_phone=SENTINEL_PHONE,
        **(platform_kw or {}),
    )
    rival = PlatformFactory(name="Rivaal Test", slug=f"{slug}-rivaal", buurten=["TH02"])
    round_obj = make_round(year=year, slug=f"{slug}-ronde-{year}")
    decision = make_decision(
        round_obj=round_obj,
        platform=platform,
        area="K-buurt",
        granted=Decimal("12500.00"),
        scorers=scorers,
        scores=(3, 4),
    )
    refused = make_decision(
        round_obj=round_obj,
        platform=rival,
        area="K-buurt",
        granted=Decimal("0"),
        requested=Decimal("8000.00"),
        scorers=scorers,
        scores=(1, 2),
    )
    Recognition.objects.create(
        platform=platform,
        decision=decision,
        valid_from=datetime.date(year, 1, 1),
        valid_until=datetime.date(year + 1, 12, 31),
    )
    Platform.objects.filter(pk=platform.pk).update(
        recognition_status=Platform.RecognitionStatus.RECOGNISED,
        recognised_until=datetime.date(year + 1, 12, 31),
    )
    platform.refresh_from_db()
    budget = book_budget(
        decision,
        [
            ("Activiteiten", "Buurtmaaltijden", Decimal("7500.00")),
            ("Communicatie", "Buurtkrant", Decimal("5000.00")),
        ],
    )
    pay(
        budget,
        0,
        Decimal("1234.56"),
        payee="Buurthuis De Kraal",
        organisation=True,
        description="Zaalhuur buurtmaaltijd",
    )
    pay(
        budget,
        1,
        Decimal("250.00"),
        payee=SENTINEL_PAYEE,
        organisation=False,
        description=f"Drukwerk door {SENTINEL_PAYEE}",
    )
    wrong = pay(
        budget,
        1,
        Decimal("99.99"),
        payee="Drukkerij Noord",
        organisation=True,
        description="Foutieve betaling",
    )
    reverse(wrong)
    ActivityFactory(
        platform=platform,
        title="Buurtmaaltijd in de K-buurt",
        start_date=datetime.date(year, 3, 14),
        participants=40,
    )
    ActivityFactory(
        platform=platform,
        title="Schoonmaakdag",
        start_date=datetime.date(year, 5, 9),
        participants=25,
    )
    return Scenario(round_obj, platform, rival, decision, refused, budget)
