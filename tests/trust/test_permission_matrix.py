"""The permission matrix: every URL of the project, every role, one table (threats 7-10).

One world is built per module (inside a transaction that is rolled back at the end); every
request runs in a savepoint that is rolled back too, so a POST by one role never changes what
the next role sees. A named URL without a row in MATRIX (and outside ALLOW_LISTED) fails.

Expected values: an HTTP status code, "login" (302 to the login page), "reauth" (302 to
allauth's re-authentication: the permission check passed, the sensitive action waits for the
password) or "denied" (403 or 404).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import COMMISSION, SUPPORT
from areas.models import Buurt
from budgets.models import YearClose
from budgets.services import (
    approve_claim,
    book_grant,
    create_batch,
    import_statement,
    release_batch,
    request_reversal,
    save_plan_version,
    submit_claim,
)
from buurtplatform.uploads import clean_image, clean_upload
from platforms import services as platform_services
from platforms.models import Activity, Invitation, Membership, PartnerConfirmation
from recognition import services as rec
from recognition.models import ApplicationRevision, Decision, EvidenceFile, Objection, Recognition
from reports.models import ReportJob
from tests.budgets.factories import granted_decision
from tests.factories import ActivityFactory, MembershipFactory, PlatformFactory, UserFactory
from tests.recognition.conftest import complete_application, make_round, pass_deadline

# The marker makes pytest-django create the test database (module world below).
pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "resident",
    "member",
    "coordinator",
    "other_coordinator",
    "commission",
    "conflicted",
    "support",
    "admin",
)


# --- the world ------------------------------------------------------------------------------


def _png(name="foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _platform_world(platform, coordinator, *, invitee: str) -> dict:
    """Activities, invitation, applications, budget, claims for one platform."""
    w: dict = {}
    w["activity"] = ActivityFactory(platform=platform, created_by=coordinator)
    w["hidden_activity"] = ActivityFactory(
        platform=platform, visibility=Activity.Visibility.MEMBERS, created_by=coordinator
    )
    w["photo"] = platform_services.add_activity_photo(
        activity=w["activity"], image=clean_image(_png()), alt_text="Foto", by=coordinator
    )
    w["hidden_photo"] = platform_services.add_activity_photo(
        activity=w["hidden_activity"], image=clean_image(_png()), alt_text="Foto", by=coordinator
    )
    invitation = platform_services.invite_member(
        platform=platform, email=invitee, role="member", by=coordinator
    )
    token, token_hash = platform_services.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token=token_hash)
    w["invitation"], w["invitation_token"] = invitation, token
    confirmation = platform_services.request_partner_confirmation(
        activity=w["activity"], partner_name="School", partner_email="s@example.org", by=coordinator
    )
    token, token_hash = platform_services.new_token()
    PartnerConfirmation.objects.filter(pk=confirmation.pk).update(token=token_hash)
    w["partner_token"] = token
    return w


def build_world() -> dict:
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    support = UserFactory(email="support1@example.org", roles=[SUPPORT])
    support2 = UserFactory(email="support2@example.org", roles=[SUPPORT])
    commission = UserFactory(email="commissie1@example.org", roles=[COMMISSION])
    platform = PlatformFactory(name="Samen K-buurt", slug="samen-k-buurt", buurten=["TH01", "TH02"])
    other = PlatformFactory(name="Gein Groen", slug="gein-groen", buurten=["TM01"])
    coordinator = UserFactory(email="coord@example.org")
    MembershipFactory(platform=platform, user=coordinator, role=Membership.Role.COORDINATOR)
    member = UserFactory(email="member@example.org")
    member_ship = MembershipFactory(platform=platform, user=member, role=Membership.Role.MEMBER)
    conflicted = UserFactory(email="conflict@example.org", roles=[COMMISSION])
    MembershipFactory(platform=platform, user=conflicted, role=Membership.Role.MEMBER)
    other_coordinator = UserFactory(email="othercoord@example.org")
    other_ship = MembershipFactory(
        platform=other, user=other_coordinator, role=Membership.Role.COORDINATOR
    )
    resident = UserFactory(email="resident@example.org")

    w: dict = {
        "users": {
            "resident": resident,
            "member": member,
            "coordinator": coordinator,
            "other_coordinator": other_coordinator,
            "commission": commission,
            "conflicted": conflicted,
            "support": support,
            "admin": admin,
        },
        "platform": platform,
        "other": other,
        "member_ship": member_ship,
        "other_ship": other_ship,
    }
    # The resident is invited to the platform (so accepting is in scope for them only).
    w["p"] = _platform_world(platform, coordinator, invitee=resident.email)
    w["o"] = _platform_world(other, other_coordinator, invitee="someone@example.org")
    # The resident endorses the platform (so withdrawing is in scope for them).
    platform_services.endorse_platform(
        platform=platform, user=resident, buurt=Buurt.objects.get(code="TH01")
    )
    w["code_batch"], _codes = platform_services.create_endorsement_codes(
        buurt=Buurt.objects.get(code="TH01"), count=2, by=admin
    )

    # Recognition: an open round with drafts, a round in assessment with submitted applications.
    open_round = rec.open_round(round=make_round(admin, slug="ronde-open"), by=admin)
    w["open_round"] = open_round
    w["p"]["draft"] = rec.start_application(round=open_round, platform=platform, by=coordinator)
    w["o"]["draft"] = rec.start_application(round=open_round, platform=other, by=other_coordinator)
    for key, coord in (("p", coordinator), ("o", other_coordinator)):
        draft = w[key]["draft"]
        w[key]["draft_evidence"] = rec.add_evidence_file(
            application=draft, criterion=None, upload=clean_upload(_png("bewijs.png")), by=coord
        )
        w[key]["draft_line"] = rec.add_plan_line(
            application=draft,
            by=coord,
            category="Activiteiten",
            description="Buurttafel",
            amount=Decimal("100"),
        )
    assess = rec.open_round(round=make_round(admin, slug="ronde-beoordeling"), by=admin)
    for key, plat, coord in (("p", platform, coordinator), ("o", other, other_coordinator)):
        app = complete_application(assess, plat, coord, Decimal("5000"))
        w[key]["evidence"] = rec.add_evidence_file(
            application=app, criterion=None, upload=clean_upload(_png("bewijs.png")), by=coord
        )
        rec.submit_application(application=app, by=coord)
        w[key]["submitted"] = app
    assess = pass_deadline(assess)
    rec.start_assessment(round=assess, by=admin)
    assess.refresh_from_db()
    w["assess_round"] = assess

    # A published round with decisions, budgets, claims with receipts, a payment batch.
    for key, plat, claimant in (("p", platform, member), ("o", other, other_coordinator)):
        decision = granted_decision(platform=plat, amount="1000.00")
        Decision.objects.filter(pk=decision.pk).update(published_at=timezone.now())
        decision.refresh_from_db()
        Recognition.objects.create(
            platform=plat,
            decision=decision,
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
        )
        # Evidence published with the decision: consented and in the judged revision.
        upload = clean_upload(_png("jaarverslag.png"))
        public_evidence = EvidenceFile(
            application=decision.application,
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            publishable=True,
        )
        public_evidence.file.save(upload.content.name, upload.content)
        ApplicationRevision.objects.create(
            application=decision.application,
            number=1,
            snapshot={"files": [{"id": public_evidence.pk, "criterion": None}]},
        )
        budget = book_grant(decision=decision, by=support2)
        claim = submit_claim(
            budget=budget,
            budget_line=budget.lines.first(),
            by=claimant,
            amount=Decimal("100.00"),
            expense_date=datetime.date(2026, 4, 1),
            payee_name="Jan Jansen",
            iban="NL91ABNA0417164300",
            description="Koffie en thee voor de buurtbijeenkomst",
            receipts=[clean_upload(_png("bon.png"))],
        )
        approved = submit_claim(
            budget=budget,
            budget_line=budget.lines.first(),
            by=claimant,
            amount=Decimal("50.00"),
            expense_date=datetime.date(2026, 4, 2),
            payee_name="Jan Jansen",
            iban="NL91ABNA0417164300",
            description="Flyers",
            receipts=[clean_upload(_png("bon2.png"))],
        )
        approve_claim(claim=approved, by=support)
        w[key].update(
            decision=decision,
            published_round=decision.round,
            budget=budget,
            claim=claim,
            receipt=claim.receipts.first(),
            approved=approved,
            public_evidence=public_evidence,
        )
    w["batch"] = create_batch(claims=[w["p"]["approved"]], by=support2)
    # Re-budgeting and the year close (four eyes): "p"'s coordinator proposed a new plan that
    # waits for approval, and a support person proposed closing "p"'s year.
    p_budget = w["p"]["budget"]
    w["plan_version"] = save_plan_version(
        budget=p_budget,
        by=coordinator,
        lines=[
            {"line": line.pk, "amount": str(line.planned_amount)} for line in p_budget.lines.all()
        ],
        submit=True,
    )
    w["year_close"] = YearClose.objects.create(
        budget=p_budget,
        year=p_budget.year,
        status=YearClose.Status.PROPOSED,
        outcome=YearClose.Outcome.RETURNED,
        reason="Jaar voorbij",
        proposed_by=support2,
    )
    w["grant_tx"] = w["p"]["budget"].transactions.first()
    # Where money leaves: the batch is released (its file made) by support2, who approved none
    # of it; support2 asked for a reversal of "p"'s grant (waiting for a second person); support2
    # imported a bank statement.
    release_batch(batch=w["batch"], by=support2)
    w["reversal_request"] = request_reversal(original=w["grant_tx"], by=support2, reason="Dubbel")
    w["statement"] = import_statement(
        data=(
            "rekening;boekdatum;bedrag;valuta;end-to-end-id;naam;omschrijving\n"
            f"{settings.SEPA_DEBTOR_IBAN};2026-12-28;-10,00;EUR;ONBEKEND;Iemand;Iets\n"
        ).encode(),
        original_name="afschrift.csv",
        by=support2,
    ).statement
    # The objection is against "o"'s decision: "p"'s decision stays open to an objection (one
    # per decision), so its coordinator reaches the objection form.
    w["objection"] = Objection.objects.create(
        decision=w["o"]["decision"], submitted_by=other_coordinator, text="Wij zijn het oneens."
    )
    w["recognition"] = Recognition.objects.get(decision=w["p"]["decision"])
    w["report"] = ReportJob.objects.create(
        kind=ReportJob.Kind.PLATFORM_YEAR,
        key=f"{platform.slug}/2026",
        status=ReportJob.Status.FAILED,
        last_error="test",
    )
    return w


# --- URL kwargs per name (objects of the platform "p"; IDOR rows use "o") -------------------


def _kwargs(w: dict, k: str = "p") -> dict:
    """kwargs for every URL name that takes any, filled from platform k's objects."""
    o = w[k]
    plat = w["platform"] if k == "p" else w["other"]
    ship = w["member_ship"] if k == "p" else w["other_ship"]
    slug = {"slug": plat.slug}
    draft, sub = o["draft"], o["submitted"]
    return {
        "public_media": {"path": o["photo"].image.name.removeprefix("public/")},
        "account_confirm_email": {"key": "onbekende-sleutel"},
        "account_reset_password_from_key": {"uidb36": "zz", "key": "onbekend"},
        "areas:buurt_detail": {"code": "TH01"},
        "platforms:platform_detail": slug,
        "platforms:platform_edit": slug,
        "platforms:platform_archive": slug,
        "platforms:member_list": slug,
        "platforms:member_invite": slug,
        "platforms:member_visibility": slug,
        "platforms:member_role": slug | {"pk": ship.pk},
        "platforms:member_remove": slug | {"pk": ship.pk},
        "platforms:invitation_revoke": slug | {"pk": o["invitation"].pk},
        "platforms:platform_leave": slug,
        "platforms:activity_create": slug,
        "platforms:activity_detail": slug | {"pk": o["activity"].pk},
        "platforms:activity_edit": slug | {"pk": o["activity"].pk},
        "platforms:activity_delete": slug | {"pk": o["activity"].pk},
        "platforms:activity_photo_add": slug | {"pk": o["activity"].pk},
        "platforms:activity_photo_file": slug
        | {"pk": o["hidden_activity"].pk, "photo_pk": o["hidden_photo"].pk, "kind": "thumb"},
        "platforms:activity_photo_delete": slug
        | {"pk": o["activity"].pk, "photo_pk": o["photo"].pk},
        "platforms:confirmation_request": slug | {"pk": o["activity"].pk},
        "platforms:endorsement_create": slug,
        "platforms:endorsement_withdraw": slug,
        "platforms:my_invitation_accept": {"pk": o["invitation"].pk},
        "platforms:my_invitation_decline": {"pk": o["invitation"].pk},
        "platforms:invitation_detail": {"token": o["invitation_token"]},
        "platforms:invitation_accept": {"token": o["invitation_token"]},
        "platforms:invitation_decline": {"token": o["invitation_token"]},
        "platforms:partner_confirmation": {"token": o["partner_token"]},
        "platforms:partner_confirm": {"token": o["partner_token"]},
        "platforms:partner_decline": {"token": o["partner_token"]},
        "platforms:endorsement_code_pdf": {"batch": w["code_batch"]},
        "recognition:round_detail": {"slug": o["published_round"].slug},
        "recognition:round_decision": {"slug": o["published_round"].slug},
        "recognition:decision_evidence": {
            "slug": o["published_round"].slug,
            "public_id": o["public_evidence"].public_id,
        },
        "recognition:application_start": {
            "round_slug": w["open_round"].slug,
            "platform_slug": plat.slug,
        },
        "recognition:application_detail": {"pk": draft.pk},
        "recognition:application_edit": {"pk": draft.pk},
        "recognition:statement_edit": {"pk": draft.pk, "number": 1},
        "recognition:planline_add": {"pk": draft.pk},
        "recognition:planline_delete": {"pk": draft.pk, "line": o["draft_line"].pk},
        "recognition:evidence_download": {"pk": draft.pk, "file": o["draft_evidence"].pk},
        "recognition:evidence_delete": {"pk": draft.pk, "file": o["draft_evidence"].pk},
        "recognition:application_submit": {"pk": draft.pk},
        "recognition:application_withdraw": {"pk": draft.pk},
        "recognition:application_restart": {"pk": draft.pk},
        "recognition:objection_create": {"decision": o["decision"].pk},
        "recognition:commission_round": {"slug": w["assess_round"].slug},
        "recognition:round_compare": {"slug": w["assess_round"].slug},
        "recognition:round_conclude": {"slug": w["assess_round"].slug},
        "recognition:round_remind": {"slug": w["assess_round"].slug},
        "reports:meeting_pack": {"slug": w["assess_round"].slug},
        "recognition:round_reopen": {"slug": w["assess_round"].slug},
        "workflows:round_publish": {"slug": w["assess_round"].slug},
        "recognition:application_review": {"pk": sub.pk},
        "recognition:conflict_declare": {"pk": sub.pk},
        "recognition:conflict_pin": {"pk": sub.pk},
        "recognition:scoresheet_save": {"pk": sub.pk},
        "recognition:scoresheet_submit": {"pk": sub.pk},
        "recognition:decision_record": {"pk": sub.pk},
        "workflows:objection_answer": {"pk": w["objection"].pk},
        "workflows:my_platform": slug,
        "recognition:objection_hearing": {"pk": w["objection"].pk},
        "recognition:round_manage": {"slug": w["open_round"].slug},
        "recognition:round_open": {"slug": w["open_round"].slug},
        "recognition:round_start_assessment": {"slug": w["open_round"].slug},
        "recognition:round_audit": {"slug": w["assess_round"].slug},
        "recognition:recognition_change": {"pk": w["recognition"].pk},
        "budgets:platform_budget": slug,
        "budgets:claim_create": slug | {"budget_pk": o["budget"].pk},
        "budgets:ledger_csv": slug,
        "budgets:claim_detail": {"pk": o["claim"].pk},
        "budgets:claim_edit": {"pk": o["claim"].pk},
        "budgets:receipt_download": {"claim_pk": o["claim"].pk, "pk": o["receipt"].pk},
        "budgets:claim_review": {"pk": o["claim"].pk},
        "budgets:claim_approve": {"pk": o["claim"].pk},
        "budgets:claim_reject": {"pk": o["claim"].pk},
        "budgets:claim_request_changes": {"pk": o["claim"].pk},
        "budgets:batch_detail": {"pk": w["batch"].pk},
        "budgets:batch_sepa": {"pk": w["batch"].pk},
        "budgets:batch_pay": {"pk": w["batch"].pk},
        "budgets:batch_release": {"pk": w["batch"].pk},
        "budgets:batch_cancel": {"pk": w["batch"].pk},
        "budgets:statement_detail": {"pk": w["statement"].pk},
        "budgets:reversal_confirm": {"pk": w["reversal_request"].pk},
        "budgets:reversal_withdraw": {"pk": w["reversal_request"].pk},
        "budgets:budget_detail": {"pk": o["budget"].pk},
        "budgets:budget_close": {"pk": o["budget"].pk},
        "budgets:plan_propose": slug | {"budget_pk": o["budget"].pk},
        "budgets:plan_version_review": {"pk": w["plan_version"].pk},
        "budgets:plan_version_approve": {"pk": w["plan_version"].pk},
        "budgets:plan_version_reject": {"pk": w["plan_version"].pk},
        "budgets:year_close_confirm": {"pk": w["year_close"].pk},
        "budgets:year_close_cancel": {"pk": w["year_close"].pk},
        "budgets:year_close_reverse": {"pk": w["year_close"].pk},
        "budgets:year_close_reverse_confirm": {"pk": w["year_close"].pk},
        "budgets:transaction_reverse": {"pk": w["grant_tx"].pk},
        "reports:platform_report": slug | {"year": 2026},
        "reports:round_report": {"slug": o["published_round"].slug},
        "reports:transparency_year": {"year": 2026},
        "reports:district_report": {"year": 2026},
        "reports:report_retry": {"pk": w["report"].pk},
        "reports:accounts_exports_year": {"year": 2026},
        "reports:accounts_export_file": {"year": 2026, "name": "auditfile.xaf"},
        "reports:dataset_csv": {"name": "platforms"},
        "reports:dataset_json": {"name": "platforms"},
        "reports:dataset_xlsx": {"name": "platforms"},
    }


# --- the walker -----------------------------------------------------------------------------


def walk_url_names(patterns=None, namespace: str = "") -> list[tuple[str, str]]:
    """(full name, route) of every URL pattern of the project; unnamed ones as '?<route>'."""
    out: list[tuple[str, str]] = []

    def walk(patterns, prefix, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ns + (f"{p.namespace}:" if p.namespace else "")
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                out.append((f"{ns}{p.name}" if p.name else f"{ns}?{route}", route))

    walk(get_resolver().url_patterns if patterns is None else patterns, "", namespace)
    return out


def label(response) -> str | int:
    """An observed response as a matrix value."""
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if "/account/login/" in location:
            return "login"
        if "/account/reauthenticate/" in location:
            return "reauth"
    return code


def matches(expected, observed) -> bool:
    if expected == "denied":
        return observed in (403, 404)
    return expected == observed


class Requester:
    """One logged-in client per role; each request in a savepoint that is rolled back."""

    def __init__(self, world: dict):
        self.world = world
        self.clients: dict[str, Client] = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client.force_login(world["users"][role])
            self.clients[role] = client

    def url(self, name: str, k: str = "p") -> str:
        return reverse(name, kwargs=_kwargs(self.world, k).get(name, {}))

    def __call__(self, role: str, method: str, url: str, data: dict | None = None):
        client = self.clients[role]
        cookies = SimpleCookie()
        cookies.load(client.cookies.output(header="", sep=";"))
        cache.clear()  # rate limits (reports, allauth) count per client across rows
        try:
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data or {})
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies  # a logout or account deletion must not leak to the next row
        return response


@pytest.fixture(scope="module")
def world(module_db):
    w = build_world()
    w["requester"] = Requester(w)
    return w


@pytest.fixture
def request_as(world):
    return world["requester"]


# --- THE TABLE -------------------------------------------------------------------------------


def row(default, **roles) -> dict:
    """Expected outcome per role: `default` unless a role is named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    return {role: roles.get(role, default) for role in ROLES}


# GET on a state-changing view: @require_POST answers 405 (anonymous: to the login page first).
POST_ONLY = row(405, anonymous="login")

# Third-party URL groups that are not listed row by row, with the reason.
ALLOW_LISTED = {
    "admin:": "Django's admin: generated per model, only for is_staff, login through allauth "
    "(secure_admin_login); represented by the admin:index and admin:login rows below",
}

MATRIX: dict[tuple[str, str], dict] = {
    ("healthz", "GET"): row(200),
    # The operator's status page: staff only (404 for the public, 403 for other people).
    ("status", "GET"): row(403, anonymous=404, admin=200),
    ("status_json", "GET"): row(403, anonymous=404, admin=200),
    ("favicon", "GET"): row(200),
    ("privacy_rules", "GET"): row(200),
    ("set_language", "GET"): row(302),
    ("public_media", "GET"): row(200),
    ("home", "GET"): row(200),
    ("privacy", "GET"): row(200),
    ("account_login", "GET"): row(302, anonymous=200),
    ("account_login", "POST"): row(302, anonymous=200),
    ("account_logout", "GET"): row(200, anonymous=302),
    ("account_logout", "POST"): row(302),
    ("account_inactive", "GET"): row(200),
    ("account_signup", "GET"): row(302, anonymous=200),
    ("account_signup", "POST"): row(302, anonymous=200),
    ("account_reauthenticate", "GET"): row(200, anonymous="login"),
    ("account_reauthenticate", "POST"): row(200, anonymous="login"),
    ("account_request_reauthentication_code", "GET"): row(200, anonymous="login"),
    ("account_confirm_reauthentication_code", "GET"): row("reauth", anonymous="login"),
    ("account_email", "GET"): row(200, anonymous="login"),
    ("account_email", "POST"): row(302, anonymous="login"),
    ("account_email_verification_sent", "GET"): row(200),
    ("account_change_password", "GET"): row(200, anonymous="login"),
    ("account_change_password", "POST"): row(200, anonymous="login"),
    ("account_set_password", "GET"): row(302, anonymous="login"),
    ("account_set_password", "POST"): row(302, anonymous="login"),
    ("account_reset_password", "GET"): row(200),
    ("account_reset_password", "POST"): row(200),
    ("account_confirm_login_code", "GET"): row(302, anonymous="login"),
    ("account_confirm_email", "GET"): row(200),
    ("account_confirm_email", "POST"): row(404),
    ("account_reset_password_from_key_done", "GET"): row(200),
    ("account_reset_password_from_key", "GET"): row(200),
    ("account_reset_password_from_key", "POST"): row(200),
    ("account_reset_password_done", "GET"): row(200),
    ("mfa_index", "GET"): row(200, anonymous="login"),
    ("mfa_authenticate", "GET"): row(302, anonymous="login"),
    ("mfa_reauthenticate", "GET"): row("reauth", anonymous="login"),
    ("mfa_activate_totp", "GET"): row("reauth", anonymous="login"),
    ("mfa_activate_totp", "POST"): row("reauth", anonymous="login"),
    ("mfa_deactivate_totp", "GET"): row(404, anonymous="login"),
    ("mfa_view_recovery_codes", "GET"): row(404, anonymous="login"),
    ("mfa_generate_recovery_codes", "GET"): row("reauth", anonymous="login"),
    ("mfa_download_recovery_codes", "GET"): row(404, anonymous="login"),
    ("accounts:role_list", "GET"): row(403, anonymous="login", admin=200),
    ("accounts:role_grant", "GET"): POST_ONLY,
    ("accounts:role_grant", "POST"): row(403, anonymous="login", admin="reauth"),
    ("accounts:role_revoke", "GET"): POST_ONLY,
    ("accounts:role_revoke", "POST"): row(403, anonymous="login", admin="reauth"),
    ("workflows:data_export", "GET"): row("reauth", anonymous="login"),
    ("workflows:data_export", "POST"): row("reauth", anonymous="login"),
    ("workflows:account_delete", "GET"): row("reauth", anonymous="login"),
    ("workflows:account_delete", "POST"): row("reauth", anonymous="login"),
    ("management_home", "GET"): row(403, anonymous="login", admin=200),
    ("audit:entry_list", "GET"): row(403, anonymous="login", admin=200),
    ("areas:buurt_list", "GET"): row(200),
    ("areas:buurt_detail", "GET"): row(200),
    ("platforms:platform_list", "GET"): row(200),
    ("platforms:platform_create", "GET"): row(200, anonymous="login"),
    ("platforms:platform_create", "POST"): row(200, anonymous="login"),
    ("platforms:platform_detail", "GET"): row(200),
    ("platforms:platform_edit", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:platform_edit", "POST"): row(403, anonymous="login", coordinator=200),
    ("platforms:platform_archive", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:platform_archive", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:member_list", "GET"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("platforms:member_invite", "GET"): POST_ONLY,
    ("platforms:member_invite", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:member_visibility", "GET"): POST_ONLY,
    ("platforms:member_visibility", "POST"): row(
        403, anonymous="login", member=302, coordinator=302, conflicted=302
    ),
    ("platforms:member_role", "GET"): POST_ONLY,
    ("platforms:member_role", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:member_remove", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:member_remove", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:invitation_revoke", "GET"): POST_ONLY,
    ("platforms:invitation_revoke", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:platform_leave", "GET"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("platforms:platform_leave", "POST"): row(
        403, anonymous="login", member=302, coordinator=302, conflicted=302
    ),
    ("platforms:activity_create", "GET"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("platforms:activity_create", "POST"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("platforms:activity_detail", "GET"): row(200),
    ("platforms:activity_edit", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:activity_edit", "POST"): row(403, anonymous="login", coordinator=200),
    # A members-only activity's photo: its members only; it does not exist for anyone else.
    ("platforms:activity_photo_file", "GET"): row(404, member=200, coordinator=200, conflicted=200),
    ("platforms:activity_photo_add", "GET"): POST_ONLY,
    ("platforms:activity_photo_add", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:activity_photo_delete", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:activity_photo_delete", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:activity_delete", "GET"): row(403, anonymous="login", coordinator=200),
    ("platforms:activity_delete", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:confirmation_request", "GET"): POST_ONLY,
    ("platforms:confirmation_request", "POST"): row(403, anonymous="login", coordinator=302),
    ("platforms:endorsement_create", "GET"): row(200),  # anonymous: why an account
    ("platforms:endorsement_create", "POST"): row(200),  # anonymous: why an account
    ("platforms:endorsement_withdraw", "GET"): POST_ONLY,
    ("platforms:endorsement_withdraw", "POST"): row(404, anonymous="login", resident=302),
    ("platforms:endorsement_code_lookup", "GET"): row(200),
    ("platforms:endorsement_code_lookup", "POST"): row(200),
    ("platforms:my_platforms", "GET"): row(200, anonymous="login"),
    ("platforms:my_invitation_accept", "GET"): POST_ONLY,
    ("platforms:my_invitation_accept", "POST"): row(404, anonymous="login", resident=302),
    ("platforms:my_invitation_decline", "GET"): POST_ONLY,
    ("platforms:my_invitation_decline", "POST"): row(404, anonymous="login", resident=302),
    ("platforms:invitation_detail", "GET"): row(200),
    ("platforms:invitation_accept", "GET"): POST_ONLY,
    ("platforms:invitation_accept", "POST"): row(302, anonymous="login"),
    ("platforms:invitation_decline", "GET"): POST_ONLY,
    ("platforms:invitation_decline", "POST"): row(302, anonymous="login"),
    ("platforms:partner_confirmation", "GET"): row(200),
    ("platforms:partner_confirm", "GET"): row(405),  # no login: the partner has no account
    ("platforms:partner_confirm", "POST"): row(302),
    ("platforms:partner_decline", "GET"): row(405),  # no login: the partner has no account
    ("platforms:partner_decline", "POST"): row(302),
    ("platforms:endorsement_code_list", "GET"): row(403, anonymous="login", admin=200),
    ("platforms:endorsement_code_list", "POST"): row(403, anonymous="login", admin=200),
    ("platforms:endorsement_code_pdf", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:round_list", "GET"): row(200),
    ("recognition:round_detail", "GET"): row(200),
    ("recognition:round_decision", "GET"): row(200),
    ("recognition:decision_evidence", "GET"): row(200),  # consented and judged: public
    ("recognition:application_list", "GET"): row(200, anonymous="login"),
    ("recognition:application_start", "GET"): POST_ONLY,
    ("recognition:application_start", "POST"): row(403, anonymous="login", coordinator=302),
    ("recognition:application_detail", "GET"): row(
        404, anonymous="login", member=200, coordinator=200, conflicted=200, admin=200
    ),
    ("recognition:application_edit", "GET"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:application_edit", "POST"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:statement_edit", "GET"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:statement_edit", "POST"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:planline_add", "GET"): POST_ONLY,
    ("recognition:planline_add", "POST"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:planline_delete", "GET"): POST_ONLY,
    ("recognition:planline_delete", "POST"): row(
        404, anonymous="login", member=403, coordinator=302, conflicted=403, admin=403
    ),
    ("recognition:evidence_download", "GET"): row(404, member=200, coordinator=200, conflicted=200),
    ("recognition:evidence_delete", "GET"): POST_ONLY,
    ("recognition:evidence_delete", "POST"): row(
        404, anonymous="login", member=403, coordinator=302, conflicted=403, admin=403
    ),
    ("recognition:application_submit", "GET"): POST_ONLY,
    ("recognition:application_submit", "POST"): row(
        404, anonymous="login", member=403, coordinator=302, conflicted=403, admin=403
    ),
    ("recognition:application_withdraw", "GET"): row(
        404, anonymous="login", member=403, coordinator=200, conflicted=403, admin=403
    ),
    ("recognition:application_withdraw", "POST"): row(
        404, anonymous="login", member=403, coordinator=302, conflicted=403, admin=403
    ),
    # The matrix's draft is not withdrawn: nobody may restart it (tests/recognition/test_restart).
    ("recognition:application_restart", "GET"): POST_ONLY,
    ("recognition:application_restart", "POST"): row(
        404, anonymous="login", member=403, coordinator=403, conflicted=403, admin=403
    ),
    ("recognition:objection_create", "GET"): row(404, anonymous="login", coordinator=200),
    ("recognition:objection_create", "POST"): row(404, anonymous="login", coordinator=200),
    ("recognition:commission_home", "GET"): row(
        403, anonymous="login", commission=200, conflicted=200, admin=200
    ),
    ("recognition:commission_round", "GET"): row(
        403, anonymous="login", commission=200, conflicted=200, admin=200
    ),
    ("recognition:round_compare", "GET"): row(
        403, anonymous="login", commission=200, conflicted=200, admin=200
    ),
    ("recognition:round_remind", "GET"): POST_ONLY,
    ("recognition:round_remind", "POST"): row(403, anonymous="login", admin=302),
    ("reports:meeting_pack", "GET"): row(
        403, anonymous="login", commission=202, conflicted=202, admin=202
    ),
    ("recognition:round_conclude", "GET"): POST_ONLY,
    ("recognition:round_conclude", "POST"): row(403, anonymous="login", admin=302),
    ("recognition:round_reopen", "GET"): POST_ONLY,
    ("recognition:round_reopen", "POST"): row(403, anonymous="login", admin=302),
    ("workflows:round_publish", "GET"): row(403, anonymous="login", admin="reauth"),
    ("workflows:round_publish", "POST"): row(403, anonymous="login", admin="reauth"),
    ("recognition:application_review", "GET"): row(
        403, anonymous="login", commission=302, conflicted=404, admin=200
    ),
    ("recognition:conflict_declare", "GET"): row(
        403, anonymous="login", commission=200, conflicted=200
    ),
    ("recognition:conflict_declare", "POST"): row(
        403, anonymous="login", commission=200, conflicted=200
    ),
    ("recognition:conflict_pin", "GET"): POST_ONLY,
    ("recognition:conflict_pin", "POST"): row(403, anonymous="login", admin=302),
    ("recognition:scoresheet_save", "GET"): POST_ONLY,
    ("recognition:scoresheet_save", "POST"): row(403, anonymous="login", conflicted=404),
    ("recognition:scoresheet_submit", "GET"): POST_ONLY,
    ("recognition:scoresheet_submit", "POST"): row(403, anonymous="login", conflicted=404),
    ("recognition:decision_record", "GET"): row(403, anonymous="login", conflicted=404, admin=200),
    ("recognition:decision_record", "POST"): row(403, anonymous="login", conflicted=404, admin=200),
    ("workflows:my_platform", "GET"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("workflows:objection_answer", "GET"): row(403, anonymous="login", admin=200),
    ("workflows:objection_answer", "POST"): row(403, anonymous="login", admin=200),
    ("recognition:objection_hearing", "GET"): POST_ONLY,
    ("recognition:objection_hearing", "POST"): row(403, anonymous="login", admin=302),
    ("recognition:round_manage_list", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:round_create", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:round_create", "POST"): row(403, anonymous="login", admin=200),
    ("recognition:round_manage", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:round_manage", "POST"): row(403, anonymous="login", admin=200),
    ("recognition:round_open", "GET"): POST_ONLY,
    ("recognition:round_open", "POST"): row(403, anonymous="login", admin=302),
    ("recognition:round_start_assessment", "GET"): POST_ONLY,
    ("recognition:round_start_assessment", "POST"): row(403, anonymous="login", admin=302),
    ("recognition:round_audit", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:recognition_change", "GET"): row(403, anonymous="login", admin=200),
    ("recognition:recognition_change", "POST"): row(403, anonymous="login", admin=200),
    ("budgets:platform_budget", "GET"): row(
        200, anonymous="login", resident=403, other_coordinator=403, commission=403
    ),
    ("budgets:claim_create", "GET"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("budgets:claim_create", "POST"): row(
        403, anonymous="login", member=200, coordinator=200, conflicted=200
    ),
    ("budgets:ledger_csv", "GET"): row(403, anonymous="login", coordinator=200, support=200),
    ("budgets:claim_detail", "GET"): row(
        404, anonymous="login", member=200, coordinator=200, support=200
    ),
    ("budgets:claim_edit", "GET"): row(
        404, anonymous="login", member=403, coordinator=403, support=403
    ),
    ("budgets:claim_edit", "POST"): row(
        404, anonymous="login", member=403, coordinator=403, support=403
    ),
    # Receipts: the submitter and support only, not the volunteer coordinators.
    ("budgets:receipt_download", "GET"): row(404, anonymous="login", member=200, support=200),
    ("budgets:admin_queue", "GET"): row(403, anonymous="login", support=200),
    # Bulk actions: GET is the one confirmation page, POST does it (each claim through its
    # service; tests/budgets/test_workbench.py forges the POSTs).
    ("budgets:claim_bulk_approve", "GET"): row(403, anonymous="login", support=200),
    ("budgets:claim_bulk_approve", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_bulk_reject", "GET"): row(403, anonymous="login", support=200),
    ("budgets:claim_bulk_reject", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_bulk_request_changes", "GET"): row(403, anonymous="login", support=200),
    ("budgets:claim_bulk_request_changes", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_bulk_batch", "GET"): row(403, anonymous="login", support=200),
    ("budgets:claim_bulk_batch", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_review", "GET"): row(403, anonymous="login", support=200),
    ("budgets:claim_approve", "GET"): POST_ONLY,
    ("budgets:claim_approve", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_reject", "GET"): POST_ONLY,
    ("budgets:claim_reject", "POST"): row(403, anonymous="login", support=302),
    ("budgets:claim_request_changes", "GET"): POST_ONLY,
    ("budgets:claim_request_changes", "POST"): row(403, anonymous="login", support=302),
    ("budgets:batch_list", "GET"): row(403, anonymous="login", support=200),
    ("budgets:batch_create", "GET"): POST_ONLY,
    ("budgets:batch_create", "POST"): row(403, anonymous="login", support=302),
    ("budgets:batch_detail", "GET"): row(403, anonymous="login", support=200),
    ("budgets:batch_sepa", "GET"): row(403, anonymous="login", support=200),
    ("budgets:batch_pay", "GET"): POST_ONLY,
    ("budgets:batch_pay", "POST"): row(403, anonymous="login", support="reauth"),
    ("budgets:batch_release", "GET"): POST_ONLY,
    ("budgets:batch_release", "POST"): row(403, anonymous="login", support="reauth"),
    ("budgets:batch_cancel", "GET"): row(403, anonymous="login", support=200),
    ("budgets:batch_cancel", "POST"): row(403, anonymous="login", support=302),
    ("budgets:statement_list", "GET"): row(403, anonymous="login", support=200),
    # An empty upload re-renders the form with its error (nothing imported).
    ("budgets:statement_list", "POST"): row(403, anonymous="login", support=200),
    ("budgets:statement_detail", "GET"): row(403, anonymous="login", support=200),
    ("budgets:reversal_list", "GET"): row(403, anonymous="login", support=200),
    ("budgets:reversal_confirm", "GET"): POST_ONLY,
    ("budgets:reversal_confirm", "POST"): row(403, anonymous="login", support=302),
    ("budgets:reversal_withdraw", "GET"): POST_ONLY,
    ("budgets:reversal_withdraw", "POST"): row(403, anonymous="login", support=302),
    ("budgets:budget_list", "GET"): row(403, anonymous="login", support=200),
    ("budgets:budget_detail", "GET"): row(403, anonymous="login", support=200),
    # The year close: GET is the preview, POST the first person's proposal; a different
    # support person confirms (tests/budgets/test_year_close.py forges the POSTs).
    ("budgets:budget_close", "GET"): row(403, anonymous="login", support=200),
    ("budgets:budget_close", "POST"): row(403, anonymous="login", support=302),
    ("budgets:year_close_confirm", "GET"): POST_ONLY,
    ("budgets:year_close_confirm", "POST"): row(403, anonymous="login", support=302),
    ("budgets:year_close_cancel", "GET"): POST_ONLY,
    ("budgets:year_close_cancel", "POST"): row(403, anonymous="login", support=302),
    ("budgets:year_close_reverse", "GET"): POST_ONLY,
    ("budgets:year_close_reverse", "POST"): row(403, anonymous="login", support=302),
    ("budgets:year_close_reverse_confirm", "GET"): POST_ONLY,
    ("budgets:year_close_reverse_confirm", "POST"): row(403, anonymous="login", support=302),
    # Re-budgeting: the coordinator proposes (a pending version: the form again, 200), a
    # support person other than the proposer approves or rejects (tests/budgets/test_rebudget.py).
    ("budgets:plan_propose", "GET"): row(403, anonymous="login", coordinator=200),
    ("budgets:plan_propose", "POST"): row(403, anonymous="login", coordinator=200),
    ("budgets:plan_version_review", "GET"): row(403, anonymous="login", support=200),
    ("budgets:plan_version_approve", "GET"): POST_ONLY,
    ("budgets:plan_version_approve", "POST"): row(403, anonymous="login", support=302),
    ("budgets:plan_version_reject", "GET"): POST_ONLY,
    ("budgets:plan_version_reject", "POST"): row(403, anonymous="login", support=302),
    ("budgets:transaction_reverse", "GET"): POST_ONLY,
    ("budgets:transaction_reverse", "POST"): row(403, anonymous="login", support=302),
    ("reports:platform_report", "GET"): row(202),
    ("reports:round_report", "GET"): row(202),
    ("reports:transparency", "GET"): row(200),
    ("reports:transparency_year", "GET"): row(200),
    ("reports:district_report", "GET"): row(202),
    ("reports:report_retry", "GET"): POST_ONLY,
    ("reports:report_retry", "POST"): row(403, anonymous="login", support=302, admin=302),
    # The accountant's export: support staff only (not even the administrator).
    ("reports:accounts_exports", "GET"): row(403, anonymous="login", support=200),
    ("reports:accounts_exports_year", "GET"): row(403, anonymous="login", support=200),
    ("reports:accounts_export_file", "GET"): row(403, anonymous="login", support=202),
    ("reports:open_data", "GET"): row(200),
    ("reports:transactions_csv", "GET"): row(200),
    ("reports:threesixty_json", "GET"): row(200),
    ("reports:dataset_csv", "GET"): row(200),
    ("reports:dataset_json", "GET"): row(200),
    ("reports:dataset_xlsx", "GET"): row(200),
    ("reports:datapackage", "GET"): row(200),
}

# Admin rows (representatives of the allow-listed admin namespace).
MATRIX |= {
    ("admin:index", "GET"): row(302, admin=200),
    # allauth's secure_admin_login: anonymous to allauth's login, non-staff refused.
    ("admin:login", "GET"): row(403, anonymous="login", admin=302),
}

# POST bodies for rows where an empty form would not reach the interesting branch.
POST_DATA: dict[str, dict] = {
    "platforms:member_invite": {"email": "nieuw@example.org", "role": "member"},
    "platforms:member_role": {"role": "coordinator"},
    "platforms:confirmation_request": {"partner_name": "School", "partner_email": "s@example.org"},
    "platforms:member_visibility": {"show_name_publicly": "on"},
}


def _allow_listed(name: str) -> bool:
    return any(name.startswith(prefix) for prefix in ALLOW_LISTED)


def test_every_url_has_a_row():
    """A new URL without a row in MATRIX fails here (and so does a row for a removed URL)."""
    names = {name for name, _route in walk_url_names()}
    unnamed = sorted(n for n in names if "?" in n and not _allow_listed(n))
    assert unnamed == [], f"unnamed URL patterns cannot be checked: {unnamed}"
    missing = sorted(n for n in names if not _allow_listed(n) and (n, "GET") not in MATRIX)
    assert missing == [], f"add these URL names to MATRIX: {missing}"
    stale = sorted({n for n, _m in MATRIX} - names)
    assert stale == [], f"MATRIX rows for URLs that no longer exist: {stale}"
    assert len(names) > 100


def test_every_row_has_url_kwargs(world):
    for name, _method in MATRIX:
        reverse(name, kwargs=_kwargs(world).get(name, {}))  # NoReverseMatch = a missing kwarg


@pytest.mark.parametrize(("name", "method"), list(MATRIX), ids=lambda v: v)
def test_matrix(request_as, name, method):
    url = request_as.url(name)
    expected = MATRIX[(name, method)]
    wrong = {}
    for role in ROLES:
        observed = label(request_as(role, method, url, POST_DATA.get(name)))
        if not matches(expected[role], observed):
            wrong[role] = f"expected {expected[role]}, got {observed}"
    assert wrong == {}, f"{method} {url}"


# --- object level: another platform's objects, and ids swapped into our own URLs ------------

# Private objects of platform "o": no insider of platform "p" (nor a resident) reaches them.
IDOR_NAMES = [
    ("platforms:platform_edit", "GET"),
    ("platforms:member_list", "GET"),
    ("workflows:my_platform", "GET"),
    ("platforms:member_invite", "POST"),
    ("platforms:member_role", "POST"),
    ("platforms:member_remove", "POST"),
    ("platforms:member_remove", "GET"),
    ("platforms:invitation_revoke", "POST"),
    ("platforms:platform_archive", "GET"),
    ("platforms:platform_archive", "POST"),
    ("platforms:activity_delete", "GET"),
    ("platforms:activity_delete", "POST"),
    ("platforms:activity_create", "GET"),
    ("platforms:activity_edit", "GET"),
    ("platforms:activity_photo_add", "POST"),
    ("platforms:activity_photo_delete", "POST"),
    ("platforms:confirmation_request", "POST"),
    ("platforms:my_invitation_accept", "POST"),
    ("recognition:application_start", "POST"),
    ("recognition:application_detail", "GET"),
    ("recognition:application_edit", "GET"),
    ("recognition:application_edit", "POST"),
    ("recognition:statement_edit", "GET"),
    ("recognition:planline_add", "POST"),
    ("recognition:planline_delete", "POST"),
    ("recognition:evidence_download", "GET"),
    ("recognition:evidence_delete", "POST"),
    ("recognition:application_submit", "POST"),
    ("recognition:application_withdraw", "POST"),
    ("recognition:application_withdraw", "GET"),
    ("recognition:application_restart", "POST"),
    ("recognition:objection_create", "GET"),
    ("recognition:objection_create", "POST"),
    ("budgets:platform_budget", "GET"),
    ("budgets:claim_create", "GET"),
    ("budgets:claim_create", "POST"),
    ("budgets:ledger_csv", "GET"),
    ("budgets:claim_detail", "GET"),
    ("budgets:claim_edit", "GET"),
    ("budgets:receipt_download", "GET"),
    ("budgets:plan_propose", "GET"),
    ("budgets:plan_propose", "POST"),
]
INSIDERS = ("resident", "member", "coordinator", "conflicted")


@pytest.mark.parametrize(("name", "method"), IDOR_NAMES, ids=lambda v: v)
def test_other_platforms_objects_are_out_of_reach(request_as, name, method):
    url = request_as.url(name, "o")
    observed = {role: label(request_as(role, method, url)) for role in INSIDERS}
    assert all(v in (403, 404) for v in observed.values()), (url, observed)


def _swapped(w: dict) -> list[tuple[str, str, dict]]:
    """Our own platform's URL with one id taken from the other platform."""
    p, o, slug = w["p"], w["o"], {"slug": w["platform"].slug}
    return [
        ("platforms:activity_detail", "GET", slug | {"pk": o["hidden_activity"].pk}),
        ("platforms:activity_detail", "GET", slug | {"pk": o["activity"].pk}),
        ("platforms:activity_edit", "GET", slug | {"pk": o["activity"].pk}),
        ("platforms:member_role", "POST", slug | {"pk": w["other_ship"].pk}),
        ("platforms:member_remove", "POST", slug | {"pk": w["other_ship"].pk}),
        ("platforms:invitation_revoke", "POST", slug | {"pk": o["invitation"].pk}),
        (
            "platforms:activity_photo_delete",
            "POST",
            slug | {"pk": p["activity"].pk, "photo_pk": o["photo"].pk},
        ),
        ("budgets:claim_create", "GET", slug | {"budget_pk": o["budget"].pk}),
        ("budgets:plan_propose", "GET", slug | {"budget_pk": o["budget"].pk}),
        ("budgets:plan_propose", "POST", slug | {"budget_pk": o["budget"].pk}),
        ("budgets:claim_create", "POST", slug | {"budget_pk": o["budget"].pk}),
        (
            "recognition:evidence_download",
            "GET",
            {"pk": p["draft"].pk, "file": o["draft_evidence"].pk},
        ),
        (
            "recognition:evidence_delete",
            "POST",
            {"pk": p["draft"].pk, "file": o["draft_evidence"].pk},
        ),
        ("recognition:planline_delete", "POST", {"pk": p["draft"].pk, "line": o["draft_line"].pk}),
        (
            "recognition:decision_evidence",
            "GET",
            {"slug": p["published_round"].slug, "public_id": o["public_evidence"].public_id},
        ),
        ("budgets:receipt_download", "GET", {"claim_pk": p["claim"].pk, "pk": o["receipt"].pk}),
        (
            "recognition:application_start",
            "POST",
            {"round_slug": w["open_round"].slug, "platform_slug": w["other"].slug},
        ),
    ]


def test_swapped_ids_are_refused(world, request_as):
    """The coordinator and members of "p" put an id of "o" in a "p" address: 404 or 403."""
    failures = []
    for name, method, kwargs in _swapped(world):
        url = reverse(name, kwargs=kwargs)
        for role in ("member", "coordinator", "conflicted"):
            observed = label(request_as(role, method, url))
            if observed not in (403, 404):
                failures.append((name, method, role, observed))
    assert failures == []


def test_other_platform_receipt_and_evidence_not_served_to_support_for_wrong_claim(
    world, request_as
):
    """Even support staff, who may read every receipt, get 404 for a receipt under the wrong
    claim id (the pair must match)."""
    p, o = world["p"], world["o"]
    url = reverse(
        "budgets:receipt_download", kwargs={"claim_pk": p["claim"].pk, "pk": o["receipt"].pk}
    )
    assert label(request_as("support", "GET", url)) == 404


def test_rows_leave_the_world_unchanged(world, request_as):
    """The savepoint per request really rolls back: a coordinator's removal does not stick."""
    from platforms.models import Membership as M

    url = request_as.url("platforms:member_remove")
    assert label(request_as("coordinator", "POST", url)) == 302
    assert M.objects.filter(pk=world["member_ship"].pk).exists()


def test_english_addresses_follow_the_same_rules(request_as):
    """A sample of rows under /en/: the same outcome as the Dutch address."""
    from django.utils import translation

    for name in ("budgets:claim_detail", "recognition:application_detail", "management_home"):
        with translation.override("en"):
            url = request_as.url(name)
        assert url.startswith("/en/")
        expected = MATRIX[(name, "GET")]
        for role in ROLES:
            observed = label(request_as(role, "GET", url))
            assert matches(expected[role], observed), (url, role, observed)


# --- CSRF on every state-changing row (threat 3) ---------------------------------------------


def _allowed_role(expected: dict) -> str:
    """The first role that gets past the permission check on this row (else admin)."""
    for role in ROLES:
        if expected[role] not in (403, 404, 405, "login", "denied"):
            return role
    return "admin"


@pytest.mark.parametrize("name", sorted(n for n, m in MATRIX if m == "POST"), ids=lambda v: v)
def test_posts_without_a_csrf_token_are_refused(world, request_as, name):
    role = _allowed_role(MATRIX[(name, "POST")])
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = request_as.url(name)
    with transaction.atomic():
        response = client.post(url, POST_DATA.get(name, {}))
        transaction.set_rollback(True)
    assert response.status_code == 403, (role, response.status_code)


# --- scope: unpublished decisions, lists -----------------------------------------------------


def test_unpublished_decisions_and_reports_are_not_public(world, request_as):
    """A round in assessment has no public decision page or PDF, for anyone (threat 10)."""
    slug = world["assess_round"].slug
    for url in (
        reverse("recognition:round_decision", kwargs={"slug": slug}),
        reverse("reports:round_report", kwargs={"slug": slug}),
    ):
        for role in ROLES:
            assert label(request_as(role, "GET", url)) == 404, (url, role)


def test_lists_show_only_what_is_in_scope(world, request_as):
    """The coordinator of one platform never sees the other platform in their own lists."""
    other = world["other"].name
    for name in ("recognition:application_list", "platforms:my_platforms"):
        response = request_as("coordinator", "GET", request_as.url(name))
        assert response.status_code == 200
        assert world["platform"].name in response.content.decode()
        assert other not in response.content.decode(), name
    response = request_as("coordinator", "GET", request_as.url("budgets:ledger_csv"))
    body = b"".join(response.streaming_content).decode()
    assert other not in body
