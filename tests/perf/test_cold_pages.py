"""Issue 17 (cold pages): staff lists are paged (50 a page, page links that keep the filters)
at a constant number of queries, and what made the large round's pages fast renders exactly
what the template loops rendered before (the score table and comparison cells, the score
format's short cut). bench/cold.py measures the times themselves."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from accounts.models import User
from audit.models import AuditEntry
from budgets.models import BankStatement, PaymentBatch
from buurtplatform.formatting import format_number, format_score
from recognition.models import Criterion, Round

ROWS = 120  # more than two pages of 50


def count(client, django_assert_max_num_queries, url: str, limit: int = 25) -> int:
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def rounds(admin_user, support_staff, support_staff2):
    """A small seed_scale world (three rounds with applications, sheets and decisions)."""
    call_command(
        "seed_scale",
        platforms=3,
        transactions=60,
        prefix="klein",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    return Round.objects.order_by("pk")


def _more_rounds(n: int) -> None:
    template = Round.objects.order_by("pk").first()
    copies = []
    for i in range(n):
        template.pk = None
        template.slug = f"kopie-{i}"
        template.title = f"Kopie {i}"
        copies.append(
            Round(**{f.attname: getattr(template, f.attname) for f in Round._meta.fields})
        )
    Round.objects.bulk_create(copies)


def _more_batches(n: int, by: User, prefix: str = "GROOT") -> None:
    PaymentBatch.objects.bulk_create(
        PaymentBatch(reference=f"{prefix}-{i:04}", created_by=by) for i in range(n)
    )


def _more_statements(n: int, by: User, prefix: str = "STMT") -> None:
    BankStatement.objects.bulk_create(
        BankStatement(
            statement_id=f"{prefix}-{i}",
            account_iban="NL81INGB0008675309",
            format="csv",
            original_name=f"{i}.csv",
            file=f"private/statements/{i}.csv",
            sha256=f"{prefix}{i:060}",
            imported_by=by,
        )
        for i in range(n)
    )


def _more_audit(rnd: Round, n: int, by: User) -> None:
    ct = ContentType.objects.get_for_model(Round)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=by,
            action="round.test",
            content_type=ct,
            object_id=str(rnd.pk),
            object_repr=rnd.title,
        )
        for _ in range(n)
    )


@pytest.mark.django_db
def test_staff_lists_do_not_grow_with_rows(
    rounds, client_for, admin_user, support_staff, django_assert_max_num_queries
):
    rnd = rounds.first()
    admin, support = client_for(admin_user), client_for(support_staff)
    pages = [
        (admin, "/beheer/rondes/"),
        (admin, f"/beheer/rondes/{rnd.slug}/audit/"),
        (support, "/administratie/betalingen/"),
        (support, "/administratie/afschriften/"),
        (support, "/administratie/tegenboekingen/"),
    ]
    _more_batches(2, support_staff)  # not empty: an empty page runs no query for its rows
    _more_statements(2, support_staff)
    small = [count(c, django_assert_max_num_queries, url) for c, url in pages]
    _more_rounds(ROWS)
    _more_audit(rnd, ROWS, admin_user)
    _more_batches(ROWS, support_staff, prefix="MEER")
    _more_statements(ROWS, support_staff, prefix="MEER")
    for (c, url), limit in zip(pages, small, strict=True):
        count(c, django_assert_max_num_queries, url, limit)
        count(c, django_assert_max_num_queries, f"{url}?page=2", limit)


@pytest.mark.django_db
def test_staff_lists_show_fifty_a_page_with_numbered_links(
    rounds, client_for, admin_user, support_staff
):
    rnd = rounds.first()
    _more_rounds(ROWS)
    _more_audit(rnd, ROWS, admin_user)
    _more_batches(ROWS, support_staff)
    _more_statements(ROWS, support_staff)
    admin, support = client_for(admin_user), client_for(support_staff)
    cases = [
        (admin, "/beheer/rondes/", Round.objects.count()),
        (
            admin,
            f"/beheer/rondes/{rnd.slug}/audit/",
            None,  # everything recorded about the round: at least the added entries
        ),
        (support, "/administratie/betalingen/", PaymentBatch.objects.count()),
        (support, "/administratie/afschriften/", BankStatement.objects.count()),
    ]
    for c, url, total in cases:
        response = c.get(url)
        page = response.context["page"]
        assert len(page.object_list) == 50, url
        if total is not None:
            assert page.paginator.count == total, url
        else:
            assert page.paginator.count >= ROWS, url
        html = response.content.decode()
        assert '<nav aria-label="Pagina’s">' in html, url
        assert 'aria-current="page"' in html, url
        assert 'href="?page=2"' in html and 'href="?page=3"' in html, url
        last = c.get(f"{url}?page=999").context["page"]  # out of range: the last page
        assert last.number == last.paginator.num_pages, url
    # The page links keep the other parameters (a filter, a sort order).
    html = support.get("/administratie/betalingen/?x=1&page=2").content.decode()
    assert 'href="?x=1&amp;page=3"' in html and 'href="?x=1&amp;page=1"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


@pytest.mark.django_db
def test_a_short_staff_list_has_no_page_navigation(client_for, support_staff):
    _more_batches(3, support_staff)
    html = client_for(support_staff).get("/administratie/betalingen/").content.decode()
    assert "GROOT-0002" in html
    assert 'aria-label="Pagina’s"' not in html


# --- the fast cells render what the template loops rendered -------------------------------

OLD_ROWS = """{% for row in table.rows %}
    <tr{% if row.discuss %} class="table-warning"{% endif %}>
      <th scope="row">{{ row.criterion.number }}. {{ row.criterion.title }}{% if row.discuss and not public %} <span class="badge text-bg-warning">{% translate "bespreken" %}</span>{% endif %}</th>
      {% for s in row.scores %}<td>{{ s.value|score }}</td>{% endfor %}
      <td>{{ row.median|score }}</td>
      <td>{{ row.mean|score }}</td>
      <td>{{ row.spread|score }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501

OLD_HEADERS = """{% for m in table.members %}<th scope="col">{% if show_names %}{{ m.get_short_name }}{% else %}{% blocktranslate with n=forloop.counter %}Lid {{ n }}{% endblocktranslate %}{% endif %}</th>{% endfor %}"""  # noqa: E501

OLD_CELL = """<td{% if cell.stats.discuss %} class="table-warning"{% endif %}>
            {% if cell.statement %}<p class="small statement mb-1">{{ cell.statement|truncatewords:60 }}</p>{% endif %}
            {% if cell.activities %}<ul class="small mb-1">{% for a in cell.activities %}<li>{{ a.title }} ({{ a.start_date|date }}){% if a.confirmed %} · <span class="badge text-bg-success">{% translate "bevestigd door partner" %}</span>{% elif a.confirmations_pending %} · {% translate "bevestiging gevraagd" %}{% endif %}</li>{% endfor %}</ul>{% endif %}
            {% if cell.files %}<p class="small mb-1">{% translate "Bestanden" %}: {% for f in cell.files %}{{ f.name }}{% if not forloop.last %}, {% endif %}{% endfor %}</p>{% endif %}
            {% if cell.links %}<p class="small mb-1">{% blocktranslate count n=cell.links|length %}{{ n }} link{% plural %}{{ n }} links{% endblocktranslate %}</p>{% endif %}
            <ul class="small list-unstyled mb-1">{% for s in cell.stats.scores %}<li>{{ s.member.get_short_name }}: <strong>{{ s.value|score }}</strong>{% if s.comment %} — {{ s.comment }}{% endif %}</li>{% endfor %}</ul>
            {% translate "mediaan" %} {{ cell.stats.median|score }} · {% translate "gem." %} {{ cell.stats.mean|score }} · {% translate "spreiding" %} {{ cell.stats.spread|score }}
            {% if cell.stats.discuss %}<span class="badge text-bg-warning">{% translate "bespreken" %}</span>{% endif %}
          </td>"""  # noqa: E501


class _Activity:
    def __init__(self, title, confirmed, pending):
        self.title = title
        self.start_date = datetime.date(2026, 2, 13)
        self.confirmed = confirmed
        self.confirmations_pending = pending


def _table() -> dict:
    members = [User(name="Ann <Ploeg> & co", email="a@example.org"), User(name="Bo", email="b@x")]
    rows = []
    for number, (values, discuss) in enumerate([([3, 5], True), ([4, None], False)], start=1):
        rows.append(
            {
                "criterion": Criterion(
                    number=number,
                    title_nl=f"Inzet <{number}> & zo",
                    title_en=f"Effort <{number}> & so",
                ),
                "scores": [
                    {"member": m, "value": v, "comment": "ok <b>" if v == 5 else ""}
                    for m, v in zip(members, values, strict=True)
                ],
                "median": Decimal("4.0") if discuss else Decimal("4.0"),
                "mean": Decimal("4.0") if discuss else Decimal("4.0"),
                "spread": 2 if discuss else 0,
                "discuss": discuss,
            }
        )
    rows[1]["median"] = rows[1]["mean"] = Decimal("3.7")
    return {"members": members, "rows": rows}


def _cells(table: dict) -> list[dict]:
    return [
        {
            "stats": table["rows"][0],
            "statement": "Wij doen <veel> " + "woord " * 80,
            "activities": [
                _Activity("Taalcafé <1>", True, 0),
                _Activity("Koffie & co", False, 2),
                _Activity("Zomerfeest", False, 0),
            ],
            "files": [{"name": "plan <v2>.pdf"}, {"name": "foto.jpg"}],
            "links": ["https://example.org", "https://example.com"],
        },
        {"stats": table["rows"][1], "statement": "", "activities": [], "files": [], "links": ["x"]},
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("show_names", [True, False])
def test_score_table_cells_are_what_the_template_rendered(lang, public, show_names):
    table = _table()
    context = {"table": table, "public": public, "show_names": show_names}
    with translation.override(lang):
        old_rows = Template("{% load i18n %}" + OLD_ROWS).render(Context(context))
        new_rows = Template("{% load score_tables %}{% score_rows table public %}").render(
            Context(context)
        )
        old_head = Template("{% load i18n %}" + OLD_HEADERS).render(Context(context))
        new_head = Template(
            "{% load score_tables %}{% score_member_headers table show_names %}"
        ).render(Context(context))
    assert new_rows == "\n  " + old_rows
    assert new_head == old_head
    if lang == "en":  # translated (a msgid inside an f-string would be lost to makemessages)
        assert ("discuss" in new_rows) is not public
        assert "Member 1" in new_head or show_names
    expected = "Inzet &lt;2&gt; &amp; zo" if lang == "nl" else "Effort &lt;2&gt; &amp; so"
    assert expected in new_rows
    assert ("3,7" if lang == "nl" else "3.7") in new_rows


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_comparison_cells_are_what_the_template_rendered(lang):
    for cell in _cells(_table()):
        with translation.override(lang):
            old = Template("{% load i18n %}" + OLD_CELL).render(Context({"cell": cell}))
            new = Template("{% load score_tables %}{% compare_cell cell %}").render(
                Context({"cell": cell})
            )
        assert new == old
        assert "<veel>" not in new and "<b>" not in new  # user text stays escaped
        if lang == "en":
            assert "median" in new and "spread" in new


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_score_short_cut_formats_like_number_format(lang):
    values = [0, 1, 5, -3, 999, 1000, -1000, 123456, True]
    values += [Decimal(s) for s in ("3.66", "2.25", "2.249", "-0.04", "-0.05", "0", "999.94")]
    values += [Decimal(s) for s in ("999.95", "-999.96", "1234.56", "1E+1", "-0")]
    with translation.override(lang):
        for value in values:
            decimals = 0 if isinstance(value, int) else 1
            expected = format_number(int(value) if isinstance(value, bool) else value, decimals)
            assert format_score(value) == expected, value
        assert format_score(None) == "–"


def test_decision_page_time_is_measured_fresh(settings):
    """bench/cold.py measures with the page cache off: every request renders afresh."""
    from bench import cold

    assert cold.PUBLIC_TARGET_MS == 100 and cold.STAFF_TARGET_MS == 200
    assert cold.percentile([1.0, 2.0, 3.0, 4.0], 50) in (2.0, 3.0)
    assert "| besluit | 200 |" in cold.markdown(
        [
            {
                "page": "besluit",
                "url": "/rondes/x/besluit/",
                "status": 200,
                "queries": 14,
                "median_ms": 50.0,
                "p95_ms": 60.0,
                "cpu_median_ms": 40.0,
                "target_ms": 100,
                "ok": True,
            }
        ]
    )
    assert settings.PUBLIC_PAGE_CACHE_SECONDS == 0  # and the tests render afresh as well
