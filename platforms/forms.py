"""Forms: they validate input (uploads through buurtplatform.uploads); services do the writing."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Buurt
from buurtplatform.formatting import format_number
from buurtplatform.uploads import clean_image
from platforms.models import CRITERION_KEYS, Activity, Membership, Platform

LOGO_MAX_BYTES = 2 * 1024 * 1024
MAX_PARTICIPANTS = 100_000
EARLIEST_ACTIVITY = datetime.date(2000, 1, 1)


class BuurtPickerWidget(forms.CheckboxSelectMultiple):
    """Checkboxes grouped by wijk, with flat ids (id_buurten_0, _1, …) the map's labels use."""

    def optgroups(self, name, value, attrs=None):
        groups: list = []
        values = {str(v) for v in value}
        for index, (option_value, label) in enumerate(self.choices):
            if option_value is None:
                option_value = ""
            instance = getattr(option_value, "instance", None)
            wijk = instance.wijk.name if instance is not None else ""
            if not groups or groups[-1][0] != wijk:
                groups.append((wijk, [], len(groups)))
            selected = str(option_value) in values
            groups[-1][1].append(
                self.create_option(name, option_value, label, selected, index, attrs=attrs)
            )
        return groups


class BuurtChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Buurt) -> str:
        return obj.name


class PlatformForm(forms.ModelForm):
    buurten = BuurtChoiceField(
        label=_("In welke officiële buurten werken jullie?"),
        queryset=Buurt.objects.active().select_related("wijk"),
        widget=BuurtPickerWidget,
        help_text=_("Kies er één of meer. Jullie eigen naam voor het gebied vul je hierboven in."),
    )
    website = forms.URLField(
        label=_("Website"), required=False, assume_scheme="https", max_length=200
    )
    logo_upload = forms.FileField(
        label=_("Logo (optioneel)"),
        required=False,
        help_text=_("JPEG of PNG, hoogstens 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Platform
        fields = [
            "name",
            "area_name",
            "buurten",
            "description",
            "contact_email",
            "contact_phone",
            "contact_text",
            "website",
            "social_links",
            "legal_form",
            "kvk_number",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "social_links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the district this site serves, even after a city-wide import of the division.
        self.fields["buurten"].queryset = (
            Buurt.objects.active().in_district().select_related("wijk").order_by("code")
        )

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        return clean_image(upload, max_bytes=LOGO_MAX_BYTES)

    def clean_social_links(self):
        value = self.cleaned_data.get("social_links", "")
        validator = forms.URLField(assume_scheme="https")
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        for line in lines:
            try:
                validator.clean(line)
            except ValidationError as exc:
                raise ValidationError(
                    _("Geen geldig webadres: %(url)s"), params={"url": line}
                ) from exc
        return "\n".join(lines)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    role = forms.ChoiceField(
        label=_("Rol"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol"), choices=Membership.Role.choices)


class NameVisibilityForm(forms.Form):
    show_name_publicly = forms.BooleanField(
        label=_("Mijn naam openbaar tonen bij de leden"), required=False
    )


class ActivityForm(forms.ModelForm):
    criteria = forms.MultipleChoiceField(
        label=_("Welke criteria laat deze activiteit zien? (optioneel)"),
        choices=CRITERION_KEYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "start_date",
            "end_date",
            "description",
            "category",
            "participants",
            "partners",
            "links",
            "criteria",
            "visibility",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 5}),
            "links": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_links(self):
        value = self.cleaned_data.get("links", "")
        validator = forms.URLField(assume_scheme="https")
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        for line in lines:
            try:
                validator.clean(line)
            except ValidationError as exc:
                raise ValidationError(
                    _("Geen geldig webadres: %(url)s"), params={"url": line}
                ) from exc
        return "\n".join(lines)

    def clean_participants(self):
        n = self.cleaned_data.get("participants")
        if n is not None and n > MAX_PARTICIPANTS:
            raise ValidationError(
                _("Dat zijn wel erg veel deelnemers: vul hoogstens %(max)s in."),
                params={"max": format_number(MAX_PARTICIPANTS)},
            )
        return n

    def clean_start_date(self):
        day = self.cleaned_data.get("start_date")
        # The track record holds what a platform did: no planned (future) activities.
        if day and day < EARLIEST_ACTIVITY:
            raise ValidationError(_("Kies een datum vanaf 1 januari 2000."))
        if day and day > timezone.localdate():
            raise ValidationError(
                _(
                    "Deze datum ligt in de toekomst. Het trackrecord gaat over wat jullie al "
                    "deden: voeg de activiteit toe als die begonnen is."
                )
            )
        return day

    def clean_end_date(self):
        day = self.cleaned_data.get("end_date")
        if day and day < EARLIEST_ACTIVITY:
            raise ValidationError(_("Kies een datum vanaf 1 januari 2000."))
        return day

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("De einddatum ligt vóór de begindatum."))
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Foto"),
        help_text=_("JPEG of PNG. We verwijderen locatiegegevens uit de foto."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    alt_text = forms.CharField(
        label=_("Wat staat er op de foto?"),
        max_length=200,
        help_text=_("Voor mensen die de foto niet kunnen zien."),
    )

    def clean_photo(self):
        return clean_image(self.cleaned_data["photo"])


class ActivityCreateForm(ActivityForm):
    """The activity form with one optional photo, so the first photo can go along at once."""

    photo = forms.FileField(
        label=_("Foto (optioneel)"),
        required=False,
        help_text=_("JPEG of PNG. We verwijderen locatiegegevens uit de foto."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    alt_text = forms.CharField(
        label=_("Wat staat er op de foto?"),
        max_length=200,
        required=False,
        help_text=_("Verplicht als je een foto toevoegt."),
    )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return clean_image(upload) if upload else None

    def clean(self):
        data = super().clean()
        if data.get("photo") and not (data.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Beschrijf wat er op de foto staat."))
        return data


class ConfirmationRequestForm(forms.Form):
    partner_name = forms.CharField(
        label=_("Naam partner"),
        max_length=200,
        help_text=_("Bijvoorbeeld de school, de woningcorporatie of het buurthuis."),
    )
    partner_email = forms.EmailField(label=_("E-mailadres van de partner"))


class PartnerResponseForm(forms.Form):
    note = forms.CharField(
        label=_("Toelichting (optioneel)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EndorsementForm(forms.Form):
    buurt = forms.ModelChoiceField(
        label=_("In welke buurt woon of werk je?"),
        queryset=Buurt.objects.active(),
        required=False,
        help_text=_("Niet nodig als je een steuncode hebt."),
    )
    postcode4 = forms.RegexField(
        max_length=4,
        label=_("Postcode, alleen de 4 cijfers (optioneel)"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Vul alleen de 4 cijfers van je postcode in.")},
    )
    code = forms.CharField(
        label=_("Steuncode (optioneel)"),
        max_length=20,
        required=False,
        help_text=_(
            "Staat op de brief die je in de bus kreeg. Met een code telt je steun als gecontroleerd."
        ),
    )
    show_name = forms.BooleanField(
        label=_("Mijn naam mag bij de steunbetuigingen staan"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buurt"].queryset = Buurt.objects.active().in_district()

    def clean(self):
        data = super().clean()
        if not data.get("buurt") and not (data.get("code") or "").strip():
            self.add_error("buurt", _("Kies de buurt waar je woont of werkt."))
        return data


class EndorsementCodeForm(forms.Form):
    buurt = forms.ModelChoiceField(label=_("Buurt"), queryset=Buurt.objects.active())
    count = forms.IntegerField(label=_("Aantal codes"), min_value=1, max_value=500, initial=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buurt"].queryset = Buurt.objects.active().in_district()


class CodeLookupForm(forms.Form):
    code = forms.CharField(label=_("Steuncode"), max_length=20)
