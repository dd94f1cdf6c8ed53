"""Alternative care: care providers, placements, family tracing and reunification, and each
organisation's rule table (never constants in code: policies change and vary)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phteah.cases.models import CareType, PlacementOutcome, RiskLevel
from phteah.core.models import OrganisationOwned, Voidable


class CareProvider(OrganisationOwned):
    class Kind(models.TextChoices):
        FOSTER_FAMILY = "foster_family", _("Foster family")
        FAMILY_HOUSE = "family_house", _("Family house")
        TEMPORARY_CENTRE = "temporary_centre", _("Temporary centre")
        RESIDENTIAL = "residential", _("Residential institution")
        PAGODA = "pagoda", _("Pagoda")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    village = models.ForeignKey(
        "geography.Village",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
    )
    address_detail = models.CharField(
        _("house, street and other details"), max_length=300, blank=True
    )
    capacity = models.PositiveIntegerField(_("places"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    # Shown in the partner directory: its care types, ages, disability access and free
    # places (never its children or placements).
    network_published = models.BooleanField(_("shown in the partner directory"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="care_provider_name")
        ]

    def __str__(self) -> str:
        return self.name


class ProviderCareType(OrganisationOwned):
    """A care type a provider offers, for which children (ages in whole years, inclusive) and
    whether it takes children with a disability. What the partner directory searches on."""

    provider = models.ForeignKey(CareProvider, on_delete=models.CASCADE, related_name="care_types")
    care_type = models.CharField(_("care type"), max_length=30, choices=CareType.choices)
    age_min = models.PositiveSmallIntegerField(_("youngest age (years)"), default=0)
    age_max = models.PositiveSmallIntegerField(_("oldest age (years)"), default=17)
    accepts_disability = models.BooleanField(_("takes children with a disability"), default=False)

    class Meta:
        ordering = ["care_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "care_type"], name="provider_care_type_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(age_max__gte=models.F("age_min")),
                name="provider_care_type_ages",
            ),
        ]
        indexes = [models.Index(fields=["care_type", "provider"], name="provider_care_type_search")]

    def __str__(self) -> str:
        return f"{self.care_type} {self.age_min}-{self.age_max}"


class Carer(OrganisationOwned):
    provider = models.ForeignKey(CareProvider, on_delete=models.CASCADE, related_name="carers")
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class Placement(Voidable, OrganisationOwned):
    Outcome = PlacementOutcome

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="placements")
    care_type = models.CharField(_("care type"), max_length=30, choices=CareType.choices)
    provider = models.ForeignKey(
        CareProvider,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("care provider"),
    )
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_on"]
        indexes = [
            models.Index(fields=["case", "ended_on"], name="placement_case_current"),
            # The children placed now with each provider (not ended, not voided), counted
            # from the index alone: the partner directory counts them for every published
            # provider at each search.
            models.Index(
                fields=["provider", "ended_on", "voided_at"], name="placement_provider_open"
            ),
            # The open, valid placements that have a provider only (about one in ten): the
            # directory and the capacity board count them per provider in one aggregate.
            models.Index(
                fields=["provider"],
                name="placement_open_per_provider",
                condition=models.Q(
                    ended_on__isnull=True, voided_at__isnull=True, provider__isnull=False
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.care_type} {self.started_on}"


class TracingAction(OrganisationOwned):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tracing_actions")
    done_on = models.DateField(_("date"))
    where_searched = models.CharField(_("where searched"), max_length=300)
    done_by = models.CharField(_("who searched"), max_length=200)
    outcome = models.TextField(_("outcome"))

    def __str__(self) -> str:
        return f"{self.done_on} {self.where_searched}"[:300]


class Relative(OrganisationOwned):
    """A relative found by family tracing."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("name"), max_length=150)
    relationship = models.CharField(_("relationship to the child"), max_length=100)
    village = models.ForeignKey(
        "geography.Village",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    willing_to_care = models.BooleanField(_("willing to care for the child"), default=False)
    found_on = models.DateField(_("found on"))
    notes = models.TextField(_("notes"), blank=True)
    # Who recorded it (empty for relatives recorded before this was kept).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class ReunificationAssessment(OrganisationOwned):
    class Recommendation(models.TextChoices):
        REUNIFY = "reunify", _("Reunify")
        NOT_YET = "not_yet", _("Not yet: more support needed")
        NOT_SUITABLE = "not_suitable", _("Not suitable")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="reunification_assessments"
    )
    assessed_on = models.DateField(_("date"))
    relative = models.ForeignKey(
        Relative,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("family assessed"),
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices
    )
    notes = models.TextField(_("notes"))
    reunified_on = models.DateField(_("reunified on"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.recommendation} {self.assessed_on}"


class CareRule(OrganisationOwned):
    """One row of an organisation's rule table (defaults from DOMAIN.md, editable)."""

    class Kind(models.TextChoices):
        MAX_STAY = "max_stay", _("Longest stay in a care type (days)")
        VISIT_EVERY = "visit_every", _("Visit at least every (days)")
        FOLLOW_UP_AFTER = "follow_up_after", _("Follow-up visit after reintegration (days)")
        REVIEW_EVERY = "review_every", _("Assessment review at least every (days)")
        INITIAL_ASSESSMENT_TARGET = "initial_target", _("Initial assessment target (hours)")
        INITIAL_ASSESSMENT_LIMIT = "initial_limit", _("Initial assessment limit (hours)")

    kind = models.CharField(_("rule"), max_length=30, choices=Kind.choices)
    care_type = models.CharField(
        _("care type"), max_length=30, choices=CareType.choices, blank=True
    )
    risk_level = models.CharField(
        _("risk level"), max_length=20, choices=RiskLevel.choices, blank=True
    )
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["kind", "care_type", "risk_level", "value"]
        indexes = [models.Index(fields=["organisation", "kind"], name="care_rule_org_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.care_type or self.risk_level or ''} {self.value}"


class ProgressState(models.Model):
    """Which version of the computation in phteah.care.progress the stored stages and due
    dates of every case were made by. After a migration, when it differs from the code's, the
    current code recomputes them all (``progress_upgrade``): a migration never has to run
    live application code to fill derived values."""

    version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"progress version {self.version}"
