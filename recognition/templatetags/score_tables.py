"""The score table's repeated cells, rendered in Python: the decision page of a large round
shows thousands (every member's score on every criterion of every application), and the
template engine spends far more per cell than the figure costs. The output is exactly what
recognition/_score_table.html rendered with template loops; the formatting is still
buurtplatform.formatting's (format_score)."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from buurtplatform.formatting import format_score

register = template.Library()


@register.simple_tag
def score_member_headers(table: dict, show_names: bool) -> SafeString:
    """One <th> per counting member: the short name, or "Lid n" when names are not shown."""
    cells = []
    for n, member in enumerate(table["members"], start=1):
        label = member.get_short_name() if show_names else gettext("Lid %(n)s") % {"n": n}
        cells.append(f'<th scope="col">{conditional_escape(label)}</th>')
    return mark_safe("".join(cells))  # noqa: S308 (every value escaped above)


@register.simple_tag
def score_rows(table: dict, public: bool = False) -> SafeString:
    """The body rows: per criterion each member's score, the median, the mean, the spread."""
    discuss = conditional_escape(gettext("bespreken"))  # outside f-strings: makemessages reads it
    badge = f' <span class="badge text-bg-warning">{discuss}</span>'
    parts = ["\n  "]
    for row in table["rows"]:
        criterion = row["criterion"]
        flag = badge if row["discuss"] and not public else ""
        warning = ' class="table-warning"' if row["discuss"] else ""
        scores = "".join(f"<td>{format_score(s['value'])}</td>" for s in row["scores"])
        parts.append(
            f"\n    <tr{warning}>"
            f'\n      <th scope="row">{criterion.number}. {conditional_escape(criterion.title)}'
            f"{flag}</th>"
            f"\n      {scores}"
            f"\n      <td>{format_score(row['median'])}</td>"
            f"\n      <td>{format_score(row['mean'])}</td>"
            f"\n      <td>{format_score(row['spread'])}</td>"
            "\n    </tr>\n  "
        )
    return mark_safe("".join(parts))  # noqa: S308 (titles escaped; scores are formatted numbers)


@register.simple_tag
def compare_cell(cell: dict) -> SafeString:
    """One cell of the comparison (recognition/round_compare.html): an applicant's statement,
    evidence and scores on one criterion, as the template loop rendered it."""
    from django.template.defaultfilters import date as date_filter
    from django.template.defaultfilters import truncatewords
    from django.utils.translation import ngettext

    e = conditional_escape
    # The labels outside the f-strings, so that makemessages finds them.
    confirmed_label = e(gettext("bevestigd door partner"))
    pending_label = e(gettext("bevestiging gevraagd"))
    files_label = e(gettext("Bestanden"))
    median_label, mean_label = e(gettext("mediaan")), e(gettext("gem."))
    spread_label, discuss_label = e(gettext("spreiding")), e(gettext("bespreken"))
    stats = cell["stats"]
    indent = "\n            "
    warning = ' class="table-warning"' if stats["discuss"] else ""
    parts = [f"<td{warning}>", indent]
    if cell["statement"]:
        parts.append(
            f'<p class="small statement mb-1">{e(truncatewords(cell["statement"], 60))}</p>'
        )
    parts.append(indent)
    if cell["activities"]:
        items = []
        for a in cell["activities"]:
            if a.confirmed:
                state = f' · <span class="badge text-bg-success">{confirmed_label}</span>'
            elif a.confirmations_pending:
                state = f" · {pending_label}"
            else:
                state = ""
            items.append(f"<li>{e(a.title)} ({e(date_filter(a.start_date))}){state}</li>")
        parts.append(f'<ul class="small mb-1">{"".join(items)}</ul>')
    parts.append(indent)
    if cell["files"]:
        names = ", ".join(str(e(f["name"])) for f in cell["files"])
        parts.append(f'<p class="small mb-1">{files_label}: {names}</p>')
    parts.append(indent)
    if cell["links"]:
        n = len(cell["links"])
        text = ngettext("%(n)s link", "%(n)s links", n) % {"n": n}
        parts.append(f'<p class="small mb-1">{e(text)}</p>')
    parts.append(indent)
    scores = []
    for s in stats["scores"]:
        comment = f" — {e(s['comment'])}" if s["comment"] else ""
        scores.append(
            f"<li>{e(s['member'].get_short_name())}: <strong>{format_score(s['value'])}</strong>"
            f"{comment}</li>"
        )
    parts.append(f'<ul class="small list-unstyled mb-1">{"".join(scores)}</ul>')
    parts.append(indent)
    parts.append(
        f"{median_label} {format_score(stats['median'])} · {mean_label} "
        f"{format_score(stats['mean'])} · {spread_label} {format_score(stats['spread'])}"
    )
    parts.append(indent)
    if stats["discuss"]:
        parts.append(f'<span class="badge text-bg-warning">{discuss_label}</span>')
    parts.append("\n          </td>")
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above)


@register.simple_tag
def motivation_items(decision) -> SafeString:
    """The per-criterion motivations of a decision as list items (recognition/round_decision.html;
    ten per decision, over a thousand on the page of a large round)."""
    e = conditional_escape
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f"<li><strong>{e(m.criterion.title)}</strong>: {e(m.text)}</li>"
            for m in decision.criterion_motivations.all()
        )
    )
