"""Demo platforms across Zuidoost with members, activities and endorsements (fictional).

Idempotent: a platform whose slug exists is left alone. Slugs below are relied on by others.
"""

from __future__ import annotations

import datetime
import random

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from areas.models import Buurt
from buurtplatform.uploads import clean_image
from platforms.models import (
    Activity,
    Endorsement,
    EndorsementCode,
    Membership,
    PartnerConfirmation,
    Platform,
)
from platforms.services import add_activity_photo, new_token

DEMO_PASSWORD = "buurtplatform-demo"

# slug, name, area name, buurten, coordinator e-mail, description
PLATFORMS = [
    (
        "samen-sterk-k-buurt",
        "Samen Sterk K-buurt",
        "K-buurt",
        ["TH01", "TH02", "TH03", "TH04", "TH05"],
        "coordinator@example.org",
        "Bewoners van de K-buurt die elkaar helpen: huiswerkklas, buurtmaaltijden, een klussenteam en een spreekuur voor brieven van instanties.",
    ),
    (
        "k-buurt-verbindt",
        "K-buurt Verbindt",
        "Kelbergen en Kortvoort-Zuid",
        ["TH03", "TH04", "TH05"],
        "marlon.k@example.org",
        "Wij verbinden oude en nieuwe bewoners van de zuidelijke K-buurt met koffieochtenden, een buurtkrant en sport op het plein.",
    ),
    (
        "gein-groen",
        "Gein Groen",
        "Het Gein",
        ["TM01", "TM02", "TM03", "TM04"],
        "ingrid.gein@example.org",
        "Moestuinen, geveltuinen en opschoondagen in Gein. Iedereen met groene vingers (of zonder) is welkom.",
    ),
    (
        "holendrecht-samen",
        "Holendrecht Samen",
        "Holendrecht",
        ["TJ01", "TJ02", "TJ03"],
        "yusuf.h@example.org",
        "Een open huiskamer in Holendrecht, taalcafé op dinsdag en uitstapjes voor ouderen.",
    ),
    (
        "venserpolder-vooruit",
        "Venserpolder Vooruit",
        "De Venserpolder",
        ["TB01", "TB02"],
        "sandra.v@example.org",
        "Bewoners van de Venserpolder werken aan een veilige en schone buurt: buurtpreventie, speelstraat en zomerfeest.",
    ),
    (
        "h-buurt-huiskamer",
        "H-buurt Huiskamer",
        "H-buurt",
        ["TD01", "TD02", "TD03", "TD04"],
        "grace.h@example.org",
        "Een huiskamer voor de H-buurt in een oud winkelpand: koffie, een naaiatelier en hulp met formulieren.",
    ),
    (
        "ganzenhoef-jongeren",
        "Jongeren van Ganzenhoef",
        "Ganzenhoef en de E-buurt",
        ["TE01", "TE02"],
        "devon.g@example.org",
        "Jongeren organiseren voor jongeren: voetbal in de kooi, een studio voor muziek en bijles door oud-leerlingen.",
    ),
    (
        "g-buurt-in-beweging",
        "G-buurt in Beweging",
        "G-buurt",
        ["TE02", "TE03", "TF01"],
        "aisha.g@example.org",
        "Wandelclub, beweegles voor ouderen en een jaarlijkse buurtloop door de G-buurt.",
    ),
    (
        "reigersbos-rond-de-tafel",
        "Reigersbos Rond de Tafel",
        "Reigersbos",
        ["TL01", "TL02", "TL03", "TL04"],
        "peter.r@example.org",
        "Elke maand koken bewoners van Reigersbos samen, elke keer uit een ander land.",
    ),
    (
        "nellestein-natuurlijk",
        "Nellestein Natuurlijk",
        "Nellestein en de Gaasperplas",
        ["TK01", "TK02", "TK03"],
        "femke.n@example.org",
        "Natuurwandelingen, vogeltellingen en opruimacties rond de Gaasperplas.",
    ),
    (
        "bijlmermuseum-buren",
        "Buren van het Bijlmermuseum",
        "Bijlmermuseum",
        ["TG01", "TG02", "TG03"],
        "kofi.b@example.org",
        "Wij vertellen de geschiedenis van de Bijlmer met rondleidingen door bewoners en een fototentoonstelling.",
    ),
    (
        "d-en-f-buurt-doet",
        "D- en F-buurt Doet",
        "D- en F-buurt",
        ["TC01", "TC02"],
        "lucia.df@example.org",
        "Klusdagen, een weggeefkast en buurtbarbecues in de D- en F-buurt.",
    ),
    (
        "kantershof-kookt",
        "Kantershof Kookt",
        "Kantershof en Grunder",
        ["TF02", "TF03"],
        "rachid.k@example.org",
        "Samen koken en eten met buren die alleen wonen. Ook maaltijden aan huis.",
    ),
    (
        "amstel-iii-wonen",
        "Amstel III Wonen",
        "Amstel III",
        ["TA02", "TA03", "TA04", "TA05"],
        "noor.a@example.org",
        "Nieuwe bewoners van Amstel III bouwen aan een buurt: welkomstborrels, een buurtapp en speelplekken.",
    ),
    (
        "poort-en-plein",
        "Poort en Plein",
        "Amsterdamse Poort",
        ["TC03", "TC04", "TC05"],
        "marco.p@example.org",
        "Cultuur op het Anton de Komplein: open podium, markt en zomeravondconcerten.",
    ),
]

MEMBERS = [
    "Fatima El Amrani",
    "Winston Doelwijt",
    "Esther Mensah",
    "Ravi Ramlal",
    "Joke de Vries",
    "Kwabena Owusu",
    "Maria Santos",
    "Henk Bakker",
    "Sharon Biharie",
    "Lamin Jallow",
    "Anja Visser",
    "Emre Yilmaz",
    "Chantal Kross",
    "Abdel Bouzid",
    "Gloria Asante",
]

ACTIVITY_TEMPLATES = [
    ("Buurtmaaltijd", Activity.Category.MEETING, ["verbinding", "inclusie"]),
    ("Huiswerkklas", Activity.Category.YOUTH, ["zelfredzaamheid", "inclusie"]),
    ("Opschoondag", Activity.Category.GREEN, ["daadkracht", "betrekken"]),
    ("Spreekuur brieven en formulieren", Activity.Category.HELP, ["zelfredzaamheid"]),
    ("Bewonersavond", Activity.Category.MEETING, ["betrekken", "transparantie"]),
    ("Buurtkrant verspreid", Activity.Category.INFORMATION, ["informeren"]),
    ("Zomerfeest", Activity.Category.CULTURE, ["verbinding", "draagvlak"]),
    ("Koffieochtend voor ouderen", Activity.Category.ELDERLY, ["inclusie", "verbinding"]),
    ("Sporttoernooi op het plein", Activity.Category.YOUTH, ["betrekken"]),
    ("Geveltuinen aangelegd", Activity.Category.GREEN, ["daadkracht", "eigen_middelen"]),
]
MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"
MONTHS = MONTHS.split()
PARTNERS = [
    "Basisschool De Polsstok",
    "Woningcorporatie Eigen Haard",
    "Buurthuis Bijlmerdreef",
    "Ymere",
    "Bibliotheek Reigersbos",
    "Stichting Vier het Leven",
]


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _slug_email(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "") + "@example.org"


def seed(stdout=None) -> list[Platform]:
    rng = random.Random(2021)
    today = timezone.localdate()
    buurten = {b.code: b for b in Buurt.objects.all()}
    residents = [_user(_slug_email(n), n) for n in MEMBERS]
    created = []
    platforms = []
    for index, (slug, name, area, codes, coord_email, description) in enumerate(PLATFORMS):
        platform = Platform.objects.filter(slug=slug).first()
        if platform is not None:
            platforms.append(platform)
            continue
        coord_name = coord_email.split("@")[0].replace(".", " ").title()
        coordinator = _user(coord_email, "Kwame Coördinator" if index == 0 else coord_name)
        platform = Platform.objects.create(
            slug=slug,
            name=name,
            area_name=area,
            description=description,
            contact_email=f"info@{slug}.example.org",
            contact_text="Elke woensdag van 10 tot 12 uur in het buurthuis.",
            legal_form=Platform.LegalForm.STICHTING
            if index % 3 == 0
            else Platform.LegalForm.INFORMAL,
            kvk_number=f"{70000000 + index * 1379:08d}" if index % 3 == 0 else "",
            created_by=coordinator,
        )
        platform.buurten.set([buurten[c] for c in codes if c in buurten])
        Membership.objects.create(
            platform=platform,
            user=coordinator,
            role=Membership.Role.COORDINATOR,
            show_name_publicly=True,
        )
        for member in rng.sample(residents, 4):
            Membership.objects.get_or_create(
                platform=platform,
                user=member,
                defaults={"show_name_publicly": rng.random() < 0.5},
            )
        _activities(platform, coordinator, rng, today)
        _photo(platform, coordinator, rng)
        _endorsements(platform, residents, [buurten[c] for c in codes if c in buurten], rng)
        platforms.append(platform)
        created.append(slug)

    commissie3 = User.objects.filter(email="commissie3@example.org").first()
    kbv = Platform.objects.filter(slug="k-buurt-verbindt").first()
    if commissie3 and kbv:
        Membership.objects.get_or_create(platform=kbv, user=commissie3)
    if stdout:
        stdout.write(f"platforms: {len(platforms)} demo platforms ({len(created)} new)")
    return platforms


def _activities(platform: Platform, coordinator: User, rng: random.Random, today) -> None:
    count = rng.randint(6, 14)
    for n in range(count):
        title, category, criteria = rng.choice(ACTIVITY_TEMPLATES)
        start = today - datetime.timedelta(days=rng.randint(10, 700))
        activity = Activity.objects.create(
            platform=platform,
            title=f"{title} {MONTHS[start.month - 1]} {start.year}" if n % 2 else title,
            start_date=start,
            description=(
                f"{title} voor en door bewoners van {platform.area_name}. "
                "We zetten koffie, nodigden buren persoonlijk uit en sloten af met een rondje "
                "wat iedereen de volgende keer wil doen."
            ),
            category=category,
            participants=rng.randint(8, 120),
            partners=rng.choice(PARTNERS) if rng.random() < 0.5 else "",
            criteria=criteria,
            visibility=Activity.Visibility.MEMBERS if n == 0 else Activity.Visibility.PUBLIC,
            created_by=coordinator,
        )
        if activity.partners and rng.random() < 0.6:
            _token, token_hash = new_token()
            PartnerConfirmation.objects.create(
                activity=activity,
                partner_name=activity.partners,
                partner_email="partner@example.org",
                token=token_hash,
                status=PartnerConfirmation.Status.CONFIRMED,
                note="Wij waren erbij en kunnen dit bevestigen.",
                requested_by=coordinator,
                expires_at=timezone.now(),
                responded_at=timezone.now(),
            )


def _endorsements(platform, residents, buurten, rng) -> None:
    """Some endorsements self-declared, some made with a printed code (verified)."""
    if not buurten:
        return
    for user in rng.sample(residents, rng.randint(3, 10)):
        buurt = rng.choice(buurten)
        code = None
        if rng.random() < 0.3:
            code = EndorsementCode.objects.create(
                code="".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _i in range(10)),
                buurt=buurt,
                batch=f"demo-{buurt.code}",
                used_at=timezone.now(),
            )
        Endorsement.objects.get_or_create(
            platform=platform,
            user=user,
            defaults={
                "buurt": buurt,
                "verified": code is not None,
                "code": code,
                "show_name": rng.random() < 0.2,
                "postcode4": rng.choice(["", "1102", "1103", "1104", "1106", "1107", "1108"]),
            },
        )


def _photo(platform: Platform, coordinator: User, rng: random.Random) -> None:
    """One generated picture (coloured shapes) on the latest public activity."""
    activity = platform.activities.public().first()
    if activity is None:
        return
    image = Image.new("RGB", (640, 420), (rng.randint(0, 80), rng.randint(80, 160), 120))
    draw = ImageDraw.Draw(image)
    for _i in range(12):
        x, y = rng.randint(0, 600), rng.randint(0, 380)
        r = rng.randint(15, 60)
        fill = (rng.randint(150, 255), rng.randint(100, 220), rng.randint(0, 120))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    buffer = ContentFile(b"", name="demo.png")
    image.save(buffer, format="PNG")
    buffer.seek(0)
    add_activity_photo(
        activity=activity,
        image=clean_image(buffer),
        alt_text=f"Sfeerbeeld van {activity.title.lower()} (illustratie)",
        by=coordinator,
    )
