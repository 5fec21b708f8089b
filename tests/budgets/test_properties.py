"""Money rules: Decimal everywhere, and the ledger totals equal the sum of the items exactly."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.models import Account
from budgets.services import (
    Line,
    account_balance,
    budget_account,
    get_system_account,
    post_transaction,
)


def test_every_money_field_is_a_decimal_of_12_2():
    for model in apps.get_app_config("budgets").get_models():
        for field in model._meta.get_fields():
            assert not isinstance(field, models.FloatField), f"{model.__name__}.{field.name}"
            if isinstance(field, models.DecimalField):
                assert (field.max_digits, field.decimal_places) == (12, 2), field


cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=st.lists(cents, min_size=1, max_size=12))
def test_ledger_total_equals_the_sum_of_items_exactly(budget, items):
    """Rounding rule: amounts are exact cents (Decimal, two places); nothing is ever rounded."""
    target = budget_account(budget)
    source = get_system_account(Account.Kind.GRANT_SOURCE)
    before = account_balance(target)
    post_transaction(
        budget=budget,
        kind="grant",
        lines=[Line(target, "debit", amount) for amount in items]
        + [Line(source, "credit", sum(items))],
        value_date=datetime.date(2026, 6, 1),
        description="eigenschap",
    )
    assert account_balance(target) - before == sum(items)
