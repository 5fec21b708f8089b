from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import COMMISSION
from areas.models import Buurt
from buurtplatform.fields import MAX_AMOUNT, MoneyField
from buurtplatform.uploads import clean_upload
from platforms.models import Activity
from recognition.models import ConflictDeclaration, Decision, Round

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = [
            "title",
            "slug",
            "description",
            "district",
            "budget_year",
            "total_budget",
            "max_per_area",
            "application_deadline",
            "assessment_deadline",
            "recognition_months",
            "quorum",
            "objection_weeks",
            "publish_member_names",
            "chair",
        ]
        widgets = {"application_deadline": DATETIME, "assessment_deadline": DATETIME}
        field_classes = {"total_budget": MoneyField, "max_per_area": MoneyField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = User.objects.filter(groups__name=COMMISSION).order_by(
            "name"
        )
        self.fields["chair"].help_text = _(
            "Een commissielid dat de ronde voorzit. Beheerders kunnen altijd voorzitten."
        )
        for name in ("application_deadline", "assessment_deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.fields["district"].disabled = True
            self.fields["budget_year"].disabled = True

    def clean(self):
        data = super().clean()
        a, b = data.get("application_deadline"), data.get("assessment_deadline")
        if a and b and b < a:
            self.add_error(
                "assessment_deadline", _("De beoordeling eindigt na de deadline voor aanvragen.")
            )
        return data


class ApplicationForm(forms.Form):
    area_name = forms.CharField(label=_("Naam van het gebied"), max_length=150)
    buurten = forms.ModelMultipleChoiceField(
        label=_("Buurten"),
        queryset=Buurt.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De officiële buurten waarvoor jullie aanvragen."),
    )
    plan_summary = forms.CharField(
        max_length=3000,
        label=_("Plan in het kort"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, district=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Buurt.objects.filter(retired_at__isnull=True)
        if district is not None:
            qs = qs.filter(wijk__stadsdeel=district)
        self.fields["buurten"].queryset = qs.order_by("code")


class StatementForm(forms.Form):
    statement = forms.CharField(
        max_length=3000,
        label=_("Toelichting"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    links = forms.CharField(
        max_length=2000,
        label=_("Links"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Eén adres per regel."),
    )
    activities = forms.ModelMultipleChoiceField(
        label=_("Activiteiten uit jullie trackrecord"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    file = forms.FileField(label=_("Bestand toevoegen (PDF, JPEG of PNG)"), required=False)
    publishable = forms.BooleanField(
        label=_("Dit bestand mag openbaar worden bij het besluit"),
        required=False,
        help_text=_("Wordt openbaar bij het besluit; haal namen en adressen weg."),
    )

    def __init__(self, *args, platform=None, **kwargs):
        super().__init__(*args, **kwargs)
        if platform is not None:
            self.fields["activities"].queryset = platform.activities.order_by("-start_date")

    def clean_links(self):
        links = [x.strip() for x in self.cleaned_data["links"].splitlines() if x.strip()]
        validator = forms.URLField(assume_scheme="https")
        for link in links:
            validator.clean(link)
        return "\n".join(links)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return clean_upload(upload) if upload else None


class PlanLineForm(forms.Form):
    category = forms.CharField(label=_("Categorie"), max_length=100)
    description = forms.CharField(label=_("Omschrijving"), max_length=300)
    amount = MoneyField(label=_("Bedrag (€)"), min_value=Decimal("0.01"))

    def __init__(self, *args, round=None, **kwargs):
        super().__init__(*args, **kwargs)
        if round is not None and round.total_budget:
            # A budget line is never more than the whole round has to give.
            self.fields["amount"].maximum = min(MAX_AMOUNT, round.total_budget)
            self.fields["amount"].max_label = _("het totale budget van de ronde")


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Heb je een belang bij deze aanvraag?"),
        choices=[("0", _("Nee, ik heb geen belang")), ("1", _("Ja, ik heb een belang"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Soort belang"),
        choices=[("", "—")] + list(ConflictDeclaration.Kind.choices),
        required=False,
    )
    reason = forms.CharField(
        max_length=1000,
        label=_("Toelichting (niet openbaar)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") and not data.get("kind"):
            self.add_error("kind", _("Kies het soort belang."))
        return data


class PinConflictForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Commissielid"), queryset=User.objects.none())
    reason = forms.CharField(max_length=1000, label=_("Reden (niet openbaar)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = User.objects.filter(groups__name=COMMISSION).order_by(
            "name"
        )


class ScoreForm(forms.Form):
    """One value and comment per criterion; field names value_<id> and comment_<id>."""

    def __init__(self, *args, criteria=(), initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_scores = initial_scores or {}
        self.criteria = list(criteria)
        for c in self.criteria:
            value, comment = initial_scores.get(c.pk, (None, ""))
            self.fields[f"value_{c.pk}"] = forms.TypedChoiceField(
                label=_("Score voor %(n)s. %(t)s") % {"n": c.number, "t": c.title},
                choices=[("", "—")] + [(str(i), f"{i} – {c.rubric_text(i)}") for i in range(5)],
                coerce=int,
                empty_value=None,
                required=False,
                initial="" if value is None else str(value),
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                max_length=2000,
                label=_("Toelichting bij %(t)s") % {"t": c.title},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=comment,
            )

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"value_{c.pk}"),
                self.cleaned_data.get(f"comment_{c.pk}", ""),
            )
            for c in self.criteria
        }

    def rows(self):
        return [(c, self[f"value_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Besluit"),
        choices=[
            (Decision.Outcome.GRANTED, _("Toekennen")),
            (Decision.Outcome.NOT_GRANTED, _("Niet toekennen")),
        ],
        widget=forms.RadioSelect,
    )
    granted_amount = MoneyField(
        label=_("Toegekend bedrag (€)"), min_value=Decimal("0"), required=False
    )
    motivation = forms.CharField(
        max_length=5000, label=_("Motivering (openbaar)"), widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"reason_{c.pk}"] = forms.CharField(
                max_length=2000,
                label=_("Reden bij %(n)s. %(t)s (waar de commissie afwijkt van de aanvraag)")
                % {"n": c.number, "t": c.title},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
            )

    def criterion_reasons(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"reason_{c.pk}", "") for c in self.criteria}


class ObjectionForm(forms.Form):
    text = forms.CharField(
        max_length=5000,
        label=_("Waarom maak je bezwaar?"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ObjectionHearingForm(forms.Form):
    held_on = forms.DateField(
        label=_("Datum van de hoorzitting"), widget=forms.DateInput(attrs={"type": "date"})
    )
    heard = forms.CharField(
        max_length=2000,
        label=_("Wie zijn gehoord"),
        help_text=_("Bijvoorbeeld de coördinatoren van het platform; of dat de indiener afzag."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        max_length=10000,
        label=_("Verslag (niet openbaar)"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ObjectionAnswerForm(forms.Form):
    UPHELD, REJECTED = "upheld", "rejected"
    result = forms.ChoiceField(
        label=_("Beslissing op het bezwaar"),
        choices=[
            (UPHELD, _("Gegrond: een nieuw besluit vervangt het bestreden besluit")),
            (REJECTED, _("Ongegrond: het bestreden besluit blijft staan")),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Nieuw besluit (alleen bij gegrond)"),
        choices=DecisionForm.base_fields["outcome"].choices,
        widget=forms.RadioSelect,
        required=False,
    )
    granted_amount = DecisionForm.base_fields["granted_amount"]
    motivation = DecisionForm.base_fields["motivation"]

    def clean(self):
        data = super().clean()
        if data.get("result") == self.UPHELD and not data.get("outcome"):
            self.add_error("outcome", _("Kies het nieuwe besluit: toekennen of niet toekennen."))
        return data


class RecognitionChangeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Besluit"),
        choices=[
            (Decision.Outcome.SUSPENDED, _("Erkenning schorsen")),
            (Decision.Outcome.WITHDRAWN, _("Erkenning intrekken")),
        ],
        widget=forms.RadioSelect,
    )
    motivation = forms.CharField(
        max_length=5000, label=_("Motivering (openbaar)"), widget=forms.Textarea(attrs={"rows": 5})
    )
