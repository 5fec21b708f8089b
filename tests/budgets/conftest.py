"""Budgets fixtures, and an invariant check after every test in this directory."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from budgets.selectors import ledger_breaches
from budgets.services import (
    approve_claim,
    book_grant,
    pay_batch,
    release_batch,
    request_reversal,
    reverse_transaction,
    submit_claim,
)
from buurtplatform.uploads import clean_upload
from tests.budgets.factories import granted_decision

VALID_IBAN = "NL91ABNA0417164300"
OTHER_IBAN = "NL44RABO0123456789"


@pytest.fixture(autouse=True)
def ledger_invariants(request):
    """After each test: every transaction balances, reversal pairs sum to 0, each paid claim
    has exactly one live payment, and each budget's running total equals its claims."""
    names = request.fixturenames
    uses_db = request.node.get_closest_marker("django_db") or "db" in names
    if not uses_db:
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in names or (
        marker is not None and marker.kwargs.get("transaction")
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    if getattr(request.node, "allow_ledger_breach", False):
        return
    assert ledger_breaches() == []


@pytest.fixture
def allow_ledger_breach(request):
    request.node.allow_ledger_breach = True


@pytest.fixture
def budget(platform, support_staff2):
    """A €1000 budget for `platform` with two lines of €500 (Activiteiten, Materiaal)."""
    return book_grant(decision=granted_decision(platform=platform), by=support_staff2)


def png_upload(name: str = "bon.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
        b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n"
    )


def make_claim(budget, by, *, amount="100.00", line=None, receipt=True, **kwargs):
    params = {
        "budget": budget,
        "budget_line": line or budget.lines.first(),
        "by": by,
        "amount": Decimal(amount),
        "expense_date": datetime.date(2026, 4, 1),
        "payee_name": "Jan Jansen",
        "iban": VALID_IBAN,
        "description": "Koffie en thee voor de buurtbijeenkomst",
        "receipts": [clean_upload(png_upload())] if receipt else [],
    }
    params.update(kwargs)
    return submit_claim(**params)


@pytest.fixture
def claim(budget, member):
    return make_claim(budget, member)


@pytest.fixture
def support_staff3(db):
    from accounts.roles import SUPPORT
    from tests.factories import UserFactory

    return UserFactory(email="support3@example.org", name="Sven Support", roles=[SUPPORT])


def approve_fully(claim, first, second=None, **kwargs):
    """Approve a claim; when four eyes ask for it, ``second`` gives the second approval (and
    confirms a proposed overspend reason)."""
    claim = approve_claim(claim=claim, by=first, **kwargs)
    if claim.status == "submitted" and second is not None:
        claim = approve_claim(claim=claim, by=second, confirm_override=True)
    return claim


def release_and_pay(batch, by, **kwargs):
    """Release the batch (its SEPA file) and mark it paid, both by ``by`` (an outsider)."""
    release_batch(batch=batch, by=by)
    return pay_batch(batch=batch, by=by, **kwargs)


def confirmed_reversal(original, *, asker, confirmer, reason="Correctie"):
    """Four eyes on a correction: ``asker`` requests it, ``confirmer`` confirms (books) it."""
    request_reversal(original=original, by=asker, reason=reason)
    return reverse_transaction(original=original, by=confirmer, reason=reason)
