import pytest

from accounts import demo as accounts_demo
from platforms import demo
from platforms.models import (
    Activity,
    ActivityPhoto,
    Endorsement,
    Membership,
    PartnerConfirmation,
    Platform,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the demo: seconds each


def test_seed_is_idempotent_and_keeps_the_agreed_slugs():
    accounts_demo.seed()
    demo.seed()
    counts = (Platform.objects.count(), Activity.objects.count(), Endorsement.objects.count())
    demo.seed()
    assert (
        Platform.objects.count(),
        Activity.objects.count(),
        Endorsement.objects.count(),
    ) == counts
    assert 14 <= counts[0] <= 16
    slugs = set(Platform.objects.values_list("slug", flat=True))
    assert {
        "samen-sterk-k-buurt",
        "k-buurt-verbindt",
        "gein-groen",
        "holendrecht-samen",
        "venserpolder-vooruit",
    } <= slugs
    sskb = Platform.objects.get(slug="samen-sterk-k-buurt")
    assert sorted(sskb.buurten.values_list("code", flat=True)) == [
        "TH01",
        "TH02",
        "TH03",
        "TH04",
        "TH05",
    ]
    assert sskb.area_name == "K-buurt"
    assert (
        Membership.objects.get(platform=sskb, user__email="coordinator@example.org").role
        == "coordinator"
    )
    kbv = Platform.objects.get(slug="k-buurt-verbindt")
    assert sorted(kbv.buurten.values_list("code", flat=True)) == ["TH03", "TH04", "TH05"]
    assert Membership.objects.filter(platform=kbv, user__email="commissie3@example.org").exists()
    assert sorted(
        Platform.objects.get(slug="gein-groen").buurten.values_list("code", flat=True)
    ) == ["TM01", "TM02", "TM03", "TM04"]
    assert PartnerConfirmation.objects.filter(status="confirmed").exists()
    assert ActivityPhoto.objects.count() == Platform.objects.count()
    assert Endorsement.objects.filter(verified=True, code__isnull=False).exists()
    assert not Endorsement.objects.filter(verified=True, code__isnull=True).exists()
    for platform in Platform.objects.all():
        assert platform.memberships.filter(role="coordinator").exists()
        assert platform.activities.exists()
