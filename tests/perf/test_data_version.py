"""The public data version: one database row, one new version per committed transaction that
changes public data (however many rows), none for a rolled-back one, never going backwards."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from buurtplatform import pagecache
from buurtplatform.models import DataVersion
from platforms.models import Platform
from tests.factories import PlatformFactory


@pytest.fixture(autouse=True)
def _page_cache_on(settings, reference_data):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300


def _pending() -> int:
    return sum(1 for entry in connection.run_on_commit if entry[1] is pagecache._bump_now)


@pytest.mark.django_db
def test_one_transaction_records_one_new_version():
    with transaction.atomic():
        for name in ("Een", "Twee", "Drie"):
            PlatformFactory(buurten=["TH01"], name=name)
        Platform.objects.filter(name="Een").delete()
        assert _pending() == 1


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_bump_and_the_next_change_gets_one():
    with transaction.atomic():
        try:
            with transaction.atomic():
                PlatformFactory(buurten=["TH01"], name="Weg")
                assert _pending() == 1
                raise RuntimeError
        except RuntimeError:
            pass
        assert _pending() == 0  # rolled back with its savepoint
        PlatformFactory(buurten=["TH01"], name="Blijft")
        assert _pending() == 1


@pytest.mark.django_db(transaction=True)
def test_committed_changes_move_the_version_forward_only():
    start = int(pagecache.data_version())
    PlatformFactory(buurten=["TH01"], name="Buurtkamer")
    after_one = DataVersion.objects.get(pk=1).value
    assert after_one > start and pagecache.data_version() == str(after_one)
    # A clock running ahead elsewhere: the next version is still later than the stored one.
    DataVersion.objects.filter(pk=1).update(value=after_one + 10**15)
    assert int(pagecache.new_version()) == after_one + 10**15 + 1


@pytest.mark.django_db(transaction=True)
def test_a_fresh_database_gets_a_version_on_first_read():
    DataVersion.objects.all().delete()
    pagecache.forget_version()
    version = pagecache.data_version()
    assert DataVersion.objects.get(pk=1).value == int(version)
