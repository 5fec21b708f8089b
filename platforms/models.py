"""Platforms, their members, their track record (activities) and their support (endorsements)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Buurt

# Stable keys of the ten recognition criteria; activities are tagged with them.
CRITERION_KEYS = [
    ("daadkracht", _("Daadkracht")),
    ("betrekken", _("Betrekken")),
    ("inclusie", _("Inclusie")),
    ("zelfredzaamheid", _("Zelfredzaamheid")),
    ("verbinding", _("Verbinding")),
    ("draagvlak", _("Draagvlak")),
    ("transparantie", _("Transparantie")),
    ("informeren", _("Informeren")),
    ("coalitieakkoord", _("Coalitieakkoord")),
    ("eigen_middelen", _("Eigen middelen")),
]

kvk_validator = RegexValidator(r"^\d{8}$", _("Een KvK-nummer bestaat uit precies 8 cijfers."))


class PlatformQuerySet(models.QuerySet):
    def recognised(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            recognition_status=Platform.RecognitionStatus.RECOGNISED, recognised_until__gte=on
        )

    def active(self):
        """Not archived: the public list and the buurt pages show these."""
        return self.filter(archived_at__isnull=True)

    def for_member(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user)


class Platform(models.Model):
    class LegalForm(models.TextChoices):
        INFORMAL = "informal", _("Informele groep")
        STICHTING = "stichting", _("Stichting")
        VERENIGING = "vereniging", _("Vereniging")

    class RecognitionStatus(models.TextChoices):
        NOT_RECOGNISED = "not_recognised", _("Nog niet erkend")
        RECOGNISED = "recognised", _("Erkend")
        SUSPENDED = "suspended", _("Erkenning geschorst")
        WITHDRAWN = "withdrawn", _("Erkenning ingetrokken")
        EXPIRED = "expired", _("Erkenning verlopen")

    name = models.CharField(_("naam"), max_length=150)
    slug = models.SlugField(_("adres"), max_length=160, unique=True)
    area_name = models.CharField(
        _("eigen naam voor het gebied"),
        max_length=150,
        help_text=_("Hoe jullie je buurt zelf noemen, bijvoorbeeld ‘de K-buurt’."),
    )
    buurten = models.ManyToManyField(Buurt, related_name="platforms", verbose_name=_("buurten"))
    description = models.TextField(_("wat doen jullie?"), max_length=5000)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    contact_text = models.CharField(
        _("hoe bereik je ons?"),
        max_length=300,
        blank=True,
        help_text=_("Bijvoorbeeld: elke woensdag van 10 tot 12 in het buurthuis."),
    )
    website = models.URLField(_("website"), blank=True)
    social_links = models.TextField(
        _("sociale media"), max_length=1000, blank=True, help_text=_("Eén adres per regel.")
    )
    legal_form = models.CharField(
        _("rechtsvorm"), max_length=20, choices=LegalForm.choices, default=LegalForm.INFORMAL
    )
    kvk_number = models.CharField(
        _("KvK-nummer"), max_length=8, blank=True, validators=[kvk_validator]
    )
    logo = models.ImageField(_("logo"), upload_to="public/logos/", blank=True)
    recognition_status = models.CharField(
        _("erkenning"),
        max_length=20,
        choices=RecognitionStatus.choices,
        default=RecognitionStatus.NOT_RECOGNISED,
        db_index=True,
    )
    recognised_until = models.DateField(_("erkend tot"), null=True, blank=True)
    # Archived by its coordinators: off the public list; page, history, money and decisions stay.
    archived_at = models.DateTimeField(_("gearchiveerd op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("buurtplatform")
        verbose_name_plural = _("buurtplatforms")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("platforms:platform_detail", args=[self.slug])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_recognised(self) -> bool:
        return (
            self.recognition_status == self.RecognitionStatus.RECOGNISED
            and self.recognised_until is not None
            and self.recognised_until >= timezone.localdate()
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coördinator")
        MEMBER = "member", _("Lid")

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    show_name_publicly = models.BooleanField(_("mijn naam openbaar tonen"), default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "user"], name="membership_unique_user")
        ]
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self) -> str:
        return f"{self.user} @ {self.platform} ({self.role})"


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Uitgenodigd")
        ACCEPTED = "accepted", _("Geaccepteerd")
        DECLINED = "declined", _("Afgeslagen")
        REVOKED = "revoked", _("Ingetrokken")

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default="member")
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")

    def __str__(self) -> str:
        return f"{self.email} → {self.platform}"


class ActivityQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Activity.Visibility.PUBLIC)

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.public()
        return self.filter(
            Q(visibility=Activity.Visibility.PUBLIC) | Q(platform__memberships__user=user)
        ).distinct()


class Activity(models.Model):
    class Category(models.TextChoices):
        MEETING = "meeting", _("Bijeenkomst")
        GREEN = "green", _("Groen en schoon")
        YOUTH = "youth", _("Jeugd")
        ELDERLY = "elderly", _("Ouderen")
        CULTURE = "culture", _("Cultuur en sport")
        HELP = "help", _("Hulp en advies")
        INFORMATION = "information", _("Informatie")
        OTHER = "other", _("Anders")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Openbaar")
        MEMBERS = "members", _("Alleen leden")

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("titel"), max_length=200)
    start_date = models.DateField(_("datum (begin)"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    description = models.TextField(_("beschrijving"), max_length=5000)
    category = models.CharField(
        _("soort"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    participants = models.PositiveIntegerField(_("aantal deelnemers"), null=True, blank=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    links = models.TextField(
        _("links"), max_length=2000, blank=True, help_text=_("Eén adres per regel.")
    )
    criteria = models.JSONField(_("laat deze criteria zien"), default=list, blank=True)
    visibility = models.CharField(
        _("zichtbaarheid"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["platform", "-start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="activity_end_after_start",
            )
        ]
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("platforms:activity_detail", args=[self.platform.slug, self.pk])

    @property
    def criteria_labels(self) -> list[str]:
        labels = dict(CRITERION_KEYS)
        return [str(labels[key]) for key in self.criteria or [] if key in labels]


def _photo_folder(instance: "ActivityPhoto") -> str:
    """Photos of a public activity live in the public folder (served as static media); those
    of a members-only activity in the private one, served only through a permission view."""
    return "public" if instance.activity.visibility == Activity.Visibility.PUBLIC else "private"


def photo_path(instance: "ActivityPhoto", filename: str) -> str:
    return f"{_photo_folder(instance)}/photos/{filename}"


def thumbnail_path(instance: "ActivityPhoto", filename: str) -> str:
    return f"{_photo_folder(instance)}/thumbs/{filename}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=thumbnail_path)
    alt_text = models.CharField(
        _("wat staat er op de foto?"),
        max_length=200,
        help_text=_("Voor mensen die de foto niet kunnen zien."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("foto")
        verbose_name_plural = _("foto's")

    @property
    def is_public(self) -> bool:
        return self.image.name.startswith("public/")

    def src(self, kind: str = "image") -> str:
        """The address of the photo or its thumbnail: the public media URL, or the
        permission-checked view for a members-only activity's photo."""
        from django.urls import reverse

        field = self.image if kind == "image" else self.thumbnail
        if self.is_public:
            return field.url
        return reverse(
            "platforms:activity_photo_file",
            args=[self.activity.platform.slug, self.activity_id, self.pk, kind],
        )

    @property
    def image_src(self) -> str:
        return self.src("image")

    @property
    def thumbnail_src(self) -> str:
        return self.src("thumb")


class PartnerConfirmation(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Gevraagd")
        CONFIRMED = "confirmed", _("Bevestigd")
        DECLINED = "declined", _("Niet bevestigd")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="partner_confirmations"
    )
    partner_name = models.CharField(_("naam partner"), max_length=200)
    partner_email = models.EmailField(_("e-mail partner"))
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("partnerbevestiging")
        verbose_name_plural = _("partnerbevestigingen")


class EndorsementCode(models.Model):
    """A single-use code printed on a sheet and handed out door to door in one buurt."""

    code = models.CharField(max_length=16, unique=True)
    buurt = models.ForeignKey(Buurt, on_delete=models.PROTECT, related_name="endorsement_codes")
    batch = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("steuncode")
        verbose_name_plural = _("steuncodes")


class Endorsement(models.Model):
    """A resident supports a platform (draagvlak). Minimal data: buurt and optional postcode."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    buurt = models.ForeignKey(Buurt, on_delete=models.PROTECT, related_name="endorsements")
    postcode4 = models.CharField(
        _("postcode (4 cijfers)"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^\d{4}$", _("Vul alleen de 4 cijfers van je postcode in."))],
    )
    verified = models.BooleanField(default=False)
    code = models.OneToOneField(
        EndorsementCode,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="endorsement",
    )
    show_name = models.BooleanField(_("mijn naam tonen"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "user"], name="endorsement_once_per_user")
        ]
        verbose_name = _("steunbetuiging")
        verbose_name_plural = _("steunbetuigingen")
