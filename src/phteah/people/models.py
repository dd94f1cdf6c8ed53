"""People, their identity documents, households and consent. Thin: rules live in services."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phteah.core.models import BaseModel, OrganisationOwned, Versioned, new_global_id


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Person(OrganisationOwned, Versioned):
    """A child, a mother, a relative or a carer known to one organisation. Khmer names are
    written family name first (សុខ ដារ៉ា = Sok Dara); Khmer and Latin spellings are kept apart."""

    family_name_km = models.CharField(_("family name in Khmer"), max_length=100, blank=True)
    given_name_km = models.CharField(_("given name in Khmer"), max_length=100, blank=True)
    family_name_latin = models.CharField(
        _("family name in Latin letters"), max_length=100, blank=True
    )
    given_name_latin = models.CharField(
        _("given name in Latin letters"), max_length=100, blank=True
    )
    nickname = models.CharField(_("nickname"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    village = models.ForeignKey(
        "geography.Village",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current village"),
    )
    address_detail = models.CharField(
        _("house, street and other details"), max_length=300, blank=True
    )
    birth_province = models.ForeignKey(
        "geography.Province",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province of birth"),
    )
    has_disability = models.BooleanField(_("has a disability"), default=False)
    disability_notes = models.CharField(_("disability"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    photo = models.FileField(_("photo"), upload_to="people/photos/%Y/", blank=True)
    # Normalised forms for search and duplicate matching (set by the services).
    search_latin = models.CharField(max_length=220, blank=True, editable=False)
    search_km = models.CharField(max_length=220, blank=True, editable=False)
    name_key = models.CharField(max_length=60, blank=True, editable=False)
    name_key_km = models.CharField(max_length=60, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The same child keeps one global id in every organisation that takes them on (a referral
    # accepted copies it), so the next referral recognises them.
    global_id = models.CharField(max_length=26, default=new_global_id, editable=False)

    class Meta:
        ordering = ["family_name_latin", "given_name_latin"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "global_id"], name="person_org_global_id"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "search_latin"], name="person_org_latin"),
            models.Index(fields=["organisation", "search_km"], name="person_org_km"),
            models.Index(fields=["organisation", "name_key"], name="person_org_key"),
            models.Index(fields=["organisation", "name_key_km"], name="person_org_key_km"),
            models.Index(fields=["organisation", "date_of_birth"], name="person_org_dob"),
        ]

    def __str__(self) -> str:
        return self.name_latin or self.name_km or self.nickname or "—"

    @property
    def name_latin(self) -> str:
        return " ".join(p for p in (self.family_name_latin, self.given_name_latin) if p)

    @property
    def name_km(self) -> str:
        return " ".join(p for p in (self.family_name_km, self.given_name_km) if p)

    def display_name(self, language: str | None = None) -> str:
        if language == "km" and self.name_km:
            return self.name_km
        return str(self)


class IdentityDocument(OrganisationOwned):
    class Kind(models.TextChoices):
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        NATIONAL_ID = "national_id", _("National ID card")
        FAMILY_BOOK = "family_book", _("Family book")
        RESIDENCE_BOOK = "residence_book", _("Residence book")

    class Status(models.TextChoices):
        HAS = "has", _("Has it")
        IN_PROCESS = "in_process", _("In process")
        NONE = "none", _("None")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    obtained_on = models.DateField(_("date obtained"), null=True, blank=True)
    scan = models.FileField(_("scan"), upload_to="people/documents/%Y/", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"], name="identity_document_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Household(OrganisationOwned):
    """A family or household: a mother and her baby, siblings, a foster family..."""

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
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HouseholdMember(OrganisationOwned):
    class Relationship(models.TextChoices):
        CHILD = "child", _("Child")
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
        FOSTER_CARER = "foster_carer", _("Foster carer")
        GUARDIAN = "guardian", _("Guardian")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="household_memberships"
    )
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    is_primary_carer = models.BooleanField(_("primary carer"), default=False)
    lives_in_household = models.BooleanField(_("lives in the household"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="household_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"


class SharingPurpose(models.TextChoices):
    """Why a case is shared with another organisation (the purpose of a grant, which a
    consent must cover)."""

    REFERRAL = "referral", _("Referral")
    TRANSFER = "transfer", _("Transfer")
    GOVERNMENT_SHARE = "government_share", _("Sharing with government")


class Consent(OrganisationOwned):
    class GivenAs(models.TextChoices):
        ADULT = "adult", _("Adult consenting for themselves")
        GUARDIAN = "guardian", _("Parent or guardian consent")
        CHILD_ASSENT = "child_assent", _("Child's assent")

    class Purpose(models.TextChoices):
        SERVICES = "services", _("Receiving services")
        SHARE_ORGANISATION = "share_organisation", _("Sharing with a named organisation")
        SHARE_GOVERNMENT = "share_government", _("Sharing with government social services")

    class Method(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed form")
        VERBAL_WITNESSED = "verbal_witnessed", _("Verbal, witnessed")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    given_as = models.CharField(_("given as"), max_length=20, choices=GivenAs.choices)
    given_by_name = models.CharField(_("given by"), max_length=150)
    given_on = models.DateField(_("date given"))
    purpose = models.CharField(_("for"), max_length=30, choices=Purpose.choices)
    # Sharing with named organisations: the ones on Phteah, and a partner that is not (a
    # hospital, the police) by name. What the sharing covers: a referral (the referral's
    # dataset, then a case of their own if they accept) and the transfer of the case.
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="+",
        verbose_name=_("organisations it may be shared with"),
    )
    shared_with_name = models.CharField(_("partner not on Phteah"), max_length=200, blank=True)
    for_referral = models.BooleanField(_("covers referrals"), default=False)
    for_transfer = models.BooleanField(_("covers a transfer of the case"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    witness_name = models.CharField(_("witness"), max_length=150, blank=True)
    scan = models.FileField(_("signed form"), upload_to="people/consent/%Y/", blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"


class LinkageRecord(BaseModel):
    """A person's linkage key for the duplicate check across organisations
    (``phteah.people.linkage``): a keyed, balanced Bloom filter of their names, date of birth,
    sex and place. Unscoped on purpose: it holds no plaintext, and only ``people/linkage.py``
    reads it. Made by the person services; ``phteah linkage rebuild`` remakes every record
    after a new key or encoder version (the key is outside the database: a migration cannot)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    clk = models.BinaryField(max_length=256)
    key_id = models.CharField(max_length=60)
    encoder_version = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key_id", "encoder_version"], name="linkage_record_key")]

    def __str__(self) -> str:
        return f"linkage {self.person_id}"


class LinkageBlock(models.Model):
    """One blocking key of a linkage record (a 16-hex-digit keyed digest): a check reads only
    the records that share one of its keys, through the index on (key, organisation)."""

    id = models.BigAutoField(primary_key=True)
    record = models.ForeignKey(LinkageRecord, on_delete=models.CASCADE, related_name="blocks")
    organisation_id = models.UUIDField()
    key = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "key"], name="linkage_block_once")]
        indexes = [models.Index(fields=["key", "organisation_id"], name="linkage_block_key")]

    def __str__(self) -> str:
        return self.key


class NetworkCheck(OrganisationOwned):
    """One duplicate check across organisations, made when a member registered *person*: what
    the limits count (per member and hour, per organisation and day). It keeps counts only."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    candidates = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "by", "created_at"], name="network_check_by"),
            models.Index(fields=["organisation", "created_at"], name="network_check_org"),
        ]

    def __str__(self) -> str:
        return f"check {self.person_id} ({self.matches})"


class NetworkMatch(OrganisationOwned):
    """ "A possible match exists at organisation X": what a check found, kept by (and scoped on)
    the checking organisation for 24 hours. ``candidate_person_id`` is the other organisation's
    person, for a contact request to name to *that* organisation only: it is never shown to
    the checker nor sent to the browser (the browser gets this row's id)."""

    class Kind(models.TextChoices):
        NAME = "name", _("name")
        DATE_OF_BIRTH = "date_of_birth", _("date of birth")
        SEX = "sex", _("sex")
        PLACE = "place", _("location")

    network_check = models.ForeignKey(NetworkCheck, on_delete=models.CASCADE, related_name="found")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    candidate_person_id = models.UUIDField()
    band = models.PositiveSmallIntegerField()  # the similarity in tens: 80, 90, 100
    kinds = models.JSONField(default=list)  # of Kind values
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-band", "created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "person", "expires_at"], name="network_match_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_organisation_id} ~{self.band}"

    def kind_labels(self) -> list[str]:
        labels = dict(self.Kind.choices)
        return [str(labels[kind]) for kind in self.kinds if kind in labels]
