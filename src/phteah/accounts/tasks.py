"""Background work of the accounts app (Celery; run in-process when no broker is set)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from .models import Invitation

# The invitee's language is not known yet: the message is in Khmer, then English.
EMAIL_LANGUAGES = ("km", "en")


def invitation_link(site_url: str, token: str) -> str:
    return site_url.rstrip("/") + reverse("accounts:invitation_open", kwargs={"token": token})


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def invitation_email_send(*, invitation_id: str, token: str, site_url: str) -> bool:
    """E-mail an invitation's link to its address, if the invitation can still be accepted
    and *token* is its own. The token travels to the worker with the task (the database
    keeps only its digest), like the link it goes into; the task keeps no result."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organisation", "office", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
    if invitation is None or invitation.token_hash != Invitation.hash_token(token):
        return False
    if invitation.status_at(timezone.now()) != Invitation.Status.PENDING:
        return False
    context = {"invitation": invitation, "link": invitation_link(site_url, token)}
    subjects, bodies = [], []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            context["language"] = language
            subjects.append(
                render_to_string("accounts/email/invitation_subject.txt", context).strip()
            )
            bodies.append(render_to_string("accounts/email/invitation.txt", context).strip())
    send_mail(
        subject=" / ".join(subjects),
        message="\n\n------------------------------\n\n".join(bodies) + "\n",
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True
