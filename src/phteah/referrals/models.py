"""The referral network's published data: each organisation's partner profile and the
services it lists in the directory. Published rows are read by every organisation, so they
have ordinary managers; they change only through the audited services in
``phteah.referrals.services``."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from phteah.cases.models import RiskLevel
from phteah.core.models import BaseModel, OrganisationOwned
from phteah.people.models import Sex


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


# --- referrals ------------------------------------------------------------------------------


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine (within the partner's answer time)")
    URGENT = "urgent", _("Urgent (within a day or two)")
    EMERGENCY = "emergency", _("Emergency (today)")


class ChildDetails(models.Model):
    """The child's details a referral, a transfer or a letter carries, frozen when it is
    sent (``services.referrals.frozen_details``): the partner reads these, never the sender's
    case or person."""

    family_name_km = models.CharField(max_length=100, blank=True)
    given_name_km = models.CharField(max_length=100, blank=True)
    family_name_latin = models.CharField(max_length=100, blank=True)
    given_name_latin = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(default=False)
    village = models.ForeignKey(
        "geography.Village", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    has_disability = models.BooleanField(default=False)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    worker_name = models.CharField(max_length=150)
    worker_phone = models.CharField(max_length=30, blank=True)

    class Meta:
        abstract = True

    def display_name(self, language: str | None = None) -> str:
        khmer = f"{self.family_name_km} {self.given_name_km}".strip()
        latin = f"{self.family_name_latin} {self.given_name_latin}".strip()
        return (khmer or latin) if language == "km" else (latin or khmer)


class ReferralGroup(ChildDetails, OrganisationOwned):
    """One "who can take this child?": a case referred to one or several organisations for
    one or more services at once, with the details the receivers may read, frozen when sent
    (the receiver never reads the sender's case or person). ``organisation`` is the sender."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey("people.Consent", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent on"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    reason = models.TextField(_("why the child is referred"))
    global_id = models.CharField(max_length=26)
    # When the details above were blanked, the referral having ended untaken long enough ago
    # (phteah.referrals.services.retention).
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["case", "-sent_at"], name="referral_group_case")]

    def __str__(self) -> str:
        return f"{self.family_name_latin} {self.given_name_latin}".strip()

    def display_name(self, language: str | None = None) -> str:
        if self.erased_at is not None:
            return str(_("A child (details removed)"))
        return super().display_name(language)


class Referral(OrganisationOwned):
    """A request to one organisation for one service (``organisation`` is the sender; the
    receiver reads its referrals through ``received``). States and their transitions:
    phteah.referrals.states."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    class DeclineReason(models.TextChoices):
        NO_PLACE = "no_place", _("No place or capacity now")
        NOT_OFFERED = "not_offered", _("We do not offer this service")
        OUT_OF_AREA = "out_of_area", _("Outside the area we serve")
        NOT_ELIGIBLE = "not_eligible", _("The child does not meet our criteria")
        OTHER = "other", _("Another reason (see the note)")

    class WithdrawReason(models.TextChoices):
        SENDER = "sender", _("Withdrawn by the referring organisation")
        TAKEN = "taken", _("Another organisation accepted first")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
        CASE_CLOSED = "case_closed", _("The referring organisation closed the case")
        EXPIRED = "expired", _("No answer came before the referral expired")

    group = models.ForeignKey(ReferralGroup, on_delete=models.PROTECT, related_name="referrals")
    receiver = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred to"),
    )
    service_code = models.SlugField(max_length=50)
    service_name_en = models.CharField(max_length=150)
    service_name_km = models.CharField(max_length=150)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    state_on = models.DateTimeField(_("since"))
    answer_due_on = models.DateField(_("answer due on"))
    decline_reason = models.CharField(
        _("why it was declined"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    withdraw_reason = models.CharField(
        _("why it was withdrawn"), max_length=20, choices=WithdrawReason.choices, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey(
        "cases.CaseGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True)
    # When the receiver was told that its answer is overdue (once per referral).
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(organisation="organisation")
    received = ScopedManager(organisation="receiver")

    TAKEN_STATES = ("accepted", "completed", "closed")

    class Meta:
        ordering = ["-state_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "receiver", "service_code"], name="referral_one_per_receiver"
            ),
            # One receiver wins a service: the database refuses a second taker.
            models.UniqueConstraint(
                fields=["group", "service_code"],
                condition=models.Q(state__in=("accepted", "completed", "closed")),
                name="referral_one_taker",
            ),
            models.CheckConstraint(
                condition=~models.Q(receiver=models.F("organisation")),
                name="referral_not_to_sender",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["receiver", "state", "-state_on"], name="referral_inbox"),
            models.Index(fields=["organisation", "state", "-state_on"], name="referral_sent"),
            models.Index(
                fields=["state", "answer_due_on"],
                condition=models.Q(state="pending"),
                name="referral_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} → {self.receiver_id} ({self.state})"

    def service_name(self, language: str | None = None) -> str:
        return (
            self.service_name_km
            if language == "km" and self.service_name_km
            else (self.service_name_en)
        )


class ReferralUpdate(BaseModel):
    """A step in a referral's shared history, read by both sides through the referral: a
    change of state, or news the receiver reports back (feedback)."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FEEDBACK = "feedback", _("News from the receiver")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["on", "created_at"]
        indexes = [models.Index(fields=["referral", "on"], name="referral_update_time")]


class ReferralAttachment(OrganisationOwned):
    """A document sent with a referral (the signed consent form, a scan of the birth
    certificate, a report), copied when the referral is sent: the receivers read this copy,
    never the sender's records. ``organisation`` is the sender."""

    class Kind(models.TextChoices):
        CONSENT = "consent", _("Signed consent form")
        DOCUMENT = "document", _("Identity document")
        OTHER = "other", _("Other document")

    group = models.ForeignKey(ReferralGroup, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # An identity document's kind (people.IdentityDocument.Kind); a title for another document.
    document_kind = models.CharField(max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=150, blank=True)
    file = models.FileField(upload_to="referrals/attachments/%Y/")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.display_title()

    def display_title(self, language: str | None = None) -> str:
        """What the document is, in the reader's language (the title its sender gave it)."""
        from phteah.people.models import IdentityDocument

        if self.kind == self.Kind.DOCUMENT:
            return str(dict(IdentityDocument.Kind.choices).get(self.document_kind, self.title))
        if self.kind == self.Kind.CONSENT:
            return str(self.Kind.CONSENT.label)
        return self.title


# --- letters to partners not on Phteah -------------------------------------------------------


class PartnerKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital or health centre")
    POLICE = "police", _("Police")
    NGO = "ngo", _("Organisation not on Phteah")
    COMMUNE = "commune", _("Commune council")
    OTHER = "other", _("Another partner")


class LetterLanguage(models.TextChoices):
    KHMER = "km", _("Khmer")
    ENGLISH = "en", _("English")


class ReferralLetter(ChildDetails, OrganisationOwned):
    """A referral to a partner not on Phteah (a hospital, the police, an organisation that
    does not use it): a letter, printed from the details frozen here when it was written, on a
    consent that names the partner, and the partner's answer as a worker records it. The
    partner gets no grant and reads nothing on Phteah."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        NO_ANSWER = "no_answer", _("No answer came")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey("people.Consent", on_delete=models.PROTECT, related_name="+")
    partner_name = models.CharField(_("partner"), max_length=200)
    partner_kind = models.CharField(
        _("kind of partner"), max_length=10, choices=PartnerKind.choices
    )
    partner_contact = models.CharField(_("partner's contact"), max_length=200, blank=True)
    # The services asked for, frozen: [{"code", "name_en", "name_km"}] from the catalogue.
    services = models.JSONField(_("services asked for"), default=list)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    reason = models.TextField(_("why the child is referred"))
    language = models.CharField(
        _("language of the letter"), max_length=2, choices=LetterLanguage.choices
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("written on"))
    # The partner's answer, as recorded by a worker.
    state = models.CharField(
        _("answer"), max_length=10, choices=State.choices, default=State.PENDING
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_note = models.TextField(_("what the partner said"), blank=True)
    answer_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_recorded_at = models.DateTimeField(null=True, blank=True)
    # Why the answer was last corrected (every correction is in the audit trail).
    correction_note = models.TextField(_("why the answer was corrected"), blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # An answer has its date and who recorded it; a letter waiting has neither.
            models.CheckConstraint(
                condition=(
                    models.Q(state="pending", answered_on__isnull=True)
                    | (
                        ~models.Q(state="pending")
                        & models.Q(answered_on__isnull=False, answer_recorded_at__isnull=False)
                    )
                ),
                name="referral_letter_answer_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-sent_at"], name="referral_letter_case"),
            models.Index(fields=["organisation", "state", "-sent_at"], name="referral_letter_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_name} ({self.state})"

    def service_names(self, language: str | None = None) -> list[str]:
        key = "name_km" if language == "km" else "name_en"
        return [row.get(key) or row.get("name_en") or row.get("code", "") for row in self.services]


# --- transfers -------------------------------------------------------------------------------


class Transfer(ChildDetails, OrganisationOwned):
    """A case handed over to another organisation: the receiver, once it accepts, owns the
    child's care in a case of its own, and reads the sender's closed case (its history)
    under a view grant; the sender keeps that case, closed and read-only. ``organisation``
    is the sender; the receiver reads its transfers through ``received``. Until it is
    answered the receiver reads only the details frozen here when it was sent (under a
    minimal grant, as a referral). States: phteah.referrals.states (TRANSFER_TRANSITIONS)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DeclineReason(models.TextChoices):
        NO_PLACE = "no_place", _("No place or capacity now")
        OUT_OF_AREA = "out_of_area", _("Outside the area we serve")
        NOT_ELIGIBLE = "not_eligible", _("The child does not meet our criteria")
        OTHER = "other", _("Another reason (see the note)")

    class WithdrawReason(models.TextChoices):
        SENDER = "sender", _("Withdrawn by the sending organisation")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
        CASE_CLOSED = "case_closed", _("The sending organisation closed the case")
        EXPIRED = "expired", _("No answer came before the transfer expired")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transferred to"),
    )
    consent = models.ForeignKey("people.Consent", on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent on"))
    reason = models.TextField(_("why the case is transferred"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    state_on = models.DateTimeField(_("since"))
    decline_reason = models.CharField(
        _("why it was declined"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    answer_note = models.TextField(_("note"), blank=True)
    withdraw_reason = models.CharField(
        _("why it was withdrawn"), max_length=20, choices=WithdrawReason.choices, blank=True
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    # The minimal grant the receiver reads the details under while it is pending, and the
    # view grant on the sender's closed case once it is accepted.
    grant = models.ForeignKey(
        "cases.CaseGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history_grant = models.ForeignKey(
        "cases.CaseGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receiver_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    global_id = models.CharField(max_length=26)
    case_type = models.CharField(max_length=30)

    objects = ScopedManager(organisation="organisation")
    received = ScopedManager(organisation="receiver")

    class Meta:
        ordering = ["-state_on"]
        constraints = [
            # One transfer of a case waits at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="pending"),
                name="transfer_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(receiver=models.F("organisation")),
                name="transfer_not_to_sender",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decline_reason=""),
                name="transfer_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["receiver", "state", "-state_on"], name="transfer_inbox"),
            models.Index(fields=["organisation", "state", "-state_on"], name="transfer_sent"),
            models.Index(fields=["case", "-state_on"], name="transfer_case"),
            models.Index(fields=["receiver_case"], name="transfer_receiver_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.receiver_id} ({self.state})"


# --- contact requests (network.md §7) ---------------------------------------------------------


class ContactRequest(OrganisationOwned):
    """ "Can we talk about a child we may both know?": sent from a ``NetworkMatch`` by the
    organisation that found it (``organisation``) to the matched one (``receiver``). It holds
    no child data beyond what the requester writes. ``receiver_person_id`` is the receiver's
    own person, shown to the receiver only; the requester sees the answer alone. Read by both
    sides through ``selectors.contact_request_get_for_user``."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        DECLINED = "declined", _("Declined")

    receiver = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    receiver_person_id = models.UUIDField()
    band = models.PositiveSmallIntegerField()
    kinds = models.JSONField(default=list)
    message = models.TextField(_("message"))
    contact = models.CharField(_("how to reach you"), max_length=200)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    holds_child = models.BooleanField(_("we hold this child"), null=True)
    answer = models.TextField(_("answer"), blank=True)
    answer_contact = models.CharField(_("who to contact"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organisation="organisation")
    received = ScopedManager(organisation="receiver")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(receiver=models.F("organisation")),
                name="contact_request_not_to_self",
            ),
        ]
        indexes = [
            models.Index(fields=["receiver", "state", "-created_at"], name="contact_inbox"),
            models.Index(fields=["organisation", "sent_by", "created_at"], name="contact_sent"),
        ]

    def __str__(self) -> str:
        return f"contact {self.organisation_id} → {self.receiver_id} ({self.state})"
