"""The referral network's published data: each organisation's partner profile and the
services it lists in the directory. Published rows are read by every organisation, so they
have ordinary managers; they change only through the audited services in
``phteah.referrals.services``."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from phteah.core.models import BaseModel


class Language(models.TextChoices):
    """The languages a partner's staff work in (what a referring worker needs to know)."""

    KHMER = "km", _("Khmer")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    VIETNAMESE = "vi", _("Vietnamese")
    CHINESE = "zh", _("Chinese")
    THAI = "th", _("Thai")
    SIGN = "sgn", _("Cambodian Sign Language")


class PartnerProfile(BaseModel):
    """What an organisation shows the network. Every organisation has one (created
    unpublished with the organisation); nothing of it is seen elsewhere until it is
    published."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="partner_profile"
    )
    published = models.BooleanField(_("shown in the partner directory"), default=False)
    accepts_referrals = models.BooleanField(_("accepts referrals"), default=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_km = models.TextField(_("description in Khmer"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), max_length=254, blank=True)
    # A list of Language codes: a handful of values, read and written whole.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    districts = models.ManyToManyField(
        "geography.District", blank=True, related_name="+", verbose_name=_("districts covered")
    )
    communes = models.ManyToManyField(
        "geography.Commune", blank=True, related_name="+", verbose_name=_("communes covered")
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to answer a referral"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    telegram_chat_id = models.CharField(_("Telegram chat"), max_length=40, blank=True)
    linkage_participates = models.BooleanField(
        _("takes part in the network duplicate check"), default=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_days__gte=1, answer_days__lte=60),
                name="partner_profile_answer_days",
            )
        ]
        indexes = [models.Index(fields=["published"], name="partner_profile_published")]

    def __str__(self) -> str:
        return f"{self.organisation_id}"

    def description(self, language: str | None = None) -> str:
        if language == "km" and self.description_km:
            return self.description_km
        return self.description_en or self.description_km

    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels[code]) for code in self.languages if code in labels]


class PublishedService(BaseModel):
    """A service of the organisation's catalogue that it lists in the directory. ``code`` is
    the ``ServiceType.code`` slug every seeded catalogue shares, so a search by service
    finds the same service in every organisation; the names are copied when published."""

    profile = models.ForeignKey(PartnerProfile, on_delete=models.CASCADE, related_name="services")
    code = models.SlugField(_("code"), max_length=50)
    name_en = models.CharField(_("name in English"), max_length=150)
    name_km = models.CharField(_("name in Khmer"), max_length=150)

    class Meta:
        ordering = ["name_en"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="published_service_code")
        ]
        indexes = [models.Index(fields=["code", "profile"], name="published_service_search")]

    def __str__(self) -> str:
        return self.code

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name_en
