"""Forms validate input (receipts through buurtplatform.uploads); services do the writing."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine, ExpenseClaim, YearClose
from budgets.services import validate_payee_iban
from buurtplatform import kept_uploads
from buurtplatform.fields import MAX_AMOUNT, MoneyField
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
    # The token of receipts kept from an earlier POST with errors (buurtplatform.kept_uploads).
    kept_receipts = forms.CharField(required=False, widget=forms.HiddenInput)
    receipts = MultipleFileField(
        label=_("Bonnen of facturen"),
        required=False,
        help_text=_(
            "PDF, JPEG of PNG; je kunt meerdere bestanden kiezen. Bonnen zijn nooit openbaar."
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
        field_classes = {"amount": MoneyField}
        help_texts = {
            "payee_name": _(
                "Namen van particulieren worden nooit openbaar gemaakt; namen van organisaties wel."
            ),
            "description": _("Deze omschrijving is openbaar: noem er geen namen van personen in."),
            "no_receipt_statement": _(
                "Alleen als er geen bon is: verklaar wat je betaalde, aan wie en waarom er geen bon "
                "is, en sluit af met je naam. De ondersteuning moet dit uitdrukkelijk accepteren."
            ),
        }

    def __init__(self, *args, budget, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.session = session
        token = self.data.get("kept_receipts", "") if self.is_bound else ""
        self.kept_names = kept_uploads.names(session, token) if session is not None else []
        self._show_kept()
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(budget=budget)
        self.fields["budget_line"].label = _("Begrotingspost")
        self.fields["activities"].queryset = Activity.objects.filter(platform=budget.platform)
        self.fields["activities"].label = _("Voor welke activiteiten? (optioneel)")
        self.fields["amount"].help_text = _("In euro's, bijvoorbeeld 12,50.")
        # A claim is never more than the budget allows: the grant plus any allowed overspend.
        self.fields["amount"].maximum = min(
            MAX_AMOUNT, budget.granted_amount + (budget.overspend_allowance or 0)
        )
        self.fields["amount"].max_label = _("het budget van dit jaar")

    def clean_iban(self) -> str:
        return validate_payee_iban(self.cleaned_data["iban"])

    def clean_expense_date(self):
        day = self.cleaned_data["expense_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Een uitgave kan niet in de toekomst liggen."))
        # Within the budget's year, with January of the next year as grace (a late bill).
        first = datetime.date(self.budget.year, 1, 1)
        last = datetime.date(self.budget.year + 1, 1, 31)
        if day and not first <= day <= last:
            raise forms.ValidationError(
                _(
                    "De datum valt buiten het budgetjaar %(year)s: kies een datum in %(year)s "
                    "(of uiterlijk 31 januari %(next)s)."
                )
                % {"year": self.budget.year, "next": self.budget.year + 1}
            )
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
        self.receipts_from_kept = not files and bool(self.kept_names)
        if self.receipts_from_kept:
            return kept_uploads.take(self.session, self.data.get("kept_receipts", ""))
        return [clean_upload(f) for f in files]

    def _show_kept(self) -> None:
        if self.kept_names:
            text = _(
                "Bewaard: %(names)s. Je hoeft deze niet opnieuw te kiezen; kies je nieuwe "
                "bestanden, dan vervangen die de bewaarde."
            ) % {"names": ", ".join(self.kept_names)}
            self.fields["receipts"].help_text = text
            self._bound_fields_cache.pop("receipts", None)  # a BoundField copies help_text

    def keep_receipts(self) -> None:
        """After errors: keep the receipts that were valid, so the form shown again says which
        files are kept and the next POST uses them without choosing them again."""
        if self.session is None or not self.is_bound:
            return
        receipts = self.cleaned_data.get("receipts") if hasattr(self, "cleaned_data") else None
        old = self.data.get("kept_receipts", "")
        if not receipts or getattr(self, "receipts_from_kept", False):
            return
        if old:
            kept_uploads.discard(self.session, old)
        token = kept_uploads.keep(self.session, receipts)
        self.data = self.data.copy()
        self.data["kept_receipts"] = token
        self.kept_names = kept_uploads.names(self.session, token)
        self._show_kept()

    def forget_kept_receipts(self) -> None:
        """After a successful save: the kept copies are no longer needed."""
        if self.session is not None and self.is_bound:
            kept_uploads.discard(self.session, self.data.get("kept_receipts", ""))

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
    reason = forms.CharField(
        max_length=1000, label=_("Reden"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ChangesForm(forms.Form):
    message = forms.CharField(
        max_length=2000,
        label=_("Wat moet er aangepast worden?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveForm(forms.Form):
    accept_statement = forms.BooleanField(
        label=_("Ik accepteer de verklaring zonder bon"), required=False
    )
    override_reason = forms.CharField(
        max_length=1000,
        label=_("Reden om boven het budget goed te keuren (alleen bij overschrijding)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm_override = forms.BooleanField(
        label=_("Ik bevestig de reden van mijn collega om boven het budget goed te keuren"),
        required=False,
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
    reason = forms.CharField(
        max_length=1000, label=_("Reden"), widget=forms.Textarea(attrs={"rows": 3})
    )


class BulkActionForm(forms.Form):
    """The one confirmation of a bulk action: a reason for rejecting or sending back (each
    submitter reads it), and the explicit acceptance of statements without a receipt."""

    text = forms.CharField(
        max_length=2000,
        label=_("Reden (elke indiener krijgt die te lezen)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_statement = forms.BooleanField(
        label=_("Ik accepteer de verklaringen zonder bon van deze declaraties"), required=False
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        if action == "changes":
            self.fields["text"].label = _("Wat moet er aangepast worden?")
        if action in ("approve", "batch"):
            del self.fields["text"]
        if action != "approve":
            del self.fields["accept_statement"]


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bankafschrift"),
        help_text=_(
            "camt.053 (XML) zoals de bank het levert, of CSV met de kolommen rekening, boekdatum, "
            "bedrag, valuta, end-to-end-id, naam, omschrijving (en eventueel referentie, "
            "retourcode, afschrift)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.csv,text/xml,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Dit bestand is te groot."))
        return upload


class PlanVersionForm(forms.Form):
    """A new version of a budget's plan: an amount per current line (empty or 0: the line goes,
    or stays at € 0 when it has claims), new lines, and a note for the support organisation.
    Whether the lines add up to the grant is checked by budgets.services.plans."""

    NEW_LINES = 3

    note = forms.CharField(
        max_length=1000,
        label=_("Toelichting voor de ondersteuning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, lines, facts, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_lines = list(lines)
        self.facts = facts
        proposed = None
        new_items: list[dict] = []
        if version is not None:
            proposed = {item["line"]: item["amount"] for item in version.lines if item["line"]}
            new_items = [item for item in version.lines if not item["line"]]
            self.fields["note"].initial = version.note
        for line in self.budget_lines:
            field = MoneyField(
                label=f"{line.category}: {line.description}", required=False, min_value=0
            )
            field.initial = (
                proposed.get(line.pk, "0.00") if proposed is not None else line.planned_amount
            )
            field.widget.attrs["class"] = "form-control form-control-sm text-end"
            self.fields[f"line_{line.pk}"] = field
        self.new_count = max(self.NEW_LINES, len(new_items) + 1)
        for i in range(self.new_count):
            item = new_items[i] if i < len(new_items) else {}
            small = {"class": "form-control form-control-sm"}
            self.fields[f"new_{i}_category"] = forms.CharField(
                label=_("Categorie"),
                required=False,
                max_length=100,
                initial=item.get("category", ""),
                widget=forms.TextInput(attrs=small),
            )
            self.fields[f"new_{i}_description"] = forms.CharField(
                label=_("Omschrijving"),
                required=False,
                max_length=300,
                initial=item.get("description", ""),
                widget=forms.TextInput(attrs=small),
            )
            amount = MoneyField(
                label=_("Bedrag"), required=False, initial=item.get("amount"), min_value=0
            )
            amount.widget.attrs["class"] = "form-control form-control-sm text-end"
            self.fields[f"new_{i}_amount"] = amount

    def line_rows(self) -> list[dict]:
        return [
            {"line": line, "field": self[f"line_{line.pk}"], "facts": self.facts.get(line.pk)}
            for line in self.budget_lines
        ]

    def new_rows(self) -> list[dict]:
        return [
            {
                "category": self[f"new_{i}_category"],
                "description": self[f"new_{i}_description"],
                "amount": self[f"new_{i}_amount"],
            }
            for i in range(self.new_count)
        ]

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(self.fields[name], MoneyField) and value is not None and value < 0:
                self.add_error(name, _("Een bedrag kan niet negatief zijn."))
        return data

    def proposed_lines(self) -> list[dict]:
        """The lines for budgets.services.save_plan_version (a line left empty or at 0 goes)."""
        data = self.cleaned_data
        out: list[dict] = []
        for line in self.budget_lines:
            amount = data.get(f"line_{line.pk}")
            if amount:
                out.append({"line": line.pk, "amount": str(amount)})
        for i in range(self.new_count):
            out.append(
                {
                    "line": None,
                    "category": data.get(f"new_{i}_category", ""),
                    "description": data.get(f"new_{i}_description", ""),
                    "amount": str(data.get(f"new_{i}_amount") or ""),
                }
            )
        return out
