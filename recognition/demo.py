"""Demo rounds: a published 2026 round (the K-buurt contested, one recusal) and an open 2027 round.

Built through the services (so the audit trail is real), then the dates of the published round
are moved back to spring 2026. Idempotent: a round whose slug exists is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from areas.models import Stadsdeel
from platforms.models import Membership, Platform
from recognition import services
from recognition.models import Decision, Recognition, Round

PUBLISHED_SLUG = "buurtbudgetten-2026"
OPEN_SLUG = "buurtbudgetten-2027"
ASSESSMENT_SLUG = "aanvullende-ronde-2027"
# A round in assessment: two platforms compete for the K-buurt, one applies for Gein.
ASSESSMENT_APPLICANTS = [
    (
        "samen-sterk-k-buurt",
        [("Activiteiten", "Klussenteam voor ouderen", Decimal("4000"))],
        [4, 3, 4, 4, 3, 3, 3, 2, 3, 2],
    ),
    (
        "k-buurt-verbindt",
        [("Communicatie", "Buurtkrant, extra editie", Decimal("3500"))],
        [3, 4, 2, 2, 4, 3, 4, 4, 2, 2],
    ),
    (
        "gein-groen",
        [("Materiaal", "Regentonnen voor geveltuinen", Decimal("2500"))],
        [3, 3, 3, 2, 3, 3, 3, 3, 3, 3],
    ),
]

# slug, plan lines [(category, description, amount)], granted amount (None = not granted),
# a base score per criterion for the commission
APPLICANTS = [
    (
        "samen-sterk-k-buurt",
        [
            ("Activiteiten", "Huiswerkklas, 40 weken", Decimal("9000")),
            ("Activiteiten", "Buurtmaaltijden, maandelijks", Decimal("6000")),
            ("Ruimte", "Huur buurthuis", Decimal("7000")),
            ("Communicatie", "Nieuwsbrief en website", Decimal("3000")),
        ],
        Decimal("22000"),
        [4, 4, 3, 4, 3, 3, 3, 3, 2, 3],
    ),
    (
        "k-buurt-verbindt",
        [
            ("Activiteiten", "Koffieochtenden en sport op het plein", Decimal("10000")),
            ("Communicatie", "Buurtkrant, 4 edities", Decimal("8000")),
        ],
        None,
        [3, 3, 2, 2, 4, 2, 3, 4, 2, 1],
    ),
    (
        "gein-groen",
        [
            ("Activiteiten", "Moestuinen en geveltuinen", Decimal("11000")),
            ("Materiaal", "Gereedschap en plantgoed", Decimal("4000")),
        ],
        Decimal("15000"),
        [3, 3, 3, 3, 3, 3, 2, 2, 3, 3],
    ),
    (
        "holendrecht-samen",
        [
            ("Ruimte", "Open huiskamer", Decimal("7000")),
            ("Activiteiten", "Taalcafé en uitstapjes", Decimal("5000")),
        ],
        Decimal("10000"),
        [3, 2, 4, 3, 3, 2, 2, 2, 3, 2],
    ),
    (
        "venserpolder-vooruit",
        [
            ("Activiteiten", "Zomerfeest en speelstraat", Decimal("6000")),
            ("Veiligheid", "Buurtpreventie", Decimal("3000")),
        ],
        Decimal("9000"),
        [3, 3, 2, 2, 3, 3, 3, 3, 3, 2],
    ),
]

MOTIVATIONS = {
    "samen-sterk-k-buurt": (
        "Samen Sterk K-buurt laat al jaren zien wat het doet: huiswerkklas, maaltijden en een "
        "klussenteam, met veel bewoners en partners die het bevestigen. De commissie kiest dit "
        "platform voor de K-buurt en kent iets minder toe dan gevraagd: de huur is hoog begroot."
    ),
    "k-buurt-verbindt": (
        "K-buurt Verbindt verbindt bewoners goed en informeert de buurt met een sterke krant. "
        "Voor de K-buurt is één platform gekozen; Samen Sterk K-buurt scoorde hoger op daadkracht, "
        "inclusie en zelfredzaamheid. De commissie nodigt beide platforms uit samen te werken."
    ),
    "gein-groen": "Een breed gedragen groen platform met aantoonbaar resultaat in Gein.",
    "holendrecht-samen": (
        "Sterk in inclusie; het taalcafé bereikt bewoners die elders niet meedoen. Het budget "
        "voor uitstapjes is lager toegekend."
    ),
    "venserpolder-vooruit": "Concreet plan, zichtbare resultaten en goede samenwerking met partners.",
}


def _coordinator(platform: Platform) -> User | None:
    m = (
        Membership.objects.filter(platform=platform, role=Membership.Role.COORDINATOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _fill(app, coordinator, lines, statement_prefix: str = "") -> None:
    services.update_application(
        application=app,
        by=coordinator,
        area_name=app.platform.area_name,
        buurten=list(app.platform.buurten.all()),
        plan_summary=(
            f"{app.platform.name} wil het komende jaar doorgaan met wat werkt en meer bewoners "
            "laten meedoen."
        ),
    )
    activities = list(app.platform.activities.order_by("-start_date")[:3])
    for stmt in app.statements.select_related("criterion"):
        services.save_statement(
            application=app,
            criterion=stmt.criterion,
            by=coordinator,
            statement=(
                f"{statement_prefix}{stmt.criterion.title}: zo laten wij dit zien in de buurt. "
                f"{stmt.criterion.guidance_nl}"
            ),
            links=f"https://{app.platform.slug}.example.org/{stmt.criterion.key}",
            activities=activities if stmt.criterion.number in (1, 2) else [],
        )
    for category, description, amount in lines:
        services.add_plan_line(
            application=app,
            by=coordinator,
            category=category,
            description=description,
            amount=amount,
        )


def _score(app, member, base: list[int], shift: int) -> None:
    criteria = list(app.round.criteria_version.criteria.all())
    scores = {}
    for c, value in zip(criteria, base, strict=True):
        v = min(4, max(0, value + (shift if c.number % 3 == 0 else 0)))
        scores[c.pk] = (v, "")
    services.save_scores(application=app, member=member, scores=scores)
    services.submit_scoresheet(application=app, member=member)


def _seed_published(admin, chair, members, conflicted) -> Round | None:
    platforms = {p.slug: p for p in Platform.objects.filter(slug__in=[a[0] for a in APPLICANTS])}
    if len(platforms) < len(APPLICANTS):
        return None
    now = timezone.now()
    rnd = services.create_round(
        by=admin,
        title="Buurtbudgetten 2026",
        slug=PUBLISHED_SLUG,
        description=(
            "De eerste ronde buurtbudgetten in Zuidoost: platforms die al iets doen voor hun buurt "
            "vragen erkenning en een budget aan."
        ),
        district=Stadsdeel.objects.get(code="T"),
        budget_year=2026,
        total_budget=Decimal("100000"),
        max_per_area=Decimal("30000"),
        application_deadline=now + datetime.timedelta(days=1),
        assessment_deadline=now + datetime.timedelta(days=30),
        recognition_months=24,
        quorum=2,
        objection_weeks=6,
        publish_member_names=True,
        chair=chair,
    )
    rnd = services.open_round(round=rnd, by=admin)
    apps = {}
    for slug, lines, _granted, _base in APPLICANTS:
        coordinator = _coordinator(platforms[slug])
        app = services.start_application(round=rnd, platform=platforms[slug], by=coordinator)
        _fill(app, coordinator, lines)
        services.submit_application(application=app, by=coordinator)
        apps[slug] = app
    Round.objects.filter(pk=rnd.pk).update(application_deadline=now - datetime.timedelta(hours=1))
    rnd.refresh_from_db()
    services.start_assessment(round=rnd, by=admin)
    for slug, _lines, _granted, base in APPLICANTS:
        app = apps[slug]
        app.refresh_from_db()
        for shift, member in zip((0, -1, 1), members, strict=True):
            if member == conflicted and slug in ("k-buurt-verbindt", "samen-sterk-k-buurt"):
                if slug == "samen-sterk-k-buurt":
                    services.declare_conflict(
                        application=app,
                        by=member,
                        has_conflict=True,
                        kind="other",
                        reason="Lid van de concurrerende aanvrager voor hetzelfde gebied.",
                    )
                continue
            services.declare_conflict(application=app, by=member, has_conflict=False)
            _score(app, member, base, shift if slug != "k-buurt-verbindt" else shift * 2)
    for slug, _lines, granted, _base in APPLICANTS:
        app = apps[slug]
        app.refresh_from_db()
        reasons = {}
        if slug == "k-buurt-verbindt":
            crit = rnd.criteria_version.criteria.get(number=10)
            reasons[crit.pk] = "De aanvraag noemt geen eigen middelen buiten het buurtbudget."
        services.record_decision(
            application=app,
            by=chair,
            outcome="granted" if granted else "not_granted",
            granted_amount=granted or Decimal("0"),
            motivation=MOTIVATIONS[slug],
            criterion_motivations=reasons,
        )
    services.conclude_round(round=rnd, by=chair)
    services.publish_round(round=rnd, by=chair)
    _backdate(rnd)
    return rnd


def _backdate(rnd: Round) -> None:
    """Move the published round to its real place in time (spring 2026) — demo data only."""
    tz = timezone.get_current_timezone()
    deadline = datetime.datetime(2026, 3, 1, 17, 0, tzinfo=tz)
    published = datetime.datetime(2026, 4, 15, 10, 0, tzinfo=tz)
    Round.objects.filter(pk=rnd.pk).update(
        application_deadline=deadline,
        assessment_deadline=datetime.datetime(2026, 4, 1, 17, 0, tzinfo=tz),
        published_at=published,
    )
    Decision.objects.filter(round=rnd).update(published_at=published)
    start = published.date()
    until = services.add_months(start, rnd.recognition_months)
    for rec in Recognition.objects.filter(decision__round=rnd).select_related("platform"):
        Recognition.objects.filter(pk=rec.pk).update(valid_from=start, valid_until=until)
        Platform.objects.filter(pk=rec.platform_id).update(recognised_until=until)


def _seed_open(admin, chair) -> Round | None:
    platform = Platform.objects.filter(slug="samen-sterk-k-buurt").first()
    coordinator = User.objects.filter(email="coordinator@example.org").first()
    if platform is None or coordinator is None:
        return None
    tz = timezone.get_current_timezone()
    deadline = max(
        datetime.datetime(2027, 3, 1, 17, 0, tzinfo=tz),
        timezone.now() + datetime.timedelta(days=60),
    )
    rnd = services.create_round(
        by=admin,
        title="Buurtbudgetten 2027",
        slug=OPEN_SLUG,
        description="De tweede ronde: platforms kunnen aanvragen tot de deadline.",
        district=Stadsdeel.objects.get(code="T"),
        budget_year=2027,
        total_budget=Decimal("120000"),
        max_per_area=Decimal("30000"),
        application_deadline=deadline,
        assessment_deadline=deadline + datetime.timedelta(days=35),
        recognition_months=24,
        quorum=2,
        objection_weeks=6,
        chair=chair,
    )
    rnd = services.open_round(round=rnd, by=admin)
    app = services.start_application(round=rnd, platform=platform, by=coordinator)
    criteria = list(app.statements.select_related("criterion")[:4])
    for stmt in criteria:
        services.save_statement(
            application=app,
            criterion=stmt.criterion,
            by=coordinator,
            statement=f"{stmt.criterion.title}: concept — nog aanvullen.",
            links="",
            activities=[],
        )
    services.add_plan_line(
        application=app,
        by=coordinator,
        category="Activiteiten",
        description="Huiswerkklas, 40 weken",
        amount=Decimal("9500"),
    )
    return rnd


def _seed_assessment(admin, chair, members) -> Round | None:
    """A round in assessment with a competition group, half-way through the scoring: the
    chair has scored everything, the second member only Gein (reminders, the board), and the
    third member belongs to K-buurt Verbindt, so is conflicted on the whole K-buurt group."""
    platforms = {
        p.slug: p for p in Platform.objects.filter(slug__in=[a[0] for a in ASSESSMENT_APPLICANTS])
    }
    if len(platforms) < len(ASSESSMENT_APPLICANTS):
        return None
    now = timezone.now()
    rnd = services.create_round(
        by=admin,
        title="Aanvullende ronde 2027",
        slug=ASSESSMENT_SLUG,
        description="Een kleine extra ronde voor aanvullende plannen; de commissie beoordeelt.",
        district=Stadsdeel.objects.get(code="T"),
        budget_year=2027,
        total_budget=Decimal("8000"),
        max_per_area=Decimal("5000"),
        application_deadline=now + datetime.timedelta(days=1),
        assessment_deadline=now + datetime.timedelta(days=6),
        recognition_months=12,
        quorum=2,
        objection_weeks=6,
        chair=chair,
    )
    rnd = services.open_round(round=rnd, by=admin)
    apps = {}
    for slug, lines, _base in ASSESSMENT_APPLICANTS:
        coordinator = _coordinator(platforms[slug])
        app = services.start_application(round=rnd, platform=platforms[slug], by=coordinator)
        _fill(app, coordinator, lines, statement_prefix="Aanvulling. ")
        services.submit_application(application=app, by=coordinator)
        apps[slug] = app
    Round.objects.filter(pk=rnd.pk).update(application_deadline=now - datetime.timedelta(days=2))
    rnd.refresh_from_db()
    services.start_assessment(round=rnd, by=admin)
    second = members[1]
    for slug, _lines, base in ASSESSMENT_APPLICANTS:
        app = apps[slug]
        app.refresh_from_db()
        services.declare_conflict(application=app, by=chair, has_conflict=False)
        _score(app, chair, base, 0)
        if slug == "gein-groen":
            services.declare_conflict(application=app, by=second, has_conflict=False)
            _score(app, second, base, 1)
    return rnd


def seed(stdout=None) -> None:
    admin = User.objects.filter(email="admin@example.org").first()
    members = [
        User.objects.filter(email=e).first()
        for e in ("commissie@example.org", "commissie2@example.org", "commissie3@example.org")
    ]
    if admin is None or None in members:
        if stdout:
            stdout.write("recognition: demo accounts missing, skipped")
        return
    chair, conflicted = members[0], members[2]
    made = []
    if not Round.objects.filter(slug=PUBLISHED_SLUG).exists():
        if _seed_published(admin, chair, members, conflicted):
            made.append(PUBLISHED_SLUG)
    if not Round.objects.filter(slug=OPEN_SLUG).exists():
        if _seed_open(admin, chair):
            made.append(OPEN_SLUG)
    if not Round.objects.filter(slug=ASSESSMENT_SLUG).exists():
        if _seed_assessment(admin, chair, members):
            made.append(ASSESSMENT_SLUG)
    if stdout:
        stdout.write(f"recognition: demo rounds ready ({', '.join(made) or 'already there'})")
