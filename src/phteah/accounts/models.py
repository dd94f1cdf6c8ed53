"""Users, organisations, offices, memberships and invitations. Thin: behaviour lives in
services."""

import hashlib

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from phteah.core.models import BaseModel

from .roles import Capability, Role, capabilities_of


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin, BaseModel):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name in Latin letters"), max_length=150)
    full_name_km = models.CharField(_("name in Khmer"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    numerals = models.CharField(
        _("digits"),
        max_length=8,
        choices=[
            ("", _("As the language")),
            ("khmer", _("Khmer digits")),
            ("latin", _("Latin digits")),
        ],
        blank=True,
        default="",
        db_default="",
        help_text=_("Digits of numbers and dates on pages."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    must_change_password = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def display_name(self, language: str | None = None) -> str:
        if language == "km" and self.full_name_km:
            return self.full_name_km
        return self.full_name or self.email


class Organisation(BaseModel):
    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        NATIONAL_GOVERNMENT = "national_government", _("National government")
        PROVINCIAL_OFFICE = "provincial_office", _("Provincial government office")
        COMMUNE_COUNCIL = "commune_council", _("Commune council")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_km = models.CharField(_("name in Khmer"), max_length=200, blank=True)
    short_code = models.CharField(
        _("short code"),
        max_length=10,
        unique=True,
        help_text=_("Letters used at the start of case references, e.g. HOPE."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    provinces = models.ManyToManyField(
        "geography.Province",
        blank=True,
        related_name="organisations",
        verbose_name=_("provinces covered"),
    )
    # A commune council (CCWC) serves its commune (or a few): the cases it may be shared.
    communes = models.ManyToManyField(
        "geography.Commune",
        blank=True,
        related_name="+",
        verbose_name=_("communes served"),
    )
    require_two_factor_for_all = models.BooleanField(
        _("require two-factor authentication for every member"), default=False
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        return self.name_km if language == "km" and self.name_km else self.name


# The kinds of organisation that are government social services: a consent to share with
# government covers them, and a government share goes only to them.
GOVERNMENT_KINDS = (
    Organisation.Kind.NATIONAL_GOVERNMENT,
    Organisation.Kind.PROVINCIAL_OFFICE,
    Organisation.Kind.COMMUNE_COUNCIL,
)


class Office(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offices")
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
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="office_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    """A user's place in an organisation: their role, and so their capabilities there."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("office"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(organisation="organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.role) if self.is_active else frozenset()

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def requires_two_factor(self) -> bool:
        return (
            self.role in settings.PHTEAH_TWO_FACTOR_ROLES
            or self.organisation.require_two_factor_for_all
        )


class Invitation(BaseModel):
    """An administrator's invitation to join their organisation, sent to an email address.

    Nobody becomes a member without accepting: the person opens the link (or finds the
    invitation on their home page once signed in with that address) and accepts, and only
    then is their membership created. The link's token is stored as its SHA-256 digest, so
    the database does not hold usable links. An invitation is open until it is accepted,
    declined, cancelled (also when a new link replaces it) or expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    full_name = models.CharField(
        _("name in Latin letters"),
        max_length=150,
        help_text=_("Used for a new account; a person who has an account keeps their own name."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("office"),
    )
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The membership that accepting created.
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email"], name="invitation_email"),
            models.Index(fields=["organisation", "created_at"], name="invitation_org_created"),
        ]

    def __str__(self) -> str:
        return f"{self.email} @ {self.organisation_id} ({self.role})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def status_at(self, when) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.declined_at:
            return self.Status.DECLINED
        if self.cancelled_at:
            return self.Status.CANCELLED
        if self.expires_at <= when:
            return self.Status.EXPIRED
        return self.Status.PENDING
