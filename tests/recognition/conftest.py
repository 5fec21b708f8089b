"""Recognition fixtures: a round moving through its states, complete applications, scoring."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from areas.models import Stadsdeel
from platforms.models import Membership
from recognition import selectors, services
from recognition.models import Round
from tests.factories import MembershipFactory, PlatformFactory, UserFactory
from workflows import decisions as workflows_decisions


def make_round(admin, *, slug="ronde-2027", total=Decimal("100000"), max_per_area=None, **kw):
    now = timezone.now()
    fields = {
        "title": f"Ronde {slug}",
        "slug": slug,
        "district": Stadsdeel.objects.get(code="T"),
        "budget_year": 2027,
        "total_budget": total,
        "max_per_area": max_per_area,
        "application_deadline": now + datetime.timedelta(days=14),
        "assessment_deadline": now + datetime.timedelta(days=40),
    }
    fields.update(kw)
    return services.create_round(by=admin, **fields)


def pass_deadline(rnd: Round) -> Round:
    past = timezone.now() - datetime.timedelta(hours=1)
    Round.objects.filter(pk=rnd.pk).update(application_deadline=past)
    rnd.refresh_from_db()
    return rnd


def complete_application(rnd, platform, coordinator, amount=Decimal("5000")):
    app = services.start_application(round=rnd, platform=platform, by=coordinator)
    services.update_application(
        application=app,
        by=coordinator,
        area_name=platform.area_name,
        buurten=list(platform.buurten.all()),
        plan_summary="Wekelijkse buurttafel en huiswerkhulp.",
    )
    for stmt in app.statements.select_related("criterion"):
        services.save_statement(
            application=app,
            criterion=stmt.criterion,
            by=coordinator,
            statement=f"Zo laten wij {stmt.criterion.title} zien.",
            links="",
            activities=[],
        )
    services.add_plan_line(
        application=app,
        by=coordinator,
        category="Activiteiten",
        description="Buurttafel",
        amount=amount,
    )
    return app


def score(app, member, value=3, *, submit=True):
    if selectors.declaration_for(member, app) is None:
        services.declare_conflict(application=app, by=member, has_conflict=False)
    crit = app.round.criteria_version.criteria.all()
    values = value if isinstance(value, dict) else {c.pk: value for c in crit}
    services.save_scores(
        application=app,
        member=member,
        scores={c.pk: (values.get(c.pk, value if isinstance(value, int) else 2), "") for c in crit},
    )
    if submit:
        services.submit_scoresheet(application=app, member=member)


@pytest.fixture(autouse=True)
def _dutch():
    """A request to /en/ leaves English active in this thread; reverse() would then add /en/."""
    from django.utils import translation

    translation.activate("nl")
    yield
    translation.activate("nl")


@pytest.fixture
def rival_platform(db):
    return PlatformFactory(
        name="K-buurt Verbindt", slug="k-buurt-verbindt", buurten=["TH02", "TH03"]
    )


@pytest.fixture
def rival_coordinator(rival_platform):
    user = UserFactory(email="rival@example.org", name="Rivaal Coördinator")
    MembershipFactory(platform=rival_platform, user=user, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def open_round(admin_user):
    rnd = make_round(admin_user)
    return services.open_round(round=rnd, by=admin_user)


@pytest.fixture
def draft_application(open_round, platform, coordinator):
    return services.start_application(round=open_round, platform=platform, by=coordinator)


@pytest.fixture
def assessment(
    open_round,
    platform,
    coordinator,
    rival_platform,
    rival_coordinator,
    other_platform,
    other_coordinator,
    commission_member,
    commission_member2,
    commission_member_conflicted,
    admin_user,
):
    """A round in assessment: two applications compete for the K-buurt, one for Gein."""
    a = complete_application(open_round, platform, coordinator, Decimal("6000"))
    b = complete_application(open_round, rival_platform, rival_coordinator, Decimal("8000"))
    c = complete_application(open_round, other_platform, other_coordinator, Decimal("4000"))
    for app, by in ((a, coordinator), (b, rival_coordinator), (c, other_coordinator)):
        services.submit_application(application=app, by=by)
    rnd = pass_deadline(open_round)
    services.start_assessment(round=rnd, by=admin_user)
    rnd.refresh_from_db()
    for app in (a, b, c):
        app.refresh_from_db()
    return {"round": rnd, "a": a, "b": b, "c": c}


@pytest.fixture
def scored(assessment, commission_member, commission_member2):
    for key in ("a", "b", "c"):
        score(assessment[key], commission_member, 3)
        score(assessment[key], commission_member2, 2 if key == "a" else 1)
    return assessment


@pytest.fixture
def decided(scored, admin_user):
    a, b, c = scored["a"], scored["b"], scored["c"]
    services.record_decision(
        application=a,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("6000"),
        motivation="Sterk trackrecord in de K-buurt.",
        criterion_motivations={a.round.criteria_version.criteria.first().pk: "Overtuigend."},
    )
    services.record_decision(
        application=b,
        by=admin_user,
        outcome="not_granted",
        granted_amount=0,
        motivation="De commissie koos voor een ander platform in dit gebied.",
    )
    services.record_decision(
        application=c,
        by=admin_user,
        outcome="granted",
        granted_amount=Decimal("3500"),
        motivation="Goed plan; minder gevraagd toegekend.",
    )
    services.conclude_round(round=scored["round"], by=admin_user)
    scored["round"].refresh_from_db()
    return scored


@pytest.fixture
def published(decided, admin_user):
    workflows_decisions.publish_round(round=decided["round"], by=admin_user)
    decided["round"].refresh_from_db()
    return decided
