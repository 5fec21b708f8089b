"""Forms offer only the buurten of the district this site serves, even after a city import."""

import pytest

from areas.models import Buurt, Stadsdeel, Wijk
from platforms.forms import EndorsementCodeForm, EndorsementForm, PlatformForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def centrum_buurt():
    centrum = Stadsdeel.objects.create(code="A", name="Centrum")
    wijk = Wijk.objects.create(code="AA", name="Burgwallen-Oude Zijde", stadsdeel=centrum)
    return Buurt.objects.create(code="AA01", name="Kop Zeedijk", wijk=wijk)


def test_forms_offer_only_zuidoost_buurten(centrum_buurt):
    for form in (PlatformForm(), EndorsementForm(), EndorsementCodeForm()):
        field = form.fields["buurten" if isinstance(form, PlatformForm) else "buurt"]
        codes = set(field.queryset.values_list("code", flat=True))
        assert "TH01" in codes and len(codes) == 46
        assert centrum_buurt.code not in codes


def test_a_buurt_of_another_district_is_refused(centrum_buurt):
    form = EndorsementCodeForm(data={"buurt": centrum_buurt.pk, "count": 5})
    assert not form.is_valid()
    assert "buurt" in form.errors


def test_district_is_configurable(centrum_buurt, settings):
    settings.DISTRICT_CODE = "A"
    codes = set(EndorsementForm().fields["buurt"].queryset.values_list("code", flat=True))
    assert codes == {"AA01"}
