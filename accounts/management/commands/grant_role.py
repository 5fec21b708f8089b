from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import ROLES
from accounts.services import grant_role, revoke_role


class Command(BaseCommand):
    help = "Grant (or with --revoke, revoke) a role: commissie or ondersteuning."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("role", choices=sorted(ROLES))
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, email: str, role: str, revoke: bool, **options):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email}")
        try:
            if revoke:
                changed = revoke_role(user=user, role=role, by=None)
                verb = "revoked from" if changed else "did not have role"
            else:
                changed = grant_role(user=user, role=role, by=None)
                verb = "granted to" if changed else "already has role"
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{role} {verb} {user.email}")
