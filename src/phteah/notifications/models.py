"""Notifications: what a member is told (``Notification``), how they want to be told
(``NotificationPreference``) and the outbox of what is still to be sent by e-mail or
Telegram (``NotificationDelivery``). docs/notifications.md describes the whole."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from phteah.core.models import BaseModel, OrganisationOwned


class Kind(models.TextChoices):
    """What happened. The sentence and link of each kind are in ``notifications/kinds.py``."""

    REFERRAL_RECEIVED = "referral_received", _("A referral is received")
    REFERRAL_ACCEPTED = "referral_accepted", _("A referral is accepted")
    REFERRAL_DECLINED = "referral_declined", _("A referral is declined")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("A referral is withdrawn")
    REFERRAL_COMPLETED = "referral_completed", _("A referral is completed")
    REFERRAL_FEEDBACK = "referral_feedback", _("Feedback on a referral")
    SHARE_RECEIVED = "share_received", _("A case is shared with the organisation")
    SHARE_REVOKED = "share_revoked", _("A shared case is no longer shared")
    CONTACT_REQUEST = "contact_request", _("A contact request")
    CONTACT_ANSWERED = "contact_answered", _("A contact request is answered")
    REFERRAL_OVERDUE = "referral_overdue", _("A referral is waiting past its answer date")
    TRANSFER_RECEIVED = "transfer_received", _("A case is transferred to the organisation")
    TRANSFER_ANSWERED = "transfer_answered", _("A transfer of a case is answered")
    TRANSFER_WITHDRAWN = "transfer_withdrawn", _("A transfer of a case is withdrawn")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")


class Notification(OrganisationOwned):
    """One thing one member is told, in the organisation they were told as a member of.

    Language-neutral like the audit trail: ``data`` holds ids and codes only (never a name,
    an age or a place), and the sentence is made when shown, in the reader's language. The
    link is ``target_name`` (a URL name) reversed with ``target_kwargs``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    target_name = models.CharField(max_length=100, blank=True)
    target_kwargs = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list: a member's notifications, newest first.
            models.Index(
                fields=["recipient", "organisation", "-created_at"], name="notification_list"
            ),
            # The bell: a member's unread ones only (a small index, read on every page).
            models.Index(
                fields=["recipient", "organisation", "-created_at"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(OrganisationOwned):
    """A member's choice of channels for one kind. No row: the kind's defaults
    (``kinds.DEFAULTS``). Telegram is not a personal choice: it goes to the organisation's
    chat (``telegram.chat_for``)."""

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    in_app = models.BooleanField(_("in Phteah"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind}"


class NotificationDelivery(BaseModel):
    """The outbox: one e-mail or Telegram message still to send, sent, or given up on.

    Written in the transaction that made the notification, so a rollback leaves none; sent
    by ``delivery_send`` after commit. ``claimed_at`` is the lease of the attempt under way:
    a worker claims the row (a short transaction), sends outside any transaction, then marks
    it. Reached by tasks by id only, so the manager is not scoped; the notification it
    belongs to is."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager()
    # Scoped through the notification, for pages that show a member's deliveries.
    scoped = ScopedManager(organisation="notification__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notification_delivery_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_delivery_sent_at",
            ),
        ]
        indexes = [
            # deliveries_retry: the pending ones.
            models.Index(
                fields=["created_at"],
                name="notification_delivery_pending",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} ({self.notification_id})"
