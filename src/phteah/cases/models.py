"""A child's (or mother's) case and everything recorded in it. Thin: stage, references,
rules and access live in services and selectors."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from phteah.core.models import OrganisationOwned, Versioned, Voidable
from phteah.people.models import SharingPurpose


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    NO_ACTION = "no_action", _("No action")


class CareType(models.TextChoices):
    """Where a child lives (MoSVY Form 4 and common practice). The vocabulary of the care app's
    placements, kept here because a case stores its current care type (for lists and due
    dates) and the case list filters on it."""

    BIRTH_FAMILY = "birth_family", _("Birth family (reintegrated)")
    KINSHIP = "kinship", _("Kinship care")
    EMERGENCY_FOSTER = "emergency_foster", _("Emergency foster care")
    LONG_TERM_FOSTER = "long_term_foster", _("Long-term foster care")
    FAMILY_HOUSE = "family_house", _("Family house or group home")
    TEMPORARY_CENTRE = "temporary_centre", _("Temporary (transit) centre")
    RESIDENTIAL = "residential", _("Residential care institution")
    PAGODA = "pagoda", _("Pagoda or faith-based care")
    INDEPENDENT_LIVING = "independent_living", _("Independent living")
    DOMESTIC_ADOPTION = "domestic_adoption", _("Domestic adoption")


# Back with family: a current placement of these types puts the case in follow-up.
FAMILY_CARE_TYPES = (CareType.BIRTH_FAMILY, CareType.KINSHIP)


class PlacementOutcome(models.TextChoices):
    """How a placement ended (the care app's ``Placement.Outcome``), kept here because a
    request to close a case stores how the closure will end the child's current placement."""

    REINTEGRATED = "reintegrated", _("Returned to family")
    MOVED = "moved", _("Moved to another placement")
    ADOPTED = "adopted", _("Adopted")
    AGED_OUT = "aged_out", _("Aged out")
    RAN_AWAY = "ran_away", _("Left without agreement")
    OTHER = "other", _("Other")


class Case(OrganisationOwned, Versioned):
    class Type(models.TextChoices):
        CRISIS_PREGNANCY = "crisis_pregnancy", _("Crisis pregnancy")
        EMERGENCY = "emergency", _("Emergency intervention")
        REINTEGRATION = "reintegration", _("Reintegration")
        FOSTER_CARE = "foster_care", _("Foster care")
        RESIDENTIAL_CARE = "residential_care", _("Residential care")
        COMMUNITY_SUPPORT = "community_support", _("Community support")

    class ReferralSource(models.TextChoices):
        POLICE = "police", _("Police")
        COMMUNE_COUNCIL = "commune_council", _("Commune council")
        HOSPITAL = "hospital", _("Hospital or health centre")
        HOTLINE = "hotline", _("Hotline")
        NGO = "ngo", _("Another organisation")
        GOVERNMENT = "government", _("DoSVY or MoSVY")
        FAMILY = "family", _("Family or neighbour")
        SCHOOL = "school", _("School")
        SELF = "self", _("Self-referred")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Stage(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSESSED = "assessed", _("Assessed")
        PLANNED = "planned", _("Planned")
        IMPLEMENTING = "implementing", _("Implementing")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    class ClosureReason(models.TextChoices):
        REINTEGRATED = "reintegrated", _("Reintegrated with family")
        ADOPTED = "adopted", _("Adopted")
        AGED_OUT = "aged_out", _("Aged out")
        TRANSFERRED = "transferred", _("Transferred")
        MOVED_AWAY = "moved_away", _("Moved away")
        DIED = "died", _("Died")
        OTHER = "other", _("Other")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=30)
    case_type = models.CharField(_("programme"), max_length=30, choices=Type.choices)
    referral_source = models.CharField(
        _("referred by"), max_length=30, choices=ReferralSource.choices
    )
    referral_source_detail = models.CharField(
        _("referrer's name or agency"), max_length=200, blank=True
    )
    referral_reason = models.TextField(_("reason for referral"))
    identified_at = models.DateTimeField(_("identified at"))
    opened_on = models.DateField(_("opened on"))
    risk_level = models.CharField(_("risk level"), max_length=20, choices=RiskLevel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REGISTERED
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    case_workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseWorkerAssignment",
        related_name="+",
        verbose_name=_("case workers"),
    )
    # Closure: requested by the case worker, approved by a supervisor.
    closure_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_notes = models.TextField(_("closing notes"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_requested_on = models.DateField(null=True, blank=True)
    # How the closure ends the child's current placement, if there is one (chosen with the
    # request; the approval ends the placement on the day the case is closed).
    closure_placement_outcome = models.CharField(
        _("how the current placement ends"),
        max_length=20,
        choices=PlacementOutcome.choices,
        blank=True,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last request to close that a supervisor sent back, and why (cleared by the next
    # request).
    closure_sent_back_note = models.TextField(_("why the closure was sent back"), blank=True)
    closure_sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_sent_back_on = models.DateField(null=True, blank=True)

    # Derived from the case's records and its organisation's rule table, kept up to date by
    # the services (phteah.care.progress): never edited, never audited as an edit.
    current_care_type = models.CharField(
        max_length=30, choices=CareType.choices, blank=True, editable=False, db_default=""
    )
    current_started_on = models.DateField(null=True, editable=False)
    last_visited_on = models.DateField(null=True, editable=False)
    last_assessed_on = models.DateField(null=True, editable=False)
    visit_due_on = models.DateField(null=True, editable=False)
    review_due_on = models.DateField(null=True, editable=False)
    stay_limit_on = models.DateField(null=True, editable=False)
    follow_up_due_on = models.DateField(null=True, editable=False)
    initial_target_at = models.DateTimeField(null=True, editable=False)
    initial_limit_at = models.DateTimeField(null=True, editable=False)

    # When work falls due (none on a closed case) ...
    DUE_DATES = (
        "visit_due_on",
        "review_due_on",
        "stay_limit_on",
        "follow_up_due_on",
        "initial_target_at",
        "initial_limit_at",
    )
    # ... and everything phteah.care.progress stores.
    DUE_FIELDS = (
        "current_care_type",
        "current_started_on",
        "last_visited_on",
        "last_assessed_on",
        *DUE_DATES,
    )

    class Meta:
        ordering = ["-opened_on", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            ),
            models.UniqueConstraint(fields=["organisation", "person"], name="case_one_per_person"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "stage"], name="case_org_status_stage"),
            models.Index(fields=["organisation", "risk_level"], name="case_org_risk"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseWorkerAssignment(OrganisationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_primary = models.BooleanField(_("main case worker"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_worker_once")]
        indexes = [models.Index(fields=["organisation", "user"], name="assignment_org_user")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.user_id}"


class CaseReferenceCounter(models.Model):
    """Last number used per organisation and year, locked while a case is registered."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}: {self.last_number}"


class CaseReopening(OrganisationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reopenings")
    reopened_on = models.DateField(_("reopened on"))
    reason = models.TextField(_("reason"))
    previous_closure_reason = models.CharField(max_length=20, blank=True)
    previous_closed_on = models.DateField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class AssessmentDomain(OrganisationOwned):
    """A wellbeing domain scored 1–4. Each organisation has its own set (seeded with the
    Child Status Index domains)."""

    code = models.SlugField(max_length=40)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_km = models.CharField(_("name in Khmer"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    # What each score means in this domain, in English and Khmer (phteah.cases.domain_guidance
    # for the standard domains).
    guidance_1 = models.TextField(_("what 1 means, in English"), blank=True)
    guidance_1_km = models.TextField(_("what 1 means, in Khmer"), blank=True)
    guidance_2 = models.TextField(_("what 2 means, in English"), blank=True)
    guidance_2_km = models.TextField(_("what 2 means, in Khmer"), blank=True)
    guidance_3 = models.TextField(_("what 3 means, in English"), blank=True)
    guidance_3_km = models.TextField(_("what 3 means, in Khmer"), blank=True)
    guidance_4 = models.TextField(_("what 4 means, in English"), blank=True)
    guidance_4_km = models.TextField(_("what 4 means, in Khmer"), blank=True)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="assessment_domain_code")
        ]

    def __str__(self) -> str:
        return self.name_en

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name_en

    def guidance(self, score: int, language: str | None = None) -> str:
        """What *score* means in this domain, in *language* (English when there is no
        Khmer text); "" for a score without guidance."""
        if score not in (1, 2, 3, 4):
            return ""
        english = getattr(self, f"guidance_{score}")
        khmer = getattr(self, f"guidance_{score}_km")
        return khmer if language == "km" and khmer else english


class Assessment(Voidable, OrganisationOwned):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial")
        FULL = "full", _("Full")
        REVIEW = "review", _("Review")
        CLOSURE = "closure", _("Closure")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    assessed_on = models.DateField(_("date"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(_("risk level"), max_length=20, choices=RiskLevel.choices)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [
            models.Index(fields=["case", "kind", "assessed_on"], name="assessment_case_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.assessed_on}"


class AssessmentScore(OrganisationOwned):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(AssessmentDomain, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="assessment_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=4), name="assessment_score_1_to_4"
            ),
        ]


class Goal(OrganisationOwned):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    domain = models.ForeignKey(
        AssessmentDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("domain"),
    )
    description = models.TextField(_("goal"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # Who recorded it (empty for goals recorded before this was kept).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:80]


class Action(OrganisationOwned):
    class Status(models.TextChoices):
        TO_DO = "to_do", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_text = models.CharField(
        _("owner (someone outside the organisation)"), max_length=150, blank=True
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.TO_DO
    )
    # Who recorded it (empty for actions recorded before this was kept).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.description[:80]


class PlanReview(OrganisationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"))

    def __str__(self) -> str:
        return f"{self.reviewed_on}"


class Conference(OrganisationOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_on = models.DateField(_("date"))
    participants = models.TextField(
        _("participants"),
        help_text=_(
            "One per line: name, role and agency (staff, other agencies, authorities, family)."
        ),
    )
    child_views = models.TextField(_("the child's views"), blank=True)
    family_views = models.TextField(_("the family's views"), blank=True)
    decisions = models.TextField(_("decisions"))
    next_steps = models.TextField(_("next steps"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.held_on}"


class Visit(Voidable, OrganisationOwned):
    class Kind(models.TextChoices):
        HOME = "home", _("Home visit")
        PHONE = "phone", _("Phone call")
        OFFICE = "office", _("Office visit")
        SCHOOL = "school", _("School visit")
        AUTHORITIES = "authorities", _("Visit by authorities")

    class Schooling(models.TextChoices):
        ATTENDING = "attending", _("Attending school")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        NOT_ENROLLED = "not_enrolled", _("Not enrolled")
        SCHOOL_CLOSED = "school_closed", _("School closed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    people_seen = models.CharField(_("who was seen"), max_length=300, blank=True)
    schooling = models.CharField(
        _("schooling"), max_length=20, choices=Schooling.choices, blank=True
    )
    wellbeing_notes = models.TextField(_("wellbeing notes"), blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A visit made by an authority the case is shared with (a DoSVY officer): its office.
    recorded_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("made by"),
    )

    class Meta:
        ordering = ["-visited_on", "-created_at"]
        indexes = [models.Index(fields=["case", "-visited_on"], name="visit_case_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_on}"


class ServiceType(OrganisationOwned):
    """The organisation's catalogue of services (seeded with those in common NGO reports)."""

    code = models.SlugField(max_length=50)
    name_en = models.CharField(_("name in English"), max_length=150)
    name_km = models.CharField(_("name in Khmer"), max_length=150)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name_en"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="service_type_code")
        ]

    def __str__(self) -> str:
        return self.name_en

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name_en


class ServiceDelivery(Voidable, OrganisationOwned):
    class Currency(models.TextChoices):
        KHR = "KHR", _("Riel")
        USD = "USD", _("US dollars")

    class Recipient(models.TextChoices):
        CHILD = "child", _("Child")
        FAMILY = "family", _("Family")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provided by a partner"),
    )
    provider_name = models.CharField(_("provider (if not in Phteah)"), max_length=200, blank=True)
    delivered_on = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, default=1)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.USD
    )
    recipient = models.CharField(
        _("for"), max_length=10, choices=Recipient.choices, default=Recipient.CHILD
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-delivered_on"]
        indexes = [models.Index(fields=["case", "-delivered_on"], name="service_case_date")]

    def __str__(self) -> str:
        return f"{self.service_type} {self.delivered_on}"


class CaseGrant(OrganisationOwned):
    """Another organisation may see a case: at which level, why, on which consent, until when.
    ``organisation`` is the case's owner, ``grantee`` the organisation it is shared with; the
    grantee reads its grants through ``received``. A grant is never deleted: it ends when it
    is revoked (with its reason) or when ``valid_until`` passes (access compares it with now;
    a task then marks it revoked as expired). See docs/design/network.md §3."""

    class Level(models.TextChoices):
        MINIMAL = "minimal", _("The referral's details only")
        VIEW = "view", _("View the case, read-only")

    class RevokeReason(models.TextChoices):
        ANSWERED = "answered", _("The referral was answered")
        WITHDRAWN = "withdrawn", _("Withdrawn by the sender")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
        EXPIRED = "expired", _("Expired")
        CASE_CLOSED = "case_closed", _("The case was closed")
        REVOKED = "revoked", _("Stopped by the organisation")

    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="grants")
    grantee = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared with"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    purpose = models.CharField(_("why"), max_length=20, choices=SharingPurpose.choices)
    consent = models.ForeignKey(
        "people.Consent", on_delete=models.PROTECT, related_name="grants", verbose_name=_("consent")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("shared on"))
    valid_until = models.DateTimeField(_("until"))
    # The grantee's side: the officer it gave the case to, and its own case of the child.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handled by"),
    )
    linked_case = models.ForeignKey(
        "Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("ended on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(
        _("why it ended"), max_length=20, choices=RevokeReason.choices, blank=True
    )

    objects = ScopedManager(organisation="organisation")
    received = ScopedManager(organisation="grantee")

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(grantee=models.F("organisation")), name="grant_not_to_owner"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("granted_at")),
                name="grant_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="grant_revoked_has_reason",
            ),
            models.UniqueConstraint(
                fields=["case", "grantee", "level"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_one_active",
            ),
        ]
        indexes = [
            models.Index(
                fields=["grantee", "case"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_grantee_active",
            ),
            models.Index(fields=["consent"], name="grant_consent"),
            models.Index(fields=["revoked_at", "valid_until"], name="grant_ending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.get_purpose_display()})"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.valid_until > (now or timezone.now())
