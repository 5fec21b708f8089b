"""Factories for budgets tests: rounds, applications with plan lines and published decisions
are created directly on the recognition models (no dependency on recognition's services)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from areas.models import Stadsdeel
from recognition.models import Application, CriteriaVersion, Decision, PlanLine, Round
from tests.factories import PlatformFactory


def _district():
    return Stadsdeel.objects.get_or_create(code="T", defaults={"name": "Zuidoost"})[0]


def _criteria_version():
    return CriteriaVersion.objects.first() or CriteriaVersion.objects.create(name="Test")


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    title = factory.Sequence(lambda n: f"Ronde {n}")
    slug = factory.Sequence(lambda n: f"ronde-{n}")
    district = factory.LazyFunction(_district)
    budget_year = 2026
    total_budget = Decimal("100000.00")
    application_deadline = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2026, 1, 15, 12, 0))
    )
    assessment_deadline = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2026, 2, 15, 12, 0))
    )
    criteria_version = factory.LazyFunction(_criteria_version)
    status = Round.Status.PUBLISHED


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    round = factory.SubFactory(RoundFactory)
    platform = factory.SubFactory(PlatformFactory)
    area_name = "De K-buurt"
    requested_amount = Decimal("1000.00")
    status = Application.Status.GRANTED


class PlanLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanLine

    application = factory.SubFactory(ApplicationFactory)
    category = "Activiteiten"
    description = factory.Sequence(lambda n: f"Begrotingspost {n}")
    amount = Decimal("500.00")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    round = factory.LazyAttribute(lambda o: o.application.round)
    application = factory.SubFactory(ApplicationFactory)
    outcome = Decision.Outcome.GRANTED
    granted_amount = Decimal("1000.00")
    motivation = "Sterk plan."
    status = Decision.Status.PUBLISHED
    published_at = factory.LazyFunction(
        lambda: timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 0))
    )


def granted_decision(
    *,
    platform,
    amount="1000.00",
    lines=(("Activiteiten", "500.00"), ("Materiaal", "500.00")),
    year=2026,
):
    """A published granting decision for `platform` with the given plan lines."""
    application = ApplicationFactory(
        platform=platform, round=RoundFactory(budget_year=year), requested_amount=Decimal(amount)
    )
    for category, line_amount in lines:
        PlanLineFactory(application=application, category=category, amount=Decimal(line_amount))
    return DecisionFactory(application=application, granted_amount=Decimal(amount))
