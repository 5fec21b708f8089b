"""One form of address: every Dutch text says "je", never "u" or "uw" (issue 15)."""

import re
from pathlib import Path

from django.conf import settings

FORMAL = re.compile(r"\b(u|uw|U|Uw|UW)\b")


def _msgids(po: Path) -> list[str]:
    ids, current, in_id = [], [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, in_id = [line[6:]], True
        elif line.startswith('"') and in_id:
            current.append(line)
        else:
            if in_id:
                ids.append("".join(part.strip().strip('"') for part in current))
            in_id = False
    return [i for i in ids if i]


def test_no_dutch_text_uses_the_formal_u():
    po = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
    formal = [i for i in _msgids(po) if FORMAL.search(i)]
    assert len(_msgids(po)) > 500  # the catalogue was read
    assert formal == []


def test_library_texts_say_je_and_inloggen(client, db):
    """Django's and allauth's Dutch texts are overridden where they say "u" or "aanmelden"."""
    signup = client.get("/account/signup/").content.decode()
    assert "Log dan in" in signup and "Meld je dan aan" not in signup
    response = client.post(
        "/account/signup/",
        {"email": "a@example.org", "password1": "12345678901", "password2": "12345678901"},
    )
    html = response.content.decode()
    assert "Je wachtwoord mag niet volledig uit cijfers bestaan" in html
    assert not FORMAL.search(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " "))
