"""A large, realistic world on top of seed_demo, for benchmarks (bench/run.py).

    python manage.py seed_scale --platforms 200 --transactions 50000

Rows are written with bulk_create (a few thousand per statement); only the grants go through
budgets' own service (book_grant), so budgets, budget lines, accounts and the grant
transactions are exactly what the application itself would book. The M payment transactions
follow the account scheme of budgets.services (debit the line's expense account, credit the
budget account; a reversal mirrors its payment), every one balanced, each with its claim,
batch and audit entry, and Budget.committed equal to the approved and paid claims — so
`check_ledger` passes afterwards.

Two budgets of the published 2025 scale round get a fixed share of the transactions (10,000
and 1,000 when M allows it), so the benchmarks can time a platform year report of each size;
their slugs are printed at the end.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import COMMISSION, SUPPORT
from areas.models import Buurt, Stadsdeel
from audit.models import AuditEntry
from buurtplatform import pagecache
from platforms.models import CRITERION_KEYS, Activity, Endorsement, Membership, Platform

PREFIX = "schaal"
CENT = Decimal("0.01")
BATCH = 2000
WORDS = (
    "Samen Buurt Groen Sterk Verbindt Vooruit Thuis Hart Plein Jong Oud Licht Kracht Tuin Huis "
    "Dorp Stem Kleur Ritme Brug Haven Bloei Vrij Open Zorg Markt Speel Leer Deel"
).split()
ACTIVITY_TITLES = [
    "Buurtmaaltijd",
    "Huiswerkklas",
    "Schoonmaakactie",
    "Taalcafé",
    "Koffieochtend",
    "Speelmiddag",
    "Moestuindag",
    "Buurtvergadering",
    "Sportochtend",
    "Spreekuur",
    "Buurtkrant bezorgen",
    "Zomerfeest",
    "Computerles voor ouderen",
    "Kookworkshop",
    "Klussendag",
]
PLAN_LINES = [
    ("Activiteiten", "Wekelijkse activiteiten"),
    ("Ruimte", "Huur buurthuis"),
    ("Communicatie", "Nieuwsbrief en website"),
    ("Materiaal", "Materiaal en gereedschap"),
    ("Vrijwilligers", "Vrijwilligersvergoedingen"),
]
PAYEES = [
    ("Buurthuis De Brug", True),
    ("Drukkerij Zuidoost", True),
    ("Albert Heijn Ganzenhoef", True),
    ("Bouwmarkt Amstel III", True),
    ("Sportvereniging Gein", True),
    ("A. de Vries", False),
    ("M. Boateng", False),
    ("S. Ramdin", False),
]


def _batches(rows: list, size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(model, rows: list, **kwargs) -> list:
    """bulk_create in chunks; returns the saved objects (with primary keys on PostgreSQL)."""
    saved = []
    for chunk in _batches(rows):
        saved.extend(model.objects.bulk_create(chunk, **kwargs))
    return saved


class Command(BaseCommand):
    help = "Add N platforms, rounds and M ledger transactions on top of seed_demo (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--platforms", type=int, default=200)
        parser.add_argument("--transactions", type=int, default=50000)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (repeatable data).")
        parser.add_argument(
            "--prefix", default=PREFIX, help="Slug and e-mail prefix (run again with another one)."
        )

    def handle(self, *args, **options):
        if Platform.objects.filter(slug__startswith=f"{options['prefix']}-").exists():
            raise CommandError("Scale data is already there (platforms named schaal-...).")
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        support = list(User.objects.filter(groups__name=SUPPORT).order_by("pk")[:2])
        if admin is None or len(support) < 2:
            raise CommandError("Run seed_demo first (admin and two support accounts needed).")
        self.rng = random.Random(options["seed"])
        self.prefix = options["prefix"]
        self.admin, self.support = admin, support
        self.started = time.perf_counter()
        n, m = options["platforms"], options["transactions"]
        with transaction.atomic():
            platforms = self.make_platforms(n)
            decisions = self.make_rounds(platforms)
        budgets = self.book_grants(decisions)
        with transaction.atomic():
            heavy = self.make_transactions(budgets, m)
        pagecache.bump()  # bulk inserts send no signals: invalidate the public page cache
        self.step(f"done: {n} platforms, {m} transactions; report slugs {heavy}")

    def step(self, message: str) -> None:
        self.stdout.write(f"[{time.perf_counter() - self.started:6.1f}s] {message}")

    # --- platforms, members, activities, endorsements ----------------------------------------

    def make_platforms(self, n: int) -> list[Platform]:
        rng = self.rng
        by_wijk: dict[int, list[Buurt]] = defaultdict(list)
        for buurt in Buurt.objects.filter(retired_at__isnull=True).order_by("code"):
            by_wijk[buurt.wijk_id].append(buurt)
        wijken = sorted(by_wijk)
        if not wijken:
            raise CommandError("No buurten: run the migrations first.")
        # Residents: coordinators and members (about 8 per platform) and endorsers.
        n_users = n * 15 + 20
        users = bulk(
            User,
            [
                User(
                    email=f"{self.prefix}-{i}@example.org",
                    name=f"Bewoner {i}",
                    password="!unusable",
                )
                for i in range(n_users)
            ],
        )
        self.step(f"{len(users)} residents")
        platform_rows, buurten_of = [], []
        for i in range(n):
            wijk = wijken[i % len(wijken)]
            pool = by_wijk[wijk]
            count = min(len(pool), rng.choice((1, 1, 2, 2, 3)))
            start = rng.randrange(len(pool))
            chosen = [pool[(start + k) % len(pool)] for k in range(count)]
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {chosen[0].name}"[:140]
            platform_rows.append(
                Platform(
                    name=name,
                    slug=f"{self.prefix}-{i:04d}-{slugify(name)}"[:150],
                    area_name=chosen[0].name,
                    description=(
                        f"{name} organiseert activiteiten voor en met bewoners van "
                        f"{', '.join(b.name for b in chosen)}: ontmoeting, hulp en een schone, "
                        "groene buurt."
                    ),
                    contact_email=f"info@{self.prefix}-{i}.example.org",
                    contact_text="Elke woensdag van 10 tot 12 in het buurthuis.",
                    legal_form=rng.choice(Platform.LegalForm.values),
                    created_by=users[i],
                )
            )
            buurten_of.append(chosen)
        platforms = bulk(Platform, platform_rows)
        Through = Platform.buurten.through
        bulk(
            Through,
            [
                Through(platform_id=p.pk, buurt_id=b.pk)
                for p, chosen in zip(platforms, buurten_of, strict=True)
                for b in chosen
            ],
        )
        for p, chosen in zip(platforms, buurten_of, strict=True):
            p.buurt_list = chosen
        self.step(f"{len(platforms)} platforms over {len(wijken)} wijken")

        memberships, self.coordinator_of = [], {}
        member_pool = users[n:]
        for i, p in enumerate(platforms):
            self.coordinator_of[p.pk] = users[i].pk
            memberships.append(
                Membership(
                    platform=p,
                    user=users[i],
                    role=Membership.Role.COORDINATOR,
                    show_name_publicly=True,
                )
            )
            for u in rng.sample(member_pool, rng.randint(3, 12)):
                memberships.append(
                    Membership(platform=p, user=u, show_name_publicly=rng.random() < 0.3)
                )
        bulk(Membership, memberships, ignore_conflicts=True)

        today = timezone.localdate()
        keys = [k for k, _label in CRITERION_KEYS]
        activities = []
        for p in platforms:
            for _ in range(rng.randint(15, 25)):
                day = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
                activities.append(
                    Activity(
                        platform=p,
                        title=f"{rng.choice(ACTIVITY_TITLES)} {p.area_name}",
                        start_date=day,
                        description="Met buurtbewoners, vrijwilligers en partners uit de buurt.",
                        category=rng.choice(Activity.Category.values),
                        participants=rng.randint(5, 120),
                        partners=rng.choice(("", "Buurthuis", "Bibliotheek Zuidoost", "School")),
                        criteria=rng.sample(keys, rng.randint(1, 3)),
                        visibility=Activity.Visibility.PUBLIC
                        if rng.random() < 0.9
                        else Activity.Visibility.MEMBERS,
                        created_by_id=self.coordinator_of[p.pk],
                    )
                )
        bulk(Activity, activities)
        self.step(f"{len(memberships)} memberships, {len(activities)} activities")

        endorsements = []
        for p in platforms:
            for u in rng.sample(users, rng.randint(5, 40)):
                endorsements.append(
                    Endorsement(
                        platform=p,
                        user=u,
                        buurt=rng.choice(p.buurt_list),
                        postcode4=str(rng.randint(1101, 1108)),
                        verified=rng.random() < 0.4,
                        show_name=rng.random() < 0.2,
                    )
                )
        bulk(Endorsement, endorsements, ignore_conflicts=True)
        self.step(f"{len(endorsements)} endorsements")
        return platforms

    # --- rounds, applications, conflicts, scores, decisions ----------------------------------

    def commission(self) -> list[User]:
        members = list(User.objects.filter(groups__name=COMMISSION).order_by("pk"))
        group, _created = Group.objects.get_or_create(name=COMMISSION)
        extra = bulk(
            User,
            [
                User(email=f"{self.prefix}-commissie-{i}@example.org", name=f"Commissielid {i}")
                for i in range(max(0, 7 - len(members)))
            ],
        )
        for u in extra:
            u.groups.add(group)
        return members + extra

    def make_rounds(self, platforms: list[Platform]) -> list:
        from recognition import selectors, services
        from recognition.models import (
            Application,
            ApplicationRevision,
            ConflictDeclaration,
            CriterionMotivation,
            CriterionStatement,
            Decision,
            PlanLine,
            Recognition,
            Round,
            Score,
            Scoresheet,
        )

        rng = self.rng
        members = self.commission()
        district = Stadsdeel.objects.get(code="T")
        tz = timezone.get_current_timezone()
        granted: list = []
        for year in (2024, 2025, 2026):
            slug = f"{self.prefix}-buurtbudgetten-{year}"
            rnd = services.create_round(
                by=self.admin,
                title=f"Buurtbudgetten {year} (schaaltest)",
                slug=slug,
                description="Een grote ronde om de prestaties van de site te meten.",
                district=district,
                budget_year=year,
                total_budget=Decimal("2000000"),
                max_per_area=Decimal("30000"),
                application_deadline=datetime.datetime(year - 1, 11, 1, 17, tzinfo=tz),
                assessment_deadline=datetime.datetime(year - 1, 12, 1, 17, tzinfo=tz),
                recognition_months=24,
                quorum=2,
                objection_weeks=6,
                publish_member_names=True,
                chair=members[0],
            )
            criteria = list(rnd.criteria_version.criteria.order_by("number"))
            applicants = [p for p in platforms if rng.random() < 0.7]
            submitted = datetime.datetime(year - 1, 10, 15, 12, tzinfo=tz)
            apps = bulk(
                Application,
                [
                    Application(
                        round=rnd,
                        platform=p,
                        area_name=p.area_name,
                        plan_summary=f"{p.name} wil doorgaan met wat werkt en meer bewoners "
                        "laten meedoen.",
                        requested_amount=0,
                        status=Application.Status.SUBMITTED,
                        created_by_id=self.coordinator_of[p.pk],
                        submitted_at=submitted,
                    )
                    for p in applicants
                ],
            )
            Through = Application.buurten.through
            bulk(
                Through,
                [
                    Through(application_id=a.pk, buurt_id=b.pk)
                    for a, p in zip(apps, applicants, strict=True)
                    for b in p.buurt_list
                ],
            )
            bulk(
                CriterionStatement,
                [
                    CriterionStatement(
                        application=a,
                        criterion=c,
                        statement=f"{c.title_nl}: zo laten wij dit zien in de buurt.",
                        links=f"https://{p.slug}.example.org/{c.key}",
                    )
                    for a, p in zip(apps, applicants, strict=True)
                    for c in criteria
                ],
            )
            plan_lines, requested, snapshots = [], {}, {}
            for a, p in zip(apps, applicants, strict=True):
                lines = [
                    (cat, desc, Decimal(rng.randrange(1000, 9000, 250)))
                    for cat, desc in rng.sample(PLAN_LINES, rng.randint(2, 4))
                ]
                total = sum((amount for _c, _d, amount in lines), Decimal("0"))
                requested[a.pk] = min(total, Decimal("30000"))
                plan_lines += [
                    PlanLine(application=a, category=c, description=d, amount=amt)
                    for c, d, amt in lines
                ]
                snapshots[a.pk] = {
                    "platform": {"id": p.pk, "name": p.name, "slug": p.slug},
                    "area_name": p.area_name,
                    "buurten": sorted(b.code for b in p.buurt_list),
                    "plan_summary": a.plan_summary,
                    "requested_amount": str(total),
                    "plan_lines": [
                        {"category": c, "description": d, "amount": str(amt)} for c, d, amt in lines
                    ],
                    "statements": [
                        {
                            "criterion": c.key,
                            "number": c.number,
                            "statement": f"{c.title_nl}: zo laten wij dit zien in de buurt.",
                            "links": [f"https://{p.slug}.example.org/{c.key}"],
                            "activities": [],
                        }
                        for c in criteria
                    ],
                    "files": [],
                }
            bulk(PlanLine, plan_lines)
            for a in apps:
                a.requested_amount = requested[a.pk]
            Application.objects.bulk_update(apps, ["requested_amount"], batch_size=BATCH)
            revisions = bulk(
                ApplicationRevision,
                [
                    ApplicationRevision(
                        application=a,
                        number=1,
                        snapshot=snapshots[a.pk],
                        submitted_by_id=self.coordinator_of[a.platform_id],
                    )
                    for a in apps
                ],
            )
            # Conflicts: every member declares; about one in twenty has a conflict.
            conflicts, sheets = [], []
            for a, rev in zip(apps, revisions, strict=True):
                for member in members:
                    conflicted = rng.random() < 0.05
                    conflicts.append(
                        ConflictDeclaration(
                            application=a,
                            member=member,
                            has_conflict=conflicted,
                            kind="other" if conflicted else "",
                            reason="Familie in het bestuur." if conflicted else "",
                        )
                    )
                    if not conflicted:
                        sheets.append(
                            Scoresheet(
                                application=a,
                                revision=rev,
                                member=member,
                                status=Scoresheet.Status.SUBMITTED,
                                submitted_at=submitted + datetime.timedelta(days=20),
                            )
                        )
            bulk(ConflictDeclaration, conflicts)
            sheets = bulk(Scoresheet, sheets)
            base = {a.pk: rng.randint(1, 3) for a in apps}
            means: dict[int, list[int]] = defaultdict(list)
            scores = []
            for sheet in sheets:
                for c in criteria:
                    value = max(0, min(4, base[sheet.application_id] + rng.randint(-1, 1)))
                    means[sheet.application_id].append(value)
                    scores.append(
                        Score(
                            scoresheet=sheet,
                            criterion=c,
                            value=value,
                            comment="" if rng.random() < 0.8 else "Goed onderbouwd.",
                        )
                    )
            bulk(Score, scores)
            # Decisions per competing group (the application's own grouping): the best one wins.
            Round.objects.filter(pk=rnd.pk).update(status=Round.Status.DECIDED)
            rnd.refresh_from_db()
            published = datetime.datetime(year - 1, 12, 15, 10, tzinfo=tz)
            decisions = []
            for group in selectors.competition_groups(rnd):
                ranked = sorted(group, key=lambda a: -sum(means[a.pk]) / max(1, len(means[a.pk])))
                winners = {a.pk for a in ranked[: max(1, len(ranked) // 3)]}
                key = selectors.area_key(group)[:200]
                for a in group:
                    won = a.pk in winners
                    decisions.append(
                        Decision(
                            round=rnd,
                            application=a,
                            area_key=key,
                            outcome=Decision.Outcome.GRANTED
                            if won
                            else Decision.Outcome.NOT_GRANTED,
                            granted_amount=a.requested_amount if won else 0,
                            motivation=(
                                "De commissie kiest dit platform: het laat zien wat het doet."
                                if won
                                else "Een ander platform scoorde hoger voor dit gebied."
                            ),
                            status=Decision.Status.PUBLISHED,
                            decided_by=members[0],
                            published_at=published,
                        )
                    )
            decisions = bulk(Decision, decisions)
            # The commission motivates one criterion per decision: the strongest of a granted
            # application, the weakest of one not granted.
            bulk(
                CriterionMotivation,
                [
                    CriterionMotivation(
                        decision=d,
                        criterion=criteria[0] if d.outcome == "granted" else criteria[-1],
                        text="Hier maakte de aanvraag het verschil; zie de scores."
                        if d.outcome == "granted"
                        else "De aanvraag laat hier te weinig zien; zie de scores.",
                    )
                    for d in decisions
                ],
            )
            won_ids = [d.application_id for d in decisions if d.outcome == "granted"]
            Application.objects.filter(round=rnd).update(status=Application.Status.NOT_GRANTED)
            Application.objects.filter(pk__in=won_ids).update(status=Application.Status.GRANTED)
            until = services.add_months(published.date(), rnd.recognition_months)
            bulk(
                Recognition,
                [
                    Recognition(
                        platform_id=d.application.platform_id,
                        decision=d,
                        valid_from=published.date(),
                        valid_until=until,
                    )
                    for d in decisions
                    if d.outcome == "granted"
                ],
            )
            platform_ids = [d.application.platform_id for d in decisions if d.outcome == "granted"]
            Platform.objects.filter(pk__in=platform_ids).update(
                recognition_status=Platform.RecognitionStatus.RECOGNISED,
                recognised_until=until,
            )
            Round.objects.filter(pk=rnd.pk).update(
                status=Round.Status.PUBLISHED,
                published_at=published,
                assessment_deadline=published,
            )
            granted += [d for d in decisions if d.outcome == "granted"]
            self.step(
                f"round {slug}: {len(apps)} applications, {len(sheets)} scoresheets, "
                f"{len(scores)} scores, {len(decisions)} decisions ({len(won_ids)} granted)"
            )
        return granted

    # --- money ---------------------------------------------------------------------------------

    def book_grants(self, decisions: list) -> list:
        from budgets.services import book_grant

        budgets = [book_grant(decision=d, by=self.admin) for d in decisions]
        self.step(f"{len(budgets)} grants booked through budgets.services.book_grant")
        return budgets

    def make_transactions(self, budgets: list, m: int) -> dict:
        from budgets.models import (
            Account,
            Budget,
            BudgetLine,
            Entry,
            ExpenseClaim,
            PaymentBatch,
            Transaction,
        )

        rng = self.rng
        today = timezone.localdate()
        reviewer, payer = self.support
        budgets = list(Budget.objects.filter(pk__in=[b.pk for b in budgets]).order_by("pk"))
        lines = defaultdict(list)
        for line in BudgetLine.objects.filter(budget__in=budgets).order_by("id"):
            lines[line.budget_id].append(line)
        accounts = {
            a.code: a.pk for a in Account.objects.filter(budget__in=budgets).only("code", "pk")
        }
        # Two budgets of 2025 get a fixed number of transactions (for the report benchmarks).
        of_2025 = [b for b in budgets if b.year == 2025]
        share: dict[int, int] = {}
        heavy: dict[str, int] = {}
        if len(of_2025) >= 2 and m >= 2000:
            big, small = of_2025[0], of_2025[1]
            share[big.pk] = min(10000, m // 5)
            share[small.pk] = min(1000, m // 20)
        rest = [b for b in budgets if b.pk not in share]
        remaining = m - sum(share.values())
        for i, b in enumerate(rest):
            share[b.pk] = remaining // len(rest) + (1 if i < remaining % len(rest) else 0)
        platform_slugs = dict(
            Platform.objects.filter(budgets__in=budgets).values_list("pk", "slug")
        )
        for pk, count in share.items():
            if count >= 1000:
                b = next(x for x in budgets if x.pk == pk)
                heavy[f"{platform_slugs[b.platform_id]}/{b.year}"] = count

        claims, plans = [], []  # plans: (claim index, budget, line, date, reversed?)
        for b in budgets:
            count = share.get(b.pk, 0)
            if not count:
                continue
            # Reversals count as transactions too: 1 in 100 payments is reversed.
            reversals = count // 101
            payments = count - reversals
            avg = (b.granted_amount * Decimal("0.6") / payments).quantize(CENT)
            last = min(today, datetime.date(b.year, 12, 31))
            days = (last - datetime.date(b.year, 1, 1)).days
            for k in range(payments):
                amount = max(CENT, (avg * Decimal(rng.uniform(0.5, 1.5))).quantize(CENT))
                day = datetime.date(b.year, 1, 1) + datetime.timedelta(days=rng.randint(0, days))
                payee, org = rng.choice(PAYEES)
                line = rng.choice(lines[b.pk])
                claims.append(
                    ExpenseClaim(
                        budget_id=b.pk,
                        budget_line_id=line.pk,
                        submitted_by_id=self.coordinator_of[b.platform_id],
                        amount=amount,
                        expense_date=day,
                        payee_name=payee,
                        payee_is_organisation=org,
                        iban="NL91ABNA0417164300",
                        description=f"{line.category}: {rng.choice(ACTIVITY_TITLES).lower()}",
                        status=ExpenseClaim.Status.REVERSED
                        if k < reversals
                        else ExpenseClaim.Status.PAID,
                        reviewed_by=reviewer,
                        reviewed_at=timezone.now(),
                        submitted_at=timezone.now(),
                    )
                )
                plans.append((b, line, day, k < reversals))
        # The support queue: open claims on the 2026 budgets (no transactions yet).
        open_claims = []
        for b in [b for b in budgets if b.year == 2026][:60]:
            for status in (ExpenseClaim.Status.SUBMITTED, ExpenseClaim.Status.APPROVED):
                line = lines[b.pk][0]
                open_claims.append(
                    ExpenseClaim(
                        budget_id=b.pk,
                        budget_line_id=line.pk,
                        submitted_by_id=self.coordinator_of[b.platform_id],
                        amount=Decimal("12.50"),
                        expense_date=min(today, datetime.date(b.year, 6, 1)),
                        payee_name="Buurthuis De Brug",
                        payee_is_organisation=True,
                        iban="NL91ABNA0417164300",
                        description="Huur zaal voor de buurtvergadering",
                        status=status,
                        reviewed_by=reviewer if status == "approved" else None,
                        submitted_at=timezone.now(),
                    )
                )
        bulk(ExpenseClaim, open_claims)
        # One paid batch per budget and month, as the support organisation pays in runs.
        batch_keys = sorted({(b.pk, day.year, day.month) for b, _l, day, _r in plans})
        batches = bulk(
            PaymentBatch,
            [
                PaymentBatch(
                    reference=f"S{bpk}-{y}{mo:02d}",
                    status=PaymentBatch.Status.PAID,
                    created_by=reviewer,
                    paid_by=payer,
                    paid_at=timezone.now(),
                )
                for bpk, y, mo in batch_keys
            ],
        )
        batch_of = {key: batch.pk for key, batch in zip(batch_keys, batches, strict=True)}
        for claim, (b, _line, day, _r) in zip(claims, plans, strict=True):
            claim.batch_id = batch_of[(b.pk, day.year, day.month)]
        claims = bulk(ExpenseClaim, claims)
        # About one claim in ten names the public activity the money served.
        public = defaultdict(list)
        for pk, platform_id in Activity.objects.public().values_list("pk", "platform_id"):
            public[platform_id].append(pk)
        platform_of = {b.pk: b.platform_id for b in budgets}
        link = ExpenseClaim.activities.through
        bulk(
            link,
            [
                link(expenseclaim_id=claim.pk, activity_id=rng.choice(choices))
                for k, claim in enumerate(claims)
                if k % 10 == 0 and (choices := public[platform_of[claim.budget_id]])
            ],
        )
        self.step(f"{len(claims)} paid claims, {len(open_claims)} open claims")

        payments = bulk(
            Transaction,
            [
                Transaction(
                    kind=Transaction.Kind.PAYMENT,
                    budget_id=b.pk,
                    value_date=day,
                    description=f"{claim.description} – {claim.public_payee}",
                    private_description=f"{claim.payee_name} {claim.iban}",
                    reference=f"S{b.pk}-{claim.pk}",
                    booked_by=payer,
                    claim_id=claim.pk,
                    batch_id=claim.batch_id,
                )
                for claim, (b, _line, day, _r) in zip(claims, plans, strict=True)
            ],
        )
        reversed_pairs = [
            (payment, claim, plan)
            for payment, claim, plan in zip(payments, claims, plans, strict=True)
            if plan[3]
        ]
        reversals = bulk(
            Transaction,
            [
                Transaction(
                    kind=Transaction.Kind.REVERSAL,
                    budget_id=payment.budget_id,
                    value_date=min(today, plan[2] + datetime.timedelta(days=14)),
                    description=f"Correctie van boeking {payment.pk}",
                    reference=f"corr-{payment.pk}",
                    booked_by=reviewer,
                    claim_id=claim.pk,
                    batch_id=claim.batch_id,
                    reverses_id=payment.pk,
                    reason="Dubbel gedeclareerd.",
                )
                for payment, claim, plan in reversed_pairs
            ],
        )
        entries = []
        for payment, claim, (b, line, _day, _r) in zip(payments, claims, plans, strict=True):
            expense = accounts[f"B{b.pk}-L{line.pk}"]
            budget_acc = accounts[f"B{b.pk}-BUDGET"]
            entries.append(
                Entry(
                    transaction_id=payment.pk, account_id=expense, side="debit", amount=claim.amount
                )
            )
            entries.append(
                Entry(
                    transaction_id=payment.pk,
                    account_id=budget_acc,
                    side="credit",
                    amount=claim.amount,
                )
            )
        for reversal, (_payment, claim, (b, line, _day, _r)) in zip(
            reversals, reversed_pairs, strict=True
        ):
            entries.append(
                Entry(
                    transaction_id=reversal.pk,
                    account_id=accounts[f"B{b.pk}-L{line.pk}"],
                    side="credit",
                    amount=claim.amount,
                )
            )
            entries.append(
                Entry(
                    transaction_id=reversal.pk,
                    account_id=accounts[f"B{b.pk}-BUDGET"],
                    side="debit",
                    amount=claim.amount,
                )
            )
        bulk(Entry, entries, batch_size=BATCH)
        self.step(f"{len(payments)} payments, {len(reversals)} reversals, {len(entries)} entries")

        # Budget.committed is the locked running total of approved and paid claims.
        committed: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
        for claim in claims + open_claims:
            if claim.status in (ExpenseClaim.Status.APPROVED, ExpenseClaim.Status.PAID):
                committed[claim.budget_id] += claim.amount
        for b in budgets:
            b.committed = committed[b.pk]
        Budget.objects.bulk_update(budgets, ["committed"], batch_size=BATCH)

        tx_type = ContentType.objects.get_for_model(Transaction)
        bulk(
            AuditEntry,
            [
                AuditEntry(
                    actor=payer if tx.kind == "payment" else reviewer,
                    actor_label=str((payer if tx.kind == "payment" else reviewer).pk),
                    action=f"budgets.transaction.{tx.kind}",
                    content_type=tx_type,
                    object_id=str(tx.pk),
                    object_repr=f"#{tx.pk} {tx.value_date} {tx.description}"[:200],
                    data={"budget": tx.budget_id, "reverses": tx.reverses_id},
                )
                for tx in payments + reversals
            ],
        )
        self.step("committed totals and audit entries written")
        return heavy
