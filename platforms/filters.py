"""The public directory's filters (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.models import Gebied, Wijk
from platforms.models import Platform


class PlatformFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Zoeken"), method="filter_text")
    gebied = django_filters.ModelChoiceFilter(
        label=_("Gebied"),
        queryset=Gebied.objects.active(),
        field_name="buurten__wijk__gebied",
        empty_label=_("Alle gebieden"),
        distinct=True,
    )
    wijk = django_filters.ModelChoiceFilter(
        label=_("Wijk"),
        queryset=Wijk.objects.active(),
        to_field_name="code",
        field_name="buurten__wijk",
        empty_label=_("Alle wijken"),
        distinct=True,
    )
    buurt = django_filters.CharFilter(
        label=_("Buurtcode"), field_name="buurten__code", lookup_expr="iexact", distinct=True
    )
    status = django_filters.ChoiceFilter(
        label=_("Erkenning"),
        field_name="recognition_status",
        choices=Platform.RecognitionStatus.choices,
        empty_label=_("Alle"),
    )

    class Meta:
        model = Platform
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(area_name__icontains=value)
            | Q(description__icontains=value)
        )
