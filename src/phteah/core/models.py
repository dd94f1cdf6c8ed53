"""Base model, and the append-only, hash-chained audit trail."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django_scopes import ScopedManager
from ulid import ULID

GENESIS_HASH = "0" * 64  # the previous hash of every chain's first event


def choice_labels(field) -> dict:
    """A field's choices as {value: label}, made once per field. Django's get_FOO_display()
    makes this dict again on every call, hashing every (lazy) label: each hash translates
    it, so a page showing a few hundred choices translated thousands of labels."""
    labels = field.__dict__.get("_choice_labels")
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field._choice_labels = labels
    return labels


def new_global_id() -> str:
    """A new ULID (48 bits of milliseconds, 80 random bits; 26 Crockford base32 characters):
    the id a person keeps across organisations, sortable by when it was made and unguessable."""
    return str(ULID())


class BaseModel(models.Model):
    """UUID primary key and creation/update times for every domain row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """get_FOO_display(), as Django's, with the labels looked up in choice_labels()."""
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)


class OrganisationOwned(BaseModel):
    """A row that belongs to one organisation. Its manager is scoped: a query outside a
    ``django_scopes.scope(organisation=...)`` raises instead of reading every organisation."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True


class VoidableQuerySet(models.QuerySet):
    """``valid()``: the rows that count — in due dates, counts, the current placement, the
    latest assessment, occupancy, reports. The default manager keeps voided rows (the
    timeline and the audit trail show them, struck through)."""

    def valid(self):
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class Voidable(models.Model):
    """A record of a case that a mistake can void (with a reason) but never delete: it stays,
    read-only and shown struck through, until a supervisor restores it. Put it before
    ``OrganisationOwned`` in the bases so its scoped manager (with ``valid()``) is the
    default one."""

    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    void_reason = models.TextField(blank=True, editable=False)

    objects = ScopedManager(
        organisation="organisation",
        _manager_class=models.Manager.from_queryset(VoidableQuerySet),
    )

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Versioned(models.Model):
    """Optimistic concurrency: services save only if the version read is still current."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class AuditChain(models.Model):
    """Head of one hash chain: one per organisation, plus "system" for events with none.

    Locking this row serialises appends to the chain it heads, so sequence numbers have
    no gaps and every event links to the one before it. It is always the last lock a
    transaction takes (see phteah.core.audit)."""

    key = models.CharField(max_length=64, unique=True)
    length = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.key} ({self.length})"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened. Stored language-neutral — an action code, ids and codes —
    the sentence shown is produced at display time in the viewer's language.

    The values an event records (``changes``, ``data``, ``ip``, ``actor_label``) are salted
    and digested (``salts``, ``digests``) and the chain hashes the digests, so an authorised
    erasure can remove a value (``erased`` says which, when and by whom) while the chain
    still verifies. An access event (a view, a download, a denied attempt) is written
    pending (``sequence`` empty) and sealed into its chain shortly after: see
    phteah.core.audit."""

    id = models.BigAutoField(primary_key=True)
    chain_key = models.CharField(max_length=64)
    sequence = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    salts = models.JSONField(default=dict, blank=True)
    digests = models.JSONField(default=dict, blank=True)
    erased = models.JSONField(default=dict, blank=True)
    key_id = models.CharField(max_length=40, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = ScopedManager(
        organisation="organisation",
        _manager_class=models.Manager.from_queryset(AuditEventQuerySet),
    )
    # Unscoped access for the chain's own machinery (sealing, verifying, anchoring, erasing)
    # and the superuser admin; never for display to members.
    all_chains = models.Manager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "sequence"], name="audit_event_chain_seq")
        ]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_time"),
            models.Index(fields=["organisation", "action"], name="audit_org_action"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["case_id", "-created_at"], name="audit_case_time"),
            models.Index(
                fields=["chain_key", "id"],
                name="audit_pending",
                condition=models.Q(sequence__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")

    @property
    def is_sealed(self) -> bool:
        return self.sequence is not None


class SubmittedForm(models.Model):
    """A one-time form token claimed by the service that saved the form (see
    phteah.core.submissions): its key is unique, so a second submission of the same form —
    a second tap, Back and Save again, another process racing — cannot create anything
    again, and finds the record the first one created. Kept for two days, then purged."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, on_delete=models.CASCADE, related_name="+"
    )
    record_type = models.CharField(max_length=100, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.key
