import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        label=_("Actie begint met"),
        lookup_expr="startswith",
        help_text=_("Bijvoorbeeld budgets. of recognition.decision"),
    )
    content_type = django_filters.ModelChoiceFilter(
        label=_("Soort object"),
        queryset=ContentType.objects.filter(
            pk__in=AuditEntry.objects.values("content_type")
        ).order_by("app_label", "model"),
        empty_label=_("Alle soorten"),
    )
    actor = django_filters.CharFilter(
        label=_("Door (e-mail)"), field_name="actor__email", lookup_expr="icontains"
    )
    date_from = django_filters.DateFilter(
        label=_("Vanaf"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Tot en met"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
