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
