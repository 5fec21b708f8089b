from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    name = forms.CharField(
        label=_("Naam (zoals anderen je zien)"),
        max_length=150,
        required=False,
        help_text=_("Mag ook alleen een voornaam zijn."),
    )

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data.get("name", "")
        user.save(update_fields=["name"])
        return user


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van de persoon"))
    role = forms.ChoiceField(label=_("Rol"))

    def __init__(self, *args, **kwargs):
        from accounts.roles import ROLES

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(ROLES.items())


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat mijn account weg is en dat dit niet ongedaan kan worden."),
        required=True,
    )
