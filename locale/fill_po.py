"""Fill English msgstr for msgids from a JSON dict {nl: en}. Usage: fill_po.py PO JSON"""

import json
import sys

po_path, dict_path = sys.argv[1], sys.argv[2]
tr = json.load(open(dict_path))
text = open(po_path, encoding="utf-8").read()
blocks = text.split("\n\n")
out = []


def unq(lines):
    return "".join(json.loads(l) if l.startswith('"') else "" for l in lines)


filled = 0
for b in blocks:
    lines = b.split("\n")
    try:
        i = next(k for k, l in enumerate(lines) if l.startswith("msgid "))
        j = next(k for k, l in enumerate(lines) if l.startswith("msgstr "))
    except StopIteration:
        out.append(b)
        continue
    if any(l.startswith("msgid_plural") for l in lines):
        out.append(b)
        continue
    msgid = unq([lines[i][6:]] + lines[i + 1 : j])
    msgstr = unq([lines[j][7:]] + lines[j + 1 :])
    if msgid and msgid in tr and (not msgstr or "#, fuzzy" in b):
        lines = [l for l in lines[:j] if l != "#, fuzzy"] + [
            "msgstr " + json.dumps(tr[msgid], ensure_ascii=False)
        ]
        filled += 1
    out.append("\n".join(lines))
open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
print("filled", filled)
