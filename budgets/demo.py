"""Demo books: the published round's grants and a year of realistic claims.

Built through the services (so the ledger and audit trail are real): claims are submitted by
platform members, approved by ondersteuning@example.org and paid in monthly batches by
ondersteuning2@example.org (four eyes); claims above the threshold get their second approval from
ondersteuning3@example.org. One claim is rejected, one waits for review, one waits for a second
approval, one payment is reversed (asked by one, confirmed by another), and batch BP-DEMO-0001 is
released with its SEPA file; budgets/demo_data/statement-demo.xml is its bank statement.
Samen Sterk K-buurt was granted less than it asked (€ 22.000): its coordinator has proposed a
new plan that adds up to the grant, waiting for a support person's approval (until then its
page says "nog niet herbegroot"). Idempotent: a budget that already
has claims is left alone; without published granting decisions it does nothing and says so.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.models import User
from accounts.roles import SUPPORT, ensure_groups
from accounts.services import grant_role
from budgets import selectors, services
from budgets.models import Budget, ExpenseClaim, PaymentBatch, Transaction
from buurtplatform.uploads import clean_upload
from platforms.models import Activity, Membership
from recognition.models import Decision

DEMO_PASSWORD = "buurtplatform-demo"
APPROVER = "ondersteuning@example.org"
PAYER = "ondersteuning2@example.org"
SECOND = "ondersteuning3@example.org"  # gives the second approval where four eyes ask for it
# The released demo batch; budgets/demo_data/statement-demo.xml is its bank statement.
DEMO_BATCH = "BP-DEMO-0001"
DEMO_BATCH_CLAIMS = [
    ("Drukwerk flyers buurtschouw", "Drukkerij Gaasperdam", "45.00"),
    ("Vrijwilligersvergoeding november", None, "120.50"),
    ("Brood en beleg buurtontbijt", "Bakkerij Holendrecht", "80.00"),
]

# description, organisation payee (None = a private person), share of the line, month
CLAIMS = {
    "Activiteiten": [
        ("Boodschappen buurtmaaltijd", None, "0.04", 2),
        ("Huur springkussen buurtfeest", "Feestverhuur Zuidoost", "0.05", 5),
        ("Lesmateriaal huiswerkklas", "Boekhandel Bijlmerplein", "0.03", 3),
        ("Vrijwilligersvergoeding begeleiding", None, "0.06", 6),
        ("Catering slotavond", "Surinaams Eethuis Kwatta", "0.05", 9),
    ],
    "Ruimte": [
        ("Huur buurthuis eerste kwartaal", "Stichting Buurthuis K-buurt", "0.25", 3),
        ("Huur buurthuis tweede kwartaal", "Stichting Buurthuis K-buurt", "0.25", 6),
    ],
    "Communicatie": [
        ("Drukwerk nieuwsbrief", "Drukkerij Gaasperdam", "0.15", 4),
        ("Hosting website", "Hosting Amsterdam BV", "0.05", 2),
    ],
    "Materiaal": [
        ("Plantgoed voorjaar", "Tuincentrum Gein", "0.12", 3),
        ("Schoppen en harken", "Bouwmarkt Zuidoost", "0.10", 4),
    ],
}
DEFAULT = CLAIMS["Activiteiten"]


def _receipt(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((10, 10), f"BON\n{text}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("bon.png", buffer.getvalue(), content_type="image/png")


def _support_user(email: str, name: str) -> User:
    ensure_groups()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    grant_role(user=user, role=SUPPORT, by=None)
    return User.objects.get(pk=user.pk)


def _claimant(budget: Budget) -> User | None:
    membership = (
        Membership.objects.filter(platform=budget.platform)
        .order_by("role", "joined_at")  # coordinators first ("coordinator" < "member")
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _book_grants(by: User) -> int:
    booked = 0
    for decision in Decision.objects.filter(
        status=Decision.Status.PUBLISHED, outcome=Decision.Outcome.GRANTED, budgets__isnull=True
    ).order_by("pk"):
        services.book_grant(decision=decision, by=by)
        booked += 1
    return booked


def _seed_budget(budget: Budget, approver: User, payer: User, rng: random.Random) -> int:
    """Claims for one budget: returns the number of payments booked."""
    claimant = _claimant(budget)
    if claimant is None:
        return 0
    activities = list(Activity.objects.filter(platform=budget.platform).order_by("start_date"))
    by_month: dict[int, list[ExpenseClaim]] = {}
    for line in budget.lines.order_by("id"):
        for description, org, share, month in CLAIMS.get(line.category, DEFAULT):
            amount = (line.planned_amount * Decimal(share)).quantize(Decimal("0.01"))
            amount += Decimal(rng.randint(0, 99)) / 100
            day = datetime.date(budget.year, month, rng.randint(2, 26))
            claim = services.submit_claim(
                budget=budget,
                budget_line=line,
                by=claimant,
                amount=amount,
                expense_date=day,
                payee_name=org or rng.choice(["A. Mohan", "R. Pinas", "M. de Vries", "S. Owusu"]),
                payee_is_organisation=org is not None,
                iban="NL91ABNA0417164300",
                description=description,
                private_notes="Demo",
                activities=[a for a in activities if a.start_date.month == month][:1],
                receipts=[clean_upload(_receipt(f"{description} {amount}"))],
            )
            claim = services.approve_claim(claim=claim, by=approver)
            if claim.status == ExpenseClaim.Status.SUBMITTED:  # above the four-eyes threshold
                claim = services.approve_claim(claim=claim, by=_second())
            by_month.setdefault(month, []).append(claim)
    payments = 0
    for month in sorted(by_month):
        batch = services.create_batch(claims=by_month[month], by=approver)
        services.release_batch(batch=batch, by=payer)  # four eyes: approved none of it
        services.pay_batch(batch=batch, by=payer, value_date=datetime.date(budget.year, month, 28))
        payments += len(by_month[month])
    return payments


def _extras(budget: Budget, approver: User, payer: User) -> None:
    """One rejected claim, one waiting for review, one reversed payment."""
    claimant = _claimant(budget)
    line = budget.lines.order_by("id").first()
    rejected = services.submit_claim(
        budget=budget,
        budget_line=line,
        by=claimant,
        amount=Decimal("64.95"),
        expense_date=datetime.date(budget.year, 7, 3),
        payee_name="Mediamarkt",
        payee_is_organisation=True,
        iban="NL91ABNA0417164300",
        description="Koptelefoon",
        receipts=[clean_upload(_receipt("Koptelefoon 64,95"))],
    )
    services.reject_claim(
        claim=rejected, by=approver, reason="Persoonlijke uitgave, niet voor de buurt."
    )
    services.submit_claim(
        budget=budget,
        budget_line=line,
        by=claimant,
        amount=Decimal("37.50"),
        expense_date=datetime.date(budget.year, 11, 14),
        payee_name="S. Owusu",
        iban="NL91ABNA0417164300",
        description="Koffie en koek voor de buurtschouw",
        no_receipt_statement="Gekocht op de markt, geen bon gekregen. Getekend: de coördinator.",
    )
    payment = (
        Transaction.objects.filter(budget=budget, kind=Transaction.Kind.PAYMENT)
        .order_by("value_date", "pk")
        .first()
    )
    if payment is not None:  # four eyes: Mehmet asks, Joyce confirms
        reason = "Bank meldde dat dit bedrag al eerder was overgemaakt; teruggevorderd."
        services.request_reversal(original=payment, by=payer, reason=reason)
        services.reverse_transaction(original=payment, by=approver, reason=reason)
    _four_eyes(budget, approver, payer)


def _second() -> User:
    return _support_user(SECOND, "Fatima Controle")


def _four_eyes(budget: Budget, approver: User, payer: User) -> None:
    """A claim above the threshold with its first approval (waiting for Fatima's), and the
    released batch BP-DEMO-0001 whose file is made and whose statement is in demo_data/."""
    claimant = _claimant(budget)
    line = budget.lines.order_by("id").last() or budget.lines.get()
    budget = Budget.objects.get(pk=budget.pk)
    room = budget.granted_amount + budget.overspend_allowance - budget.committed
    big = Decimal("650.00")
    if claimant is None or room < big + Decimal("245.50"):
        return
    waiting = services.submit_claim(
        budget=budget,
        budget_line=line,
        by=claimant,
        amount=big,
        expense_date=datetime.date(budget.year, 12, 1),
        payee_name="Geluidsverhuur Bijlmer",
        payee_is_organisation=True,
        iban="NL44RABO0123456789",
        description="Geluidsinstallatie winterfeest",
        receipts=[clean_upload(_receipt(f"Geluid winterfeest {big}"))],
    )
    services.approve_claim(claim=waiting, by=approver)  # wacht op tweede akkoord
    if PaymentBatch.objects.filter(reference=DEMO_BATCH).exists():
        return
    claims = []
    for description, org, amount in DEMO_BATCH_CLAIMS:
        claim = services.submit_claim(
            budget=budget,
            budget_line=line,
            by=claimant,
            amount=Decimal(amount),
            expense_date=datetime.date(budget.year, 11, 20),
            payee_name=org or "R. Pinas",
            payee_is_organisation=org is not None,
            iban="NL91ABNA0417164300",
            description=description,
            receipts=[clean_upload(_receipt(f"{description} {amount}"))],
        )
        claims.append(services.approve_claim(claim=claim, by=approver))
    batch = services.create_batch(claims=claims, by=approver, reference=DEMO_BATCH)
    services.release_batch(batch=batch, by=payer)


REBUDGET_SLUG = "samen-sterk-k-buurt"


def _propose_rebudget(budget: Budget) -> bool:
    """The coordinator proposes lines that add up to the (lower) grant: the difference comes off
    the lines with the most room above what is spent or approved on them. Submitted, so it
    waits for a support person's approval. Only once, and only while not re-budgeted."""
    if selectors.plan_matches_grant(budget) or budget.plan_versions.exists():
        return False
    coordinator = _claimant(budget)
    if coordinator is None:
        return False
    facts = selectors.plan_line_facts(budget)
    lines = list(budget.lines.order_by("id"))
    amounts = {line.pk: line.planned_amount for line in lines}
    excess = selectors.planned_total(budget) - budget.granted_amount
    room = {
        line.pk: max(line.planned_amount - facts[line.pk].floor, Decimal("0")) for line in lines
    }
    # As the commission's motivation says: the rent was budgeted high.
    for line in sorted(lines, key=lambda li: (li.category != "Ruimte", -room[li.pk])):
        cut = min(excess, room[line.pk])
        amounts[line.pk] -= cut
        excess -= cut
    if excess != 0:
        return False
    services.save_plan_version(
        budget=budget,
        by=coordinator,
        lines=[{"line": pk, "amount": str(amount)} for pk, amount in amounts.items()],
        note="De huur is lager begroot, zoals de commissie vroeg; de rest blijft zoals gepland.",
        submit=True,
    )
    return True


def seed(stdout=None) -> None:
    approver = _support_user(APPROVER, "Joyce Ondersteuning")
    payer = _support_user(PAYER, "Mehmet Boekhouding")
    booked = _book_grants(approver)
    budgets = list(Budget.objects.filter(decision__status=Decision.Status.PUBLISHED).order_by("pk"))
    if not budgets:
        if stdout:
            stdout.write("budgets: no published granting decisions yet, nothing booked")
        return
    rng = random.Random(2026)
    seeded = 0
    this_year = datetime.date.today().year
    for index, budget in enumerate(budgets):
        if budget.claims.exists() or budget.year > this_year:
            continue
        if _seed_budget(budget, approver, payer, rng):
            seeded += 1
            if index == 0:
                _extras(budget, approver, payer)
    proposed = 0
    for budget in budgets:
        if budget.platform.slug == REBUDGET_SLUG and budget.carried_from_id is None:
            proposed += _propose_rebudget(budget)
    if stdout:
        stdout.write(
            f"budgets: {booked} grants booked, {seeded} budgets given a year of claims, "
            f"{proposed} re-budgeting proposals waiting for approval, "
            f"{Transaction.objects.count()} transactions in the ledger"
        )
