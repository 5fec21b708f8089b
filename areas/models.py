"""The official division: stadsdeel -> gebied -> wijk -> buurt, with municipal and CBS codes.

Nothing here is ever deleted: a buurt that disappears from the municipality's files is
retired, because platforms, applications and grants refer to it.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)


class BuurtQuerySet(ActiveQuerySet):
    def in_district(self, code: str | None = None):
        """Buurten of one stadsdeel; by default the district this site serves (DISTRICT_CODE)."""
        from django.conf import settings

        return self.filter(wijk__stadsdeel__code=code or settings.DISTRICT_CODE)


class Stadsdeel(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    retired_at = models.DateField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("stadsdeel")
        verbose_name_plural = _("stadsdelen")

    def __str__(self) -> str:
        return self.name


class Gebied(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    stadsdeel = models.ForeignKey(Stadsdeel, on_delete=models.PROTECT, related_name="gebieden")
    retired_at = models.DateField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("gebied")
        verbose_name_plural = _("gebieden")

    def __str__(self) -> str:
        return self.name


class Wijk(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    cbs_code = models.CharField(_("CBS-code"), max_length=12, blank=True)
    name = models.CharField(_("naam"), max_length=100)
    stadsdeel = models.ForeignKey(Stadsdeel, on_delete=models.PROTECT, related_name="wijken")
    gebied = models.ForeignKey(
        Gebied, null=True, blank=True, on_delete=models.PROTECT, related_name="wijken"
    )
    identificatie = models.CharField(max_length=20, blank=True)
    retired_at = models.DateField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Buurt(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    cbs_code = models.CharField(_("CBS-code"), max_length=12, blank=True, db_index=True)
    name = models.CharField(_("naam"), max_length=100)
    wijk = models.ForeignKey(Wijk, on_delete=models.PROTECT, related_name="buurten")
    identificatie = models.CharField(max_length=20, blank=True)
    retired_at = models.DateField(null=True, blank=True)
    # Simplified outline for the map: closed rings of [lon, lat] (areas.geometry); [] = none.
    geometry = models.JSONField(_("omtrek"), default=list, blank=True)

    objects = BuurtQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("areas:buurt_detail", args=[self.code])
