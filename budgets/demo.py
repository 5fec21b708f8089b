"""Demo books: the published round's grants and a year of realistic claims.

Built through the services (so the ledger and audit trail are real): claims are submitted by
platform members, approved by ondersteuning@example.org and paid in monthly batches by
ondersteuning2@example.org (four eyes). One claim is rejected, one waits for review, one
payment is reversed. Idempotent: a budget that already has claims is left alone; without
published granting decisions it does nothing and says so.
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
from budgets import services
from budgets.models import Budget, ExpenseClaim, Transaction
from buurtplatform.uploads import clean_upload
from platforms.models import Activity, Membership
from recognition.models import Decision

DEMO_PASSWORD = "buurtplatform-demo"
APPROVER = "ondersteuning@example.org"
PAYER = "ondersteuning2@example.org"

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
        status=Decision.Status.PUBLISHED, outcome=Decision.Outcome.GRANTED, budget__isnull=True
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
            services.approve_claim(claim=claim, by=approver)
            by_month.setdefault(month, []).append(claim)
    payments = 0
    for month in sorted(by_month):
        batch = services.create_batch(claims=by_month[month], by=approver)
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
    if payment is not None:
        services.reverse_transaction(
            original=payment,
            by=payer,
            reason="Bank meldde dat dit bedrag al eerder was overgemaakt; teruggevorderd.",
        )


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
    if stdout:
        stdout.write(
            f"budgets: {booked} grants booked, {seeded} budgets given a year of claims, "
            f"{Transaction.objects.count()} transactions in the ledger"
        )
