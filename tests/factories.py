"""factory_boy factories for the core objects; apps add theirs in tests/<app>/factories.py."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import COMMISSION, SUPPORT
from areas.models import Buurt
from platforms.models import Activity, Membership, Platform

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        obj.save()

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        for role in extracted or []:
            obj.groups.add(Group.objects.get_or_create(name=role)[0])


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Buurtplatform {n}")
    slug = factory.Sequence(lambda n: f"buurtplatform-{n}")
    area_name = "De K-buurt"
    description = "We doen dingen voor de buurt."
    contact_email = "info@platform.example"

    @factory.post_generation
    def buurten(obj, create, extracted, **kwargs):
        codes = extracted or ["TH01"]
        obj.buurten.set(Buurt.objects.filter(code__in=codes))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    platform = factory.SubFactory(PlatformFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    platform = factory.SubFactory(PlatformFactory)
    title = factory.Sequence(lambda n: f"Activiteit {n}")
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 5, 1))
    description = "Buurtbewoners kwamen samen."
    category = Activity.Category.MEETING
    participants = 25


# The cast of tests/conftest.py: one table, so the function-scoped fixtures there and a
# module-scoped world (``cast()``) make the same people and platforms.
PLATFORMS = {
    "platform": {"name": "Samen K-buurt", "slug": "samen-k-buurt", "buurten": ["TH01", "TH02"]},
    "other_platform": {"name": "Gein Groen", "slug": "gein-groen", "buurten": ["TM01"]},
}
PEOPLE = {
    "resident": {"email": "resident@example.org", "name": "Rita Resident"},
    "coordinator": {"email": "coord@example.org", "name": "Cora Coördinator"},
    "member": {"email": "member@example.org", "name": "Mo Member"},
    "other_coordinator": {"email": "othercoord@example.org", "name": "Otto Other"},
    "commission_member": {
        "email": "commissie1@example.org",
        "name": "Carla Commissie",
        "roles": [COMMISSION],
    },
    "commission_member2": {
        "email": "commissie2@example.org",
        "name": "Cees Commissie",
        "roles": [COMMISSION],
    },
    "support_staff": {"email": "support1@example.org", "name": "Sam Support", "roles": [SUPPORT]},
    "support_staff2": {"email": "support2@example.org", "name": "Sara Support", "roles": [SUPPORT]},
    "admin_user": {
        "email": "admin@example.org",
        "name": "Ada Admin",
        "is_superuser": True,
        "is_staff": True,
    },
}
# Who belongs to which platform, and as what.
MEMBERSHIPS = {
    "coordinator": ("platform", Membership.Role.COORDINATOR),
    "member": ("platform", Membership.Role.MEMBER),
    "other_coordinator": ("other_platform", Membership.Role.COORDINATOR),
}


def person(key: str, platform: Platform | None = None) -> User:
    """One person of the cast; with their membership when the table gives them one."""
    user = UserFactory(**PEOPLE[key])
    if key in MEMBERSHIPS:
        MembershipFactory(platform=platform, user=user, role=MEMBERSHIPS[key][1])
    return user


def cast() -> dict:
    """The whole cast at once, keyed by the fixture names of tests/conftest.py, for a
    module-scoped world (where the function-scoped persona fixtures cannot be used)."""
    made: dict = {key: PlatformFactory(**fields) for key, fields in PLATFORMS.items()}
    for key in PEOPLE:
        made[key] = person(key, made[MEMBERSHIPS[key][0]] if key in MEMBERSHIPS else None)
    return made
