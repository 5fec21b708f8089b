"""Forms validate input (receipts through buurtplatform.uploads); services do the writing."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine, ExpenseClaim, YearClose
from budgets.services import validate_iban
from buurtplatform.uploads import clean_upload
from platforms.models import Activity

MAX_RECEIPTS = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ClaimForm(forms.ModelForm):
    receipts = MultipleFileField(
        label=_("Bonnen of facturen"),
        required=False,
        help_text=_(
            "PDF, JPEG of PNG; u kunt meerdere bestanden kiezen. Bonnen zijn nooit openbaar."
        ),
    )

    class Meta:
        model = ExpenseClaim
        fields = [
            "budget_line",
            "amount",
            "expense_date",
            "payee_name",
            "payee_is_organisation",
            "iban",
            "description",
            "private_notes",
            "activities",
            "no_receipt_statement",
        ]
        widgets = {
            "expense_date": forms.DateInput(attrs={"type": "date"}),
            "private_notes": forms.Textarea(attrs={"rows": 3}),
            "no_receipt_statement": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "payee_name": _(
                "Namen van particulieren worden nooit openbaar gemaakt; namen van organisaties wel."
            ),
            "description": _("Deze omschrijving is openbaar: noem er geen namen van personen in."),
            "no_receipt_statement": _(
                "Alleen als er geen bon is: verklaar wat u betaalde, aan wie en waarom er geen bon "
                "is, en sluit af met uw naam. De ondersteuning moet dit uitdrukkelijk accepteren."
            ),
        }

    def __init__(self, *args, budget, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(budget=budget)
        self.fields["budget_line"].label = _("Begrotingspost")
        self.fields["activities"].queryset = Activity.objects.filter(platform=budget.platform)
        self.fields["activities"].label = _("Voor welke activiteiten? (optioneel)")
        self.fields["amount"].min_value = 0.01
        self.fields["amount"].widget.attrs["min"] = "0.01"
        self.fields["amount"].widget.attrs["step"] = "0.01"

    def clean_iban(self) -> str:
        return validate_iban(self.cleaned_data["iban"])

    def clean_expense_date(self):
        day = self.cleaned_data["expense_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Een uitgave kan niet in de toekomst liggen."))
        return day

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("Het bedrag moet positief zijn."))
        return amount

    def clean_receipts(self):
        files = self.cleaned_data.get("receipts") or []
        if len(files) > MAX_RECEIPTS:
            raise forms.ValidationError(_("Hoogstens %(n)s bestanden.") % {"n": MAX_RECEIPTS})
        return [clean_upload(f) for f in files]

    def clean(self):
        data = super().clean()
        has_existing = bool(self.instance.pk and self.instance.receipts.exists())
        if (
            not data.get("receipts")
            and not has_existing
            and not (data.get("no_receipt_statement") or "").strip()
        ):
            self.add_error(
                "receipts",
                _("Voeg een bon toe, of vul de verklaring zonder bon in."),
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reden"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangesForm(forms.Form):
    message = forms.CharField(
        label=_("Wat moet er aangepast worden?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(forms.Form):
    accept_statement = forms.BooleanField(
        label=_("Ik accepteer de verklaring zonder bon"), required=False
    )
    override_reason = forms.CharField(
        label=_("Reden om boven het budget goed te keuren (alleen bij overschrijding)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BatchForm(forms.Form):
    claims = forms.ModelMultipleChoiceField(
        label=_("Goedgekeurde declaraties"),
        queryset=ExpenseClaim.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = ExpenseClaim.objects.filter(
            status=ExpenseClaim.Status.APPROVED, batch=None
        ).select_related("budget__platform")
        self.fields["claims"].label_from_instance = lambda c: (
            f"#{c.pk} {c.budget.platform.name}: {c.description} (€ {c.amount})"
        )


class YearCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Wat gebeurt er met het niet bestede geld?"),
        choices=YearClose.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reden"), widget=forms.Textarea(attrs={"rows": 3}))
