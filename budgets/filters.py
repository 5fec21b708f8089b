"""The support queue's filters, search and sorting (django-filter)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import ExpenseClaim
from platforms.models import Platform

# Without a status filter the queue shows what still needs work.
OPEN = "open"
TO_BATCH = "to_batch"
OPEN_STATUSES = (
    ExpenseClaim.Status.SUBMITTED,
    ExpenseClaim.Status.CHANGES_REQUESTED,
    ExpenseClaim.Status.APPROVED,
)
AGE_CHOICES = [
    ("7", _("langer dan 7 dagen")),
    ("14", _("langer dan 14 dagen")),
    ("30", _("langer dan 30 dagen")),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ClaimQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Zoeken"),
        method="filter_text",
        help_text=_("Nummer, omschrijving, ontvanger, platform of batch"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            (OPEN, _("Alles wat nog werk vraagt")),
            (TO_BATCH, _("Goedgekeurd, nog niet in een betaalbatch")),
            *ExpenseClaim.Status.choices,
        ],
        empty_label=None,
        method="filter_status",
    )
    platform = django_filters.ModelChoiceFilter(
        label=_("Platform"),
        queryset=Platform.objects.order_by("name"),
        field_name="budget__platform",
        empty_label=_("Alle platforms"),
    )
    amount_min = django_filters.NumberFilter(
        label=_("Bedrag vanaf"), field_name="amount", lookup_expr="gte"
    )
    amount_max = django_filters.NumberFilter(
        label=_("Bedrag tot en met"), field_name="amount", lookup_expr="lte"
    )
    date_from = django_filters.DateFilter(
        label=_("Datum uitgave vanaf"),
        field_name="expense_date",
        lookup_expr="gte",
        widget=DATE_INPUT,
    )
    date_to = django_filters.DateFilter(
        label=_("Datum uitgave tot en met"),
        field_name="expense_date",
        lookup_expr="lte",
        widget=DATE_INPUT,
    )
    submitter = django_filters.CharFilter(
        label=_("Ingediend door (naam of e-mail)"), method="filter_submitter"
    )
    age = django_filters.ChoiceFilter(
        label=_("Wacht al"),
        choices=AGE_CHOICES,
        empty_label=_("Maakt niet uit"),
        method="filter_age",
    )
    o = django_filters.OrderingFilter(
        label=_("Sorteren"),
        fields=(
            ("submitted_at", "submitted"),
            ("amount", "amount"),
            ("expense_date", "date"),
            ("budget__platform__name", "platform"),
            ("id", "nr"),
        ),
        field_labels={
            "submitted_at": _("Ingediend"),
            "amount": _("Bedrag"),
            "expense_date": _("Datum uitgave"),
            "budget__platform__name": _("Platform"),
            "id": _("Nummer"),
        },
        empty_label=None,
    )

    class Meta:
        model = ExpenseClaim
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The default status (everything still open) applies when the form leaves it empty.
        if not self.form.cleaned_data.get("status"):
            queryset = self.filter_status(queryset, "status", OPEN)
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("o"):
            queryset = queryset.order_by("submitted_at", "id")
        else:
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES).exclude(
                status=ExpenseClaim.Status.APPROVED, batch__isnull=False
            )
        if value == TO_BATCH:
            return queryset.filter(status=ExpenseClaim.Status.APPROVED, batch=None)
        return queryset.filter(status=value)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        match = (
            Q(description__icontains=value)
            | Q(payee_name__icontains=value)
            | Q(budget__platform__name__icontains=value)
            | Q(batch__reference__icontains=value)
        )
        if value.isdigit():
            match |= Q(pk=int(value))
        return queryset.filter(match)

    def filter_submitter(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(submitted_by__name__icontains=value) | Q(submitted_by__email__icontains=value)
        )

    def filter_age(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        since = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(submitted_at__lte=since)
