"""Fill English msgstr entries from a JSON file {Dutch msgid: English}.

Usage: python locale/fill_po.py locale/en/LC_MESSAGES/django.po locale/en/platforms.json
Each app keeps its own JSON file so parallel work never edits the same lines.
"""

import json
import sys


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) if line.startswith('"') else "" for line in lines)


def _unfuzzy(line: str) -> str:
    # "#, fuzzy, python-format" -> "#, python-format"
    return line.replace("#, fuzzy, ", "#, ") if line.startswith("#,") else line


def _fill_plural(block: str, translations: dict) -> tuple[str, int]:
    """Plural entries: the JSON value is [singular, plural] under the singular msgid."""
    lines = block.split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("msgid "))
    j = next(k for k, line in enumerate(lines) if line.startswith("msgid_plural "))
    k = next(k for k, line in enumerate(lines) if line.startswith("msgstr["))
    msgid = _unquote([lines[i][6:]] + lines[i + 1 : j])
    value = translations.get(msgid)
    current = _unquote([lines[k][lines[k].index(" ") + 1 :]])
    if not (isinstance(value, list) and len(value) == 2) or (current and "#, fuzzy" not in block):
        return block, 0
    head = [_unfuzzy(line) for line in lines[:k] if line != "#, fuzzy"]
    tail = [f"msgstr[{n}] " + json.dumps(text, ensure_ascii=False) for n, text in enumerate(value)]
    return "\n".join(head + tail), 1


def fill(po_path: str, dict_path: str) -> int:
    translations = json.load(open(dict_path, encoding="utf-8"))
    blocks = open(po_path, encoding="utf-8").read().split("\n\n")
    out, filled = [], 0
    for block in blocks:
        lines = block.split("\n")
        if any(line.startswith("msgid_plural") for line in lines):
            block, done = _fill_plural(block, translations)
            filled += done
            out.append(block)
            continue
        starts = [k for k, line in enumerate(lines) if line.startswith(("msgid ", "msgstr "))]
        if len(starts) != 2:
            out.append(block)
            continue
        i, j = starts
        msgid = _unquote([lines[i][6:]] + lines[i + 1 : j])
        msgstr = _unquote([lines[j][7:]] + lines[j + 1 :])
        if msgid and msgid in translations and (not msgstr or "#, fuzzy" in block):
            head = [_unfuzzy(line) for line in lines[:j] if line != "#, fuzzy"]
            lines = head + ["msgstr " + json.dumps(translations[msgid], ensure_ascii=False)]
            filled += 1
        out.append("\n".join(lines))
    open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
    return filled


if __name__ == "__main__":
    print(f"{sys.argv[2]}: filled {fill(sys.argv[1], sys.argv[2])}")
