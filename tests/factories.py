"""factory_boy factories for the core objects; apps add theirs in tests/<app>/factories.py."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
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


def cast() -> dict:
    """The personas of tests/conftest.py, made at once, for a module-scoped world (where the
    function-scoped persona fixtures cannot be used): the same names, e-mail addresses, roles
    and memberships, keyed by the fixture names."""
    from accounts.roles import COMMISSION, SUPPORT

    platform = PlatformFactory(name="Samen K-buurt", slug="samen-k-buurt", buurten=["TH01", "TH02"])
    other_platform = PlatformFactory(name="Gein Groen", slug="gein-groen", buurten=["TM01"])
    people = {
        "platform": platform,
        "other_platform": other_platform,
        "resident": UserFactory(email="resident@example.org", name="Rita Resident"),
        "coordinator": UserFactory(email="coord@example.org", name="Cora Coördinator"),
        "member": UserFactory(email="member@example.org", name="Mo Member"),
        "other_coordinator": UserFactory(email="othercoord@example.org", name="Otto Other"),
        "commission_member": UserFactory(
            email="commissie1@example.org", name="Carla Commissie", roles=[COMMISSION]
        ),
        "support_staff": UserFactory(
            email="support1@example.org", name="Sam Support", roles=[SUPPORT]
        ),
        "admin_user": UserFactory(
            email="admin@example.org", name="Ada Admin", is_superuser=True, is_staff=True
        ),
    }
    for who, where, role in (
        ("coordinator", platform, Membership.Role.COORDINATOR),
        ("member", platform, Membership.Role.MEMBER),
        ("other_coordinator", other_platform, Membership.Role.COORDINATOR),
    ):
        MembershipFactory(platform=where, user=people[who], role=role)
    return people
