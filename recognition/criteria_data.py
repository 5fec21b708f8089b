"""The ten recognition criteria ("de maatlat"), quoted from the source text, as seed data."""

RUBRIC = {
    "0": {"nl": "Niet aangetoond", "en": "Not shown"},
    "1": {
        "nl": "Zwak: een enkel voorbeeld, weinig bewijs",
        "en": "Weak: a single example, little evidence",
    },
    "2": {
        "nl": "Voldoende: meerdere voorbeelden, enig bewijs",
        "en": "Adequate: several examples, some evidence",
    },
    "3": {
        "nl": "Goed: structureel, met bewijs van anderen",
        "en": "Good: sustained, with evidence from others",
    },
    "4": {
        "nl": "Uitstekend: voorbeeld voor anderen, ruim aangetoond",
        "en": "Excellent: an example to others, amply shown",
    },
}

CRITERIA = [
    (
        "daadkracht",
        "Daadkracht",
        "Ability to act",
        "Hebben ze daadkracht en kunnen ze voorbeelden laten zien?",
        "Can they act, and show examples?",
        "Laat zien wat jullie al gedaan hebben: activiteiten, foto's, partners die het bevestigen.",
        "Show what you have already done: activities, photos, partners who confirm it.",
    ),
    (
        "betrekken",
        "Betrekken",
        "Involvement",
        "Nemen ze zoveel mogelijk andere buurtbewoners mee in wat er speelt in de buurt?",
        "Do they involve as many residents as possible?",
        "Hoe bereiken jullie bewoners die nog niet meedoen? Hoeveel mensen deden mee?",
        "How do you reach residents who do not take part yet? How many took part?",
    ),
    (
        "inclusie",
        "Inclusie",
        "Inclusion",
        "Werken ze vanuit (en samen met) de zwakkeren van de samenleving?",
        "Do they work from and with the most vulnerable?",
        "Met wie werken jullie samen, en hoe doen kwetsbare bewoners zelf mee?",
        "Who do you work with, and how do vulnerable residents take part themselves?",
    ),
    (
        "zelfredzaamheid",
        "Zelfredzaamheid",
        "Self-reliance",
        "Helpen ze anderen op weg om op eigen benen te staan? (capability development)",
        "Do they help others stand on their own feet? (capability development)",
        "Geef voorbeelden van mensen die door jullie zelf iets zijn gaan doen.",
        "Give examples of people who started doing things themselves through you.",
    ),
    (
        "verbinding",
        "Verbinding",
        "Connection",
        "Leggen ze verbindingen in de buurt en staan ze open zodat anderen kunnen aanhaken?",
        "Do they connect and stay open to newcomers?",
        "Met welke groepen en organisaties werken jullie samen? Hoe kan een nieuwkomer aansluiten?",
        "Which groups and organisations do you work with? How can a newcomer join?",
    ),
    (
        "draagvlak",
        "Draagvlak",
        "Support",
        "Hebben ze de vaardigheden om een breed en divers draagvlak in de buurt te realiseren/te laten zien?",
        "Do they have broad and diverse support in the neighbourhood?",
        "Steunbetuigingen van bewoners tellen mee; vertel ook hoe divers jullie achterban is.",
        "Endorsements by residents count; also tell how diverse your supporters are.",
    ),
    (
        "transparantie",
        "Transparantie",
        "Transparency",
        "Zijn ze transparant over wat ze doen, hoe ze dat doen, en is dat laagdrempelig terug te vinden?",
        "Are they open about what they do and how, and is it easy to find?",
        "Waar kunnen bewoners zien wat jullie doen en hoe jullie besluiten nemen?",
        "Where can residents see what you do and how you make decisions?",
    ),
    (
        "informeren",
        "Informeren",
        "Informing",
        "Ordenen ze info voor de buurt en communiceren ze die zo breed mogelijk met de buurt?",
        "Do they organise information and spread it as widely as possible?",
        "Nieuwsbrief, buurtkrant, app-groep, spreekuur: hoe bereikt informatie de buurt?",
        "Newsletter, local paper, chat group, office hours: how does information reach the neighbourhood?",
    ),
    (
        "coalitieakkoord",
        "Coalitieakkoord",
        "Coalition agreement",
        "Helpen ze het coalitieakkoord vooruit?",
        "Do they advance the city's coalition agreement?",
        "Aan welke doelen van de stad dragen jullie bij?",
        "Which of the city's goals do you contribute to?",
    ),
    (
        "eigen_middelen",
        "Eigen middelen",
        "Own resources",
        "Weten ze ook zelf (extern) geld en support voor de buurt te mobiliseren?",
        "Do they mobilise outside money and support?",
        "Fondsen, sponsors, vrijwilligersuren, ruimte die anderen geven.",
        "Funds, sponsors, volunteer hours, space that others provide.",
    ),
]


def seed_criteria(apps=None, name: str = "Maatlat 2026"):
    """Create a criteria version with the ten criteria; returns it. Safe to call twice."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    CriteriaVersion = apps.get_model("recognition", "CriteriaVersion")
    Criterion = apps.get_model("recognition", "Criterion")
    version, _ = CriteriaVersion.objects.get_or_create(name=name)
    for number, (key, t_nl, t_en, q_nl, q_en, g_nl, g_en) in enumerate(CRITERIA, start=1):
        Criterion.objects.update_or_create(
            version=version,
            number=number,
            defaults={
                "key": key,
                "title_nl": t_nl,
                "title_en": t_en,
                "question_nl": q_nl,
                "question_en": q_en,
                "guidance_nl": g_nl,
                "guidance_en": g_en,
                "rubric": RUBRIC,
            },
        )
    return version
