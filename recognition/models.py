"""Rounds, criteria, applications, conflicts of interest, blind scores, decisions, objections."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas.models import Buurt, Stadsdeel
from platforms.models import Activity, Platform

MONEY = {"max_digits": 12, "decimal_places": 2}


class CriteriaVersion(models.Model):
    """A frozen set of the ten criteria; a round points at one, so later edits never change it."""

    name = models.CharField(_("naam"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("criteriaversie")
        verbose_name_plural = _("criteriaversies")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    version = models.ForeignKey(CriteriaVersion, on_delete=models.PROTECT, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40)
    title_nl = models.CharField(max_length=100)
    title_en = models.CharField(max_length=100)
    question_nl = models.TextField()
    question_en = models.TextField()
    guidance_nl = models.TextField(blank=True)
    guidance_en = models.TextField(blank=True)
    # {"0": {"nl": "...", "en": "..."}, ..., "4": {...}}
    rubric = models.JSONField(default=dict)

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="criterion_unique_number"),
            models.UniqueConstraint(fields=["version", "key"], name="criterion_unique_key"),
        ]
        verbose_name = _("criterium")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def _lang(self, field: str) -> str:
        lang = (get_language() or "nl")[:2]
        return getattr(self, f"{field}_en" if lang == "en" else f"{field}_nl")

    @property
    def title(self) -> str:
        return self._lang("title")

    @property
    def question(self) -> str:
        return self._lang("question")

    @property
    def guidance(self) -> str:
        return self._lang("guidance")

    def rubric_text(self, score: int) -> str:
        lang = "en" if (get_language() or "nl").startswith("en") else "nl"
        return self.rubric.get(str(score), {}).get(lang, "")


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        OPEN = "open", _("Open voor aanvragen")
        ASSESSMENT = "assessment", _("Beoordeling")
        DECIDED = "decided", _("Besloten (nog niet gepubliceerd)")
        PUBLISHED = "published", _("Gepubliceerd")

    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(_("beschrijving"), blank=True, max_length=5000)
    district = models.ForeignKey(Stadsdeel, on_delete=models.PROTECT, related_name="rounds")
    budget_year = models.PositiveSmallIntegerField(_("begrotingsjaar"))
    total_budget = models.DecimalField(_("totaal budget"), **MONEY)
    max_per_area = models.DecimalField(_("maximum per gebied"), null=True, blank=True, **MONEY)
    application_deadline = models.DateTimeField(_("deadline aanvragen"))
    assessment_deadline = models.DateTimeField(_("deadline beoordeling"))
    recognition_months = models.PositiveSmallIntegerField(
        _("erkenningsperiode (maanden)"), default=24
    )
    quorum = models.PositiveSmallIntegerField(_("quorum"), default=2)
    objection_weeks = models.PositiveSmallIntegerField(_("bezwaartermijn (weken)"), default=6)
    publish_member_names = models.BooleanField(_("namen commissieleden publiceren"), default=False)
    criteria_version = models.ForeignKey(
        CriteriaVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_rounds",
        verbose_name=_("voorzitter"),
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-budget_year", "-application_deadline"]
        constraints = [
            models.CheckConstraint(condition=Q(total_budget__gte=0), name="round_budget_nonneg"),
            models.CheckConstraint(
                condition=Q(assessment_deadline__gte=models.F("application_deadline")),
                name="round_assessment_after_deadline",
            ),
        ]
        verbose_name = _("ronde")
        verbose_name_plural = _("rondes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("recognition:round_detail", args=[self.slug])


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        SUBMITTED = "submitted", _("Ingediend")
        WITHDRAWN = "withdrawn", _("Ingetrokken")
        ASSESSED = "assessed", _("Beoordeeld")
        GRANTED = "granted", _("Toegekend")
        NOT_GRANTED = "not_granted", _("Niet toegekend")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="applications")
    area_name = models.CharField(_("naam van het gebied"), max_length=150)
    buurten = models.ManyToManyField(Buurt, related_name="applications", verbose_name=_("buurten"))
    plan_summary = models.TextField(_("plan in het kort"), blank=True)
    requested_amount = models.DecimalField(_("gevraagd bedrag"), default=0, **MONEY)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "platform__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "platform"], name="application_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__gte=0), name="application_amount_nonneg"
            ),
        ]
        verbose_name = _("aanvraag")
        verbose_name_plural = _("aanvragen")

    def __str__(self) -> str:
        return f"{self.platform} – {self.round}"

    @property
    def current_revision(self):
        return self.revisions.order_by("-number").first()


class CriterionStatement(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="statements"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("toelichting"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("Eén adres per regel."))
    activities = models.ManyToManyField(Activity, blank=True, related_name="+")

    class Meta:
        ordering = ["criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="statement_unique")
        ]


class EvidenceFile(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="private/evidence/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The applicant's consent, per file, given at upload. Private by default; public only when
    # also part of the judged revision (recognition.selectors.is_public_evidence).
    publishable = models.BooleanField(_("openbaar bij het besluit"), default=False)
    # The address of the public download: unguessable, unlike the sequential pk.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class PlanLine(models.Model):
    """A budget line of the plan: what the platform asks money for."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="plan_lines"
    )
    category = models.CharField(_("categorie"), max_length=100)
    description = models.CharField(_("omschrijving"), max_length=300)
    amount = models.DecimalField(_("bedrag"), **MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="planline_amount_pos")
        ]


class ApplicationRevision(models.Model):
    """An immutable snapshot made at submission; scores point at the revision they judged."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="revision_unique_number")
        ]


class ConflictDeclaration(models.Model):
    class Kind(models.TextChoices):
        MEMBER = "member", _("Lid of coördinator van het platform")
        FAMILY = "family", _("Familie of huisgenoot")
        FINANCIAL = "financial", _("Financieel belang")
        OTHER = "other", _("Anders")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField()
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    reason = models.TextField(_("reden (niet openbaar)"), blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="conflict_unique_member")
        ]


class Scoresheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        SUBMITTED = "submitted", _("Ingediend")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="scoresheets"
    )
    revision = models.ForeignKey(
        ApplicationRevision, on_delete=models.PROTECT, related_name="scoresheets"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scoresheets"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member"], name="scoresheet_unique_member"
            )
        ]


class Score(models.Model):
    scoresheet = models.ForeignKey(Scoresheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["scoresheet", "criterion"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=4), name="score_0_4"
            ),
        ]


class Decision(models.Model):
    """A motivated decision on one application. Published decisions are never edited:
    a correction, an objection's outcome, a suspension or a withdrawal is a new decision
    that supersedes the earlier one."""

    class Kind(models.TextChoices):
        ROUND = "round", _("Besluit in de ronde")
        OBJECTION = "objection", _("Besluit op bezwaar")
        CORRECTION = "correction", _("Correctie")
        SUSPENSION = "suspension", _("Schorsing van de erkenning")
        WITHDRAWAL = "withdrawal", _("Intrekking van de erkenning")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Toegekend")
        NOT_GRANTED = "not_granted", _("Niet toegekend")
        SUSPENDED = "suspended", _("Geschorst")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    class Status(models.TextChoices):
        PENDING = "pending", _("Nog niet gepubliceerd")
        PUBLISHED = "published", _("Gepubliceerd")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    area_key = models.CharField(
        max_length=200, blank=True, help_text="Competition group of the application"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ROUND)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    granted_amount = models.DecimalField(_("toegekend bedrag"), default=0, **MONEY)
    motivation = models.TextField(_("motivering"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "area_key", "application__platform__name", "decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_amount__gte=0), name="decision_amount_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


class CriterionMotivation(models.Model):
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="criterion_motivations"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "criterion"], name="crit_motivation_unique")
        ]


class Recognition(models.Model):
    """A platform's recognition for a period, from a granting decision."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Erkend")
        SUSPENDED = "suspended", _("Geschorst")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="recognitions")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="recognition")
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from"]


class Objection(models.Model):
    """An applicant's objection (bezwaar) against one published decision: one per decision.
    Upheld, it is answered by a new decision that supersedes the contested one (``answer``);
    rejected, the contested decision stays in force and ``answer_motivation`` says why."""

    class Status(models.TextChoices):
        OPEN = "open", _("In behandeling")
        ANSWERED = "answered", _("Gegrond verklaard")
        REJECTED = "rejected", _("Ongegrond verklaard")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="objections")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("bezwaar"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    answer = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="answers_objection"
    )
    answer_motivation = models.TextField(_("motivering van de beslissing op bezwaar"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            # One objection per decision, open or decided: a second one (also a double-click
            # race) is refused by lodge_objection under a row lock on the decision, and here.
            models.UniqueConstraint(fields=["decision"], name="objection_once_per_decision"),
            models.CheckConstraint(
                condition=Q(status="answered", answer__isnull=False)
                | (~Q(status="answered") & Q(answer__isnull=True)),
                name="objection_upheld_has_new_decision",
            ),
        ]


class ObjectionHearing(models.Model):
    """The hearing (hoorzitting) before the commission decides on an objection: when, who was
    heard and the report. Commission-internal; a decision on the objection needs one."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField(_("datum van de hoorzitting"))
    heard = models.TextField(_("wie zijn gehoord"))
    notes = models.TextField(_("verslag"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
