import pytest

from accounts.models import User
from recognition.models import Application, Decision, Round

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # seeds the demo: seconds each


def test_demo_seed_is_idempotent_and_complete():
    from accounts import demo as accounts_demo
    from platforms import demo as platforms_demo
    from recognition import demo

    accounts_demo.seed()
    platforms_demo.seed()
    demo.seed()
    demo.seed()
    published = Round.objects.get(slug="buurtbudgetten-2026")
    assert published.status == Round.Status.PUBLISHED and published.budget_year == 2026
    assert Round.objects.get(slug="buurtbudgetten-2027").status == Round.Status.OPEN
    assert Decision.objects.filter(round=published).count() == 5
    granted = set(
        Decision.objects.filter(round=published, outcome="granted").values_list(
            "application__platform__slug", flat=True
        )
    )
    assert granted == {
        "samen-sterk-k-buurt",
        "gein-groen",
        "holendrecht-samen",
        "venserpolder-vooruit",
    }
    from recognition.selectors import is_conflicted

    member = User.objects.get(email="commissie3@example.org")
    rival = Application.objects.get(round=published, platform__slug="k-buurt-verbindt")
    assert is_conflicted(member, rival)  # a member of that platform: derived, not stored
    draft = Application.objects.get(round__slug="buurtbudgetten-2027")
    assert draft.status == "draft" and draft.created_by.email == "coordinator@example.org"
    from budgets import demo as budgets_demo
    from budgets.models import Budget

    budgets_demo.seed()  # the books are the budgets app's step of the demo
    assert Budget.objects.filter(round=published).count() == 4
