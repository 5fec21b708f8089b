"""Demo accounts, one per role; all share the password below (README lists them)."""

from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.roles import COMMISSION, SUPPORT, ensure_groups
from accounts.services import grant_role

DEMO_PASSWORD = "buurtplatform-demo"

DEMO_ACCOUNTS = [
    ("bewoner@example.org", "Fatima Bewoner", []),
    ("coordinator@example.org", "Kwame Coördinator", []),
    ("commissie@example.org", "Anneke de Commissie", [COMMISSION]),
    ("commissie2@example.org", "Ricardo Sanchez", [COMMISSION]),
    ("commissie3@example.org", "Priya Ramdin", [COMMISSION]),
    ("ondersteuning@example.org", "Joyce Ondersteuning", [SUPPORT]),
    ("ondersteuning2@example.org", "Mehmet Boekhouding", [SUPPORT]),
    ("ondersteuning3@example.org", "Fatima Controle", [SUPPORT]),
    ("admin@example.org", "Beheerder Stadsdeel", []),
]


def seed(stdout=None) -> dict[str, User]:
    ensure_groups()
    users: dict[str, User] = {}
    for email, name, roles in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
        if email == "admin@example.org" and not user.is_superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for role in roles:
            grant_role(user=user, role=role, by=None)
        users[email] = user
    if stdout:
        stdout.write(f"accounts: {len(users)} demo accounts (password {DEMO_PASSWORD})")
    return users
